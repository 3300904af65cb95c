// Bytes the account layer does not own stay as they were: a stray non-UTF-8 byte elsewhere in
// .claude.json survives a switch and its backup, and a profile store with a wide mode is tightened.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AccountManager } from '../../../../src/core/accounts/accountManager';
import { FileProfileStore } from '../../../../src/core/accounts/profileStore';
import { setTopLevelKeyInBytes } from '../../../../src/core/accounts/jsonText';
import { AccountError } from '../../../../src/core/accounts/errors';
import { Sandbox, accountFor, claudeJsonText, makeSandbox, removeSandbox, writeLogin } from '../../../support/accountsFixtures';

function manager(sb: Sandbox): AccountManager {
  return new AccountManager({ env: sb.env, store: new FileProfileStore(sb.quotaHome), stateDir: sb.quotaHome, platform: 'linux', settingsFiles: [], lockTimeoutMs: 2000 });
}

/** `.claude.json` of `name` with a lone 0xFF byte and a broken two-byte sequence in unrelated state. */
function withStrayBytes(name: string): Buffer {
  const text = claudeJsonText(name);
  const at = text.indexOf('"numStartups"');
  assert.ok(at > 0);
  return Buffer.concat([
    Buffer.from(text.slice(0, at), 'utf8'),
    Buffer.from('"note": "caf', 'utf8'),
    Buffer.from([0xff, 0xc3]),
    Buffer.from('",\n  ', 'utf8'),
    Buffer.from(text.slice(at), 'utf8'),
  ]);
}

/** The bytes with the oauthAccount value taken out, to compare everything around it. */
function outsideAccount(bytes: Buffer): [Buffer, Buffer] {
  const latin = bytes.toString('latin1');
  const start = latin.indexOf('"oauthAccount"');
  const end = latin.indexOf('}', start) + 1;
  return [bytes.subarray(0, start), bytes.subarray(end)];
}

describe('bytes the account layer does not own', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = makeSandbox('cqs-bytes-');
  });
  afterEach(() => removeSandbox(sb));

  {
    it('keeps a stray non-UTF-8 byte in .claude.json through a switch and its backup', async () => {
      const m = manager(sb);
      writeLogin(sb, 'beta');
      await m.add('b');
      writeLogin(sb, 'alpha');
      await m.add('a');
      const before = withStrayBytes('alpha');
      fs.writeFileSync(sb.claudeJsonFile, before, { mode: 0o600 });
      const r = await m.switchTo('b');
      assert.equal(r.changed, true);
      const after = fs.readFileSync(sb.claudeJsonFile);
      assert.ok(after.includes(Buffer.from([0xff, 0xc3])), 'the stray bytes are still there');
      assert.ok(!after.includes(Buffer.from('\ufffd', 'utf8')), 'no replacement character was written');
      assert.deepEqual(outsideAccount(after), outsideAccount(before), 'every byte outside oauthAccount is unchanged');
      const account = (JSON.parse(after.toString('utf8')) as { oauthAccount: unknown }).oauthAccount;
      assert.deepEqual(account, accountFor('beta'));
      const backups = fs.readdirSync(path.join(sb.quotaHome, 'backups')).filter((n) => n.endsWith('.claude.json'));
      assert.equal(backups.length, 1);
      assert.ok(fs.readFileSync(path.join(sb.quotaHome, 'backups', backups[0] ?? '')).equals(before), 'the backup holds the original bytes');
    });
  }

  it('refuses, changing nothing, when the key is absent and only re-serialising could add it', () => {
    const bytes = Buffer.concat([Buffer.from('{"a": "', 'utf8'), Buffer.from([0xff]), Buffer.from('"}', 'utf8')]);
    assert.throws(() => setTopLevelKeyInBytes(bytes, 'oauthAccount', { x: 1 }, 'f.json'), (err: unknown) => err instanceof AccountError && /not UTF-8/.test(err.message));
    const valid = Buffer.from('{"a": "é"}', 'utf8');
    assert.deepEqual(JSON.parse(setTopLevelKeyInBytes(valid, 'b', 1, 'f.json').toString('utf8')), { a: 'é', b: 1 });
  });

  it('tightens a profile store left readable by others to 0600 on first read', async () => {
    const m = manager(sb);
    writeLogin(sb, 'alpha');
    await m.add('a');
    const file = path.join(sb.quotaHome, 'profiles.json');
    fs.chmodSync(file, 0o644);
    const text = fs.readFileSync(file, 'utf8');
    assert.equal((await m.list()).length, 1);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(file, 'utf8'), text, 'only the mode changed');
  });
});
