// The outgoing login is saved only under the profile its tokens belong to: identity is account plus
// organisation, and when .claude.json and the credentials disagree, no profile is overwritten.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AccountManager } from '../../../../src/core/accounts/accountManager';
import { AccountError } from '../../../../src/core/accounts/errors';
import { FileProfileStore, profileSecretKey } from '../../../../src/core/accounts/profileStore';
import { Sandbox, accountFor, claudeJsonText, credentialsText, makeSandbox, removeSandbox, saveLogins, tokensFor, writeLogin } from '../../../support/accountsFixtures';

function manager(sb: Sandbox): AccountManager {
  return new AccountManager({ env: sb.env, store: new FileProfileStore(sb.quotaHome), stateDir: sb.quotaHome, platform: 'linux', settingsFiles: [], lockTimeoutMs: 1000 });
}

/** Refresh token saved per label. */
function savedRefreshTokens(sb: Sandbox): Record<string, string> {
  const store = JSON.parse(fs.readFileSync(path.join(sb.quotaHome, 'profiles.json'), 'utf8')) as { meta: { profiles: { id: string; label: string }[] }; secrets: Record<string, string> };
  const out: Record<string, string> = {};
  for (const p of store.meta.profiles) {
    out[p.label] = (JSON.parse(store.secrets[profileSecretKey(p.id)] ?? '{}') as { claudeAiOauth: { refreshToken: string } }).claudeAiOauth.refreshToken;
  }
  return out;
}

/** .claude.json naming `name`'s account in another organisation. */
function secondOrgJson(name: string): string {
  const acct = { ...accountFor(name), organizationUuid: `org-${name}-2`, organizationName: `${name} second org` };
  return claudeJsonText(name).replace(JSON.stringify(accountFor(name), null, 2).split('\n').join('\n  '), JSON.stringify(acct, null, 2).split('\n').join('\n  '));
}

async function rejectsUnsaved(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof AccountError && err.code === 'unsaved-login' && re.test(err.message));
}

describe('whose tokens are live', () => {
  let sb: Sandbox;
  let m: AccountManager;
  beforeEach(async () => {
    sb = makeSandbox('cqs-attr-');
    m = manager(sb);
    await saveLogins(sb, m, [['b', 'beta'], ['c', 'gamma'], ['a', 'alpha']]);
  });
  afterEach(() => removeSandbox(sb));

  it('keeps one email in two organisations as two profiles, each with its own tokens', async () => {
    fs.writeFileSync(sb.credentialsFile, credentialsText('alpha', 7), { mode: 0o600 });
    fs.writeFileSync(sb.claudeJsonFile, secondOrgJson('alpha'), { mode: 0o600 });
    const second = await m.add('a-second-org');
    assert.equal(second.email, 'alpha@example.test');
    await m.switchTo('b');
    await m.switchTo('a');
    assert.deepEqual(savedRefreshTokens(sb), { b: 'test-refresh-beta-1', c: 'test-refresh-gamma-1', a: 'test-refresh-alpha-1', 'a-second-org': 'test-refresh-alpha-7' });
  });

  it('does not file another saved account\'s tokens under the identity .claude.json still names', async () => {
    // beta's tokens went live while .claude.json still says alpha.
    fs.writeFileSync(sb.credentialsFile, credentialsText('beta'), { mode: 0o600 });
    const before = savedRefreshTokens(sb);
    await rejectsUnsaved(m.switchTo('c'), /cannot be filed under "a".*saved tokens of "b"/);
    assert.deepEqual(savedRefreshTokens(sb), before, 'no profile changed');
    const r = await m.switchTo('c', { allowUnsaved: true });
    assert.equal(r.changed, true);
    assert.deepEqual(savedRefreshTokens(sb), before, 'forced: still no profile changed');
  });

  it('does not take tokens it never saw live for a refresh when the last login seen was another account', async () => {
    // We put alpha live; a login to gamma began: .claude.json names gamma, the tokens are new ones.
    fs.writeFileSync(sb.credentialsFile, credentialsText('delta', 1), { mode: 0o600 });
    fs.writeFileSync(sb.claudeJsonFile, claudeJsonText('gamma'), { mode: 0o600 });
    await rejectsUnsaved(m.switchTo('b'), /"c".*last login seen live was another account/);
    assert.equal(savedRefreshTokens(sb)['c'], 'test-refresh-gamma-1');
  });

  it('does not take tokens of another plan for a refresh', async () => {
    fs.writeFileSync(sb.credentialsFile, JSON.stringify({ claudeAiOauth: { ...tokensFor('alpha', 2), subscriptionType: 'pro' } }), { mode: 0o600 });
    await rejectsUnsaved(m.switchTo('b'), /plan/);
    assert.equal(savedRefreshTokens(sb)['a'], 'test-refresh-alpha-1');
  });

  it('saves Claude Code\'s own refresh of the tokens it last saw live', async () => {
    writeLogin(sb, 'alpha', 2);
    await m.switchTo('b');
    // …and of a login it switched in.
    fs.writeFileSync(sb.credentialsFile, credentialsText('beta', 3), { mode: 0o600 });
    await m.switchTo('a');
    assert.deepEqual(savedRefreshTokens(sb), { b: 'test-refresh-beta-3', c: 'test-refresh-gamma-1', a: 'test-refresh-alpha-2' });
  });
});
