// Switch backups hold tokens: those of a removed account go with it, and none outlives the age bound.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AccountManager } from '../../../../src/core/accounts/accountManager';
import { FileProfileStore } from '../../../../src/core/accounts/profileStore';
import { runAccountsCommand } from '../../../../src/cli/accountsCommand';
import { Sandbox, captureIo, makeSandbox, removeSandbox, saveLogins, writeLogin } from '../../../support/accountsFixtures';

const DAY = 24 * 3_600_000;

function manager(sb: Sandbox, extra: Partial<ConstructorParameters<typeof AccountManager>[0]> = {}): AccountManager {
  return new AccountManager({ env: sb.env, store: new FileProfileStore(sb.quotaHome), stateDir: sb.quotaHome, platform: 'linux', settingsFiles: [], lockTimeoutMs: 1000, ...extra });
}

/** Every backup file's text, joined, to look for tokens. */
function backupsText(sb: Sandbox): string {
  const dir = path.join(sb.quotaHome, 'backups');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((n) => fs.readFileSync(path.join(dir, n), 'utf8')).join('\n') : '';
}

describe('switch backups', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = makeSandbox('cqs-backups-');
  });
  afterEach(() => removeSandbox(sb));

  it('removes the backups holding a removed account\'s login, and only those', async () => {
    const m = manager(sb);
    await saveLogins(sb, m, [['c', 'gamma'], ['b', 'beta'], ['a', 'alpha']]);
    // Each switch backs up the outgoing login: alpha, beta, alpha, gamma.
    for (const to of ['b', 'a', 'c', 'a']) await m.switchTo(to);
    assert.match(backupsText(sb), /test-refresh-beta-1/);
    const c = captureIo(sb.env);
    assert.equal(await runAccountsCommand(['remove', 'b'], { ...c.io, platform: 'linux', lockTimeoutMs: 500 }), 0, c.err());
    assert.match(c.out(), /Removed profile "b" and 1 backup holding its login\./);
    const text = backupsText(sb);
    assert.doesNotMatch(text, /beta/, 'no backup holds beta\'s tokens or identity');
    assert.match(text, /test-refresh-alpha-1/);
    assert.match(text, /test-refresh-gamma-1/);
    assert.deepEqual(await manager(sb).remove('c'), { backupsRemoved: 1 });
  });

  it('removes backups older than the age bound, whatever their number', async () => {
    let now = Date.now();
    const m = manager(sb, { now: () => now });
    writeLogin(sb, 'beta');
    await m.add('b');
    writeLogin(sb, 'alpha');
    await m.add('a');
    await m.switchTo('b');
    const dir = path.join(sb.quotaHome, 'backups');
    const old = fs.readdirSync(dir);
    assert.equal(old.length, 2);
    const past = (now - 31 * DAY) / 1000;
    for (const n of old) fs.utimesSync(path.join(dir, n), past, past);
    now += 1000;
    await m.switchTo('a');
    const left = fs.readdirSync(dir);
    assert.equal(left.length, 2, 'only the new pair is left');
    assert.ok(left.every((n) => !old.includes(n)));
  });
});
