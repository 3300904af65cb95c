import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { AccountManager } from '../../../../src/core/accounts/accountManager';
import { AccountError } from '../../../../src/core/accounts/errors';
import { FileProfileStore, MemoryProfileStore, profileSecretKey } from '../../../../src/core/accounts/profileStore';
import { FsOps } from '../../../../src/core/accounts/fileOps';
import { CommandRunner } from '../../../../src/core/accounts/liveCredentials';
import { keychainService } from '../../../../src/core/accounts/claudePaths';
import { setTopLevelKey } from '../../../../src/core/accounts/jsonText';
import { journalPath } from '../../../../src/core/accounts/journal';
import {
  Sandbox,
  accountFor,
  claudeJsonText,
  credentialsText,
  makeSandbox,
  removeSandbox,
  tokensFor,
  writeLogin,
  SECRET_PATTERN,
} from '../../../support/accountsFixtures';

function manager(sb: Sandbox, extra: Partial<ConstructorParameters<typeof AccountManager>[0]> = {}) {
  return new AccountManager({
    env: sb.env,
    store: new FileProfileStore(sb.quotaHome),
    stateDir: sb.quotaHome,
    platform: 'linux',
    settingsFiles: [path.join(sb.configDir, 'settings.json')],
    lockTimeoutMs: 2000,
    ...extra,
  });
}

async function expectError(p: Promise<unknown>, code: string, re?: RegExp): Promise<AccountError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AccountError, `expected AccountError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (re) assert.match(err.message, re);
    assert.doesNotMatch(err.message, SECRET_PATTERN);
    return err;
  }
  assert.fail(`expected ${code}`);
}

/** Two saved profiles, alpha live. */
async function twoProfiles(sb: Sandbox) {
  const m = manager(sb);
  writeLogin(sb, 'beta');
  await m.add('work-beta');
  writeLogin(sb, 'alpha');
  await m.add('alpha');
  return m;
}

function snapshotFiles(sb: Sandbox): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const f of [sb.credentialsFile, sb.claudeJsonFile, path.join(sb.quotaHome, 'profiles.json')]) {
    out[f] = fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : null;
  }
  return out;
}

describe('accounts core', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = makeSandbox();
  });
  afterEach(() => removeSandbox(sb));

  it('captures the current login with label, email, organization, plan and expiry', async () => {
    const m = manager(sb);
    writeLogin(sb, 'alpha', 1, 1_900_000_000_000);
    const v = await m.add('personal');
    assert.equal(v.label, 'personal');
    assert.equal(v.email, 'alpha@example.test');
    assert.equal(v.organizationName, 'alpha org');
    assert.equal(v.plan, 'max');
    assert.equal(v.tokenExpiresAt, 1_900_000_000_000);
    assert.equal(v.active, true);
    const store = JSON.parse(fs.readFileSync(path.join(sb.quotaHome, 'profiles.json'), 'utf8'));
    const secret = JSON.parse(store.secrets[profileSecretKey(v.id)]);
    assert.deepEqual(secret.claudeAiOauth, tokensFor('alpha', 1, 1_900_000_000_000));
    assert.equal(fs.statSync(path.join(sb.quotaHome, 'profiles.json')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(sb.quotaHome).mode & 0o777, 0o700);
    await expectError(m.add('personal'), 'exists');
    await expectError(m.add('again'), 'exists', /already saved as "personal"/);
  });

  it('refuses to capture when there is no login', async () => {
    await expectError(manager(sb).add('x'), 'no-login');
    fs.writeFileSync(sb.credentialsFile, credentialsText('alpha'));
    await expectError(manager(sb).add('x'), 'no-login', /oauthAccount/);
  });

  it('switches credentials and identity, preserving everything else byte for byte', async () => {
    const m = await twoProfiles(sb);
    const r = await m.switchTo('work-beta');
    assert.equal(r.changed, true);
    assert.equal(r.from, 'alpha');
    assert.equal(fs.readFileSync(sb.credentialsFile, 'utf8'), credentialsText('beta'));
    assert.equal(fs.readFileSync(sb.claudeJsonFile, 'utf8'), claudeJsonText('beta'));
    assert.equal(fs.statSync(sb.credentialsFile).mode & 0o777, 0o600);
    assert.equal(fs.statSync(sb.claudeJsonFile).mode & 0o777, 0o600);
    const views = await m.list();
    assert.deepEqual(views.map((v) => [v.label, v.active]), [['work-beta', true], ['alpha', false]]);
    assert.ok(!fs.existsSync(m.journalFile));
    // same account again: no change
    const again = await m.switchTo('work-beta');
    assert.equal(again.changed, false);
  });

  it('re-captures rotated tokens of the outgoing account before switching', async () => {
    const m = await twoProfiles(sb);
    // Claude Code refreshed alpha's tokens since capture.
    fs.writeFileSync(sb.credentialsFile, credentialsText('alpha', 7));
    await m.switchTo('work-beta');
    await m.switchTo('alpha');
    assert.equal(fs.readFileSync(sb.credentialsFile, 'utf8'), credentialsText('alpha', 7));
  });

  it('keeps bounded, private backups of what it replaced', async () => {
    const m = manager(sb, { backupsToKeep: 3 });
    writeLogin(sb, 'beta');
    await m.add('b');
    writeLogin(sb, 'alpha');
    await m.add('a');
    for (let i = 0; i < 5; i++) await m.switchTo(i % 2 === 0 ? 'b' : 'a');
    const dir = path.join(sb.quotaHome, 'backups');
    const names = fs.readdirSync(dir);
    assert.equal(names.length, 6);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    for (const n of names) assert.equal(fs.statSync(path.join(dir, n)).mode & 0o777, 0o600);
  });

  it('refuses to switch away from an unsaved login unless forced', async () => {
    const m = await twoProfiles(sb);
    writeLogin(sb, 'gamma');
    await expectError(m.switchTo('alpha'), 'unsaved-login', /gamma@example\.test/);
    assert.equal(fs.readFileSync(sb.credentialsFile, 'utf8'), credentialsText('gamma'));
    const r = await m.switchTo('alpha', { allowUnsaved: true });
    assert.equal(r.changed, true);
  });

  it('renames, removes and lists', async () => {
    const m = await twoProfiles(sb);
    await m.rename('work-beta', 'beta');
    await expectError(m.rename('beta', 'alpha'), 'exists');
    await expectError(m.rename('nope', 'x'), 'not-found');
    await expectError(m.rename('beta', '-bad'), 'invalid-label');
    await m.switchTo('beta');
    assert.equal(fs.readFileSync(sb.credentialsFile, 'utf8'), credentialsText('beta'));
    await m.remove('alpha');
    assert.deepEqual((await m.list()).map((v) => v.label), ['beta']);
    const store = JSON.parse(fs.readFileSync(path.join(sb.quotaHome, 'profiles.json'), 'utf8'));
    assert.equal(Object.keys(store.secrets).length, 1);
    await expectError(m.remove('alpha'), 'not-found');
  });

  for (const name of ['CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN']) {
    it(`refuses to switch while ${name} overrides the stored login`, async () => {
      await twoProfiles(sb);
      const before = snapshotFiles(sb);
      const m = manager(sb, { env: { ...sb.env, [name]: 'test-override-value' } });
      const err = await expectError(m.switchTo('work-beta'), 'override', new RegExp(name));
      assert.doesNotMatch(err.message, /test-override-value/);
      assert.deepEqual(snapshotFiles(sb), before);
    });
  }

  it('refuses to switch while apiKeyHelper or a settings env block overrides the login', async () => {
    const m = await twoProfiles(sb);
    const settings = path.join(sb.configDir, 'settings.json');
    fs.writeFileSync(settings, JSON.stringify({ apiKeyHelper: '/bin/echo test-helper' }));
    await expectError(m.switchTo('work-beta'), 'override', /apiKeyHelper in .*settings\.json/);
    fs.writeFileSync(settings, JSON.stringify({ env: { ANTHROPIC_API_KEY: 'test-key-value' } }));
    await expectError(m.switchTo('work-beta'), 'override', /env\.ANTHROPIC_API_KEY/);
    const r = await m.switchTo('work-beta', { ignoreOverrides: true });
    assert.equal(r.changed, true);
  });

  it('warns when the target token has expired', async () => {
    const m = manager(sb);
    writeLogin(sb, 'beta', 1, Date.now() - 60_000);
    await m.add('beta');
    writeLogin(sb, 'alpha');
    await m.add('alpha');
    const r = await m.switchTo('beta');
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0] ?? '', /expired/);
    assert.ok((await m.list()).find((v) => v.label === 'beta')?.tokenExpired);
  });

  it('refuses malformed JSON, missing fields and wrong types without writing anything', async () => {
    const m = await twoProfiles(sb);
    const cases: [string, string, RegExp][] = [
      [sb.credentialsFile, '{"claudeAiOauth": {"accessToken": "test-access-alpha-1", ', /not valid JSON/],
      [sb.credentialsFile, JSON.stringify({ claudeAiOauth: { accessToken: 'test-access-alpha-1', expiresAt: 1 } }), /claudeAiOauth\.refreshToken/],
      [sb.credentialsFile, JSON.stringify({ claudeAiOauth: { accessToken: 'test-access-alpha-1', refreshToken: 'test-refresh-alpha-1', expiresAt: 'soon' } }), /expiresAt: expected number/],
      [sb.claudeJsonFile, '{"oauthAccount": {"accountUuid": 5}}', /oauthAccount\.accountUuid/],
      [sb.claudeJsonFile, '[1,2', /not valid JSON/],
    ];
    for (const [file, text, re] of cases) {
      writeLogin(sb, 'alpha');
      fs.writeFileSync(file, text);
      const before = snapshotFiles(sb);
      await expectError(m.switchTo('work-beta'), 'malformed', re);
      assert.deepEqual(snapshotFiles(sb), before);
      assert.ok(!fs.existsSync(m.journalFile));
    }
  });

  it('refuses a corrupt saved profile secret', async () => {
    const m = await twoProfiles(sb);
    const file = path.join(sb.quotaHome, 'profiles.json');
    const store = JSON.parse(fs.readFileSync(file, 'utf8'));
    const beta = store.meta.profiles.find((p: { label: string }) => p.label === 'work-beta');
    store.secrets[profileSecretKey(beta.id)] = JSON.stringify({ claudeAiOauth: { accessToken: 'test-access-beta-1' } });
    fs.writeFileSync(file, JSON.stringify(store));
    const before = snapshotFiles(sb);
    await expectError(m.switchTo('work-beta'), 'malformed', /work-beta.*refreshToken/);
    assert.deepEqual(snapshotFiles(sb), before);
  });

  it('refuses symlinked credentials or .claude.json', async () => {
    const m = await twoProfiles(sb);
    for (const file of [sb.credentialsFile, sb.claudeJsonFile]) {
      writeLogin(sb, 'alpha');
      const real = path.join(sb.root, 'elsewhere.json');
      fs.renameSync(file, real);
      fs.symlinkSync(real, file);
      const before = fs.readFileSync(real, 'utf8');
      await expectError(m.switchTo('work-beta'), 'symlink', /symbolic link/);
      assert.ok(fs.lstatSync(file).isSymbolicLink());
      assert.equal(fs.readFileSync(real, 'utf8'), before);
      fs.unlinkSync(file);
      fs.renameSync(real, file);
    }
  });

  it('fails cleanly in a read-only config directory', async function () {
    if (process.getuid?.() === 0) {
      // root ignores directory permissions; simulate with an injected EACCES instead
      const m0 = await twoProfiles(sb);
      void m0;
      const failing: FsOps = {
        ...fsp,
        open: ((p: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
          if (String(p).startsWith(sb.configDir) && typeof flags === 'number' && flags & fs.constants.O_CREAT) {
            return Promise.reject(Object.assign(new Error(`EACCES: permission denied, open '${String(p)}'`), { code: 'EACCES', syscall: 'open' }));
          }
          return fsp.open(p, flags, mode);
        }) as FsOps['open'],
      };
      const m = manager(sb, { fs: failing });
      const before = snapshotFiles(sb);
      await expectError(m.switchTo('work-beta'), 'io', /EACCES/);
      assert.deepEqual(snapshotFiles(sb), before);
      return;
    }
    const m = await twoProfiles(sb);
    const before = snapshotFiles(sb);
    fs.chmodSync(sb.configDir, 0o500);
    try {
      await assert.rejects(m.switchTo('work-beta'));
    } finally {
      fs.chmodSync(sb.configDir, 0o700);
    }
    assert.deepEqual(snapshotFiles(sb), before);
  });

  it('leaves everything as it was when the disk is full (ENOSPC) on either write', async () => {
    for (const victim of ['.credentials.json', '.claude.json']) {
      const m0 = await twoProfiles(sb);
      void m0;
      const before = snapshotFiles(sb);
      const failing: FsOps = {
        ...fsp,
        open: (async (p: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
          const h = await fsp.open(p, flags, mode);
          if (path.dirname(String(p)) === sb.configDir && path.basename(String(p)).startsWith(`.${victim}.cqs-tmp-`)) {
            h.writeFile = () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' }));
          }
          return h;
        }) as FsOps['open'],
      };
      const m = manager(sb, { fs: failing });
      await expectError(m.switchTo('work-beta'), 'io', /ENOSPC/);
      const after = snapshotFiles(sb);
      assert.equal(after[sb.credentialsFile], before[sb.credentialsFile]);
      assert.equal(after[sb.claudeJsonFile], before[sb.claudeJsonFile]);
      assert.ok(!fs.existsSync(m.journalFile), 'journal removed');
      assert.deepEqual(fs.readdirSync(sb.configDir).filter((n) => n.includes('cqs-tmp')), []);
      removeSandbox(sb);
      sb = makeSandbox();
    }
  });

  it('rolls the credentials back when replacing .claude.json fails at the rename', async () => {
    await twoProfiles(sb);
    const before = snapshotFiles(sb);
    const failing: FsOps = {
      ...fsp,
      rename: (async (a: fs.PathLike, b: fs.PathLike) => {
        if (String(b) === sb.claudeJsonFile) throw Object.assign(new Error('EIO'), { code: 'EIO', syscall: 'rename' });
        return fsp.rename(a, b);
      }) as FsOps['rename'],
    };
    const m = manager(sb, { fs: failing });
    await expectError(m.switchTo('work-beta'), 'io', /\.claude\.json/);
    const after = snapshotFiles(sb);
    assert.equal(after[sb.credentialsFile], before[sb.credentialsFile]);
    assert.equal(after[sb.claudeJsonFile], before[sb.claudeJsonFile]);
    assert.ok(!fs.existsSync(m.journalFile));
  });

  it('finishes a switch interrupted between the two renames', async () => {
    const m = await twoProfiles(sb);
    const crashing = manager(sb, {
      onStep: (step) => {
        if (step === 'credentials-written') throw new Error('simulated crash');
      },
    });
    await assert.rejects(crashing.switchTo('work-beta'), /simulated crash/);
    // Simulate the kill: the in-process rollback did not run, so restore the half-switched state.
    fs.writeFileSync(sb.credentialsFile, credentialsText('beta'));
    assert.equal(fs.readFileSync(sb.claudeJsonFile, 'utf8'), claudeJsonText('alpha'));
    const j = JSON.parse(fs.readFileSync(m.journalFile, 'utf8'));
    assert.equal(j.phase, 'prepared');
    const r = await m.recover();
    assert.equal(r.action, 'completed');
    assert.equal(fs.readFileSync(sb.claudeJsonFile, 'utf8'), claudeJsonText('beta'));
    assert.ok(!fs.existsSync(m.journalFile));
  });

  it('uses the macOS Keychain through the injected runner', async () => {
    let item: string | null = credentialsText('alpha');
    const calls: { args: readonly string[]; input?: string }[] = [];
    const runner: CommandRunner = async (cmd, args, options) => {
      assert.equal(cmd, 'security');
      calls.push({ args, input: options?.input });
      if (args[0] === 'find-generic-password') {
        return item === null ? { code: 44, stdout: '', stderr: 'not found' } : { code: 0, stdout: item + '\n', stderr: '' };
      }
      if (args[0] === '-i') {
        const m = /^add-generic-password -U -a "([^"]+)" -s "([^"]+)" -X "([0-9a-f]+)"\n$/.exec(options?.input ?? '');
        assert.ok(m, 'interactive add command');
        item = Buffer.from(m[3] ?? '', 'hex').toString('utf8');
        return { code: 0, stdout: '', stderr: '' };
      }
      return { code: 1, stdout: '', stderr: '' };
    };
    fs.writeFileSync(sb.claudeJsonFile, claudeJsonText('alpha'));
    const m = manager(sb, { platform: 'darwin', runCommand: runner, store: new MemoryProfileStore() });
    const expectedService = `Claude Code-credentials-${createHash('sha256').update(sb.configDir).digest('hex').slice(0, 8)}`;
    assert.equal(keychainService({ env: sb.env }), expectedService);
    await m.add('alpha');
    item = credentialsText('beta');
    fs.writeFileSync(sb.claudeJsonFile, claudeJsonText('beta'));
    await m.add('beta');
    await m.switchTo('alpha');
    assert.equal(item, credentialsText('alpha'));
    assert.equal(fs.readFileSync(sb.claudeJsonFile, 'utf8'), claudeJsonText('alpha'));
    const find = calls.find((c) => c.args[0] === 'find-generic-password');
    assert.deepEqual(find?.args, ['find-generic-password', '-a', 'tester', '-w', '-s', expectedService]);
    // the secret never appears in argv
    for (const c of calls) assert.doesNotMatch(c.args.join(' '), SECRET_PATTERN);
    assert.equal(keychainService({ env: { HOME: sb.home } }), 'Claude Code-credentials');
    // a missing item means no login
    item = null;
    await expectError(manager(sb, { platform: 'darwin', runCommand: runner, store: new MemoryProfileStore() }).add('x'), 'no-login');
  });

  it('waits for a held Claude Code lock, then times out with a clear message', async () => {
    const m = await twoProfiles(sb);
    const lock = path.join(sb.configDir, '.oauth_refresh.lock');
    fs.mkdirSync(lock);
    const fast = manager(sb, { lockTimeoutMs: 300 });
    await expectError(fast.switchTo('work-beta'), 'lock-timeout', /\.oauth_refresh\.lock/);
    // a stale lock (mtime older than the stale period) is taken over
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(lock, old, old);
    const r = await fast.switchTo('work-beta');
    assert.equal(r.changed, true);
    assert.ok(!fs.existsSync(lock));
    assert.ok(!fs.existsSync(`${sb.configDir}.lock`));
    assert.ok(!fs.existsSync(`${sb.claudeJsonFile}.lock`));
    void m;
  });

  it('splices one key without touching other bytes', () => {
    const text = '{\n\t"a": 1e400,\n\t"oauthAccount": {"x": 1},\n\t"z": "\\u00e9"\n}';
    const out = setTopLevelKey(text, 'oauthAccount', { y: 2 }, 'f');
    assert.equal(out, '{\n\t"a": 1e400,\n\t"oauthAccount": {\n\t\t"y": 2\n\t},\n\t"z": "\\u00e9"\n}');
    assert.equal(setTopLevelKey('{}', 'k', 1, 'f'), '{"k":1}');
    assert.equal(setTopLevelKey('{"a":1}', 'k', [1], 'f'), '{"a":1,"k":[1]}');
    assert.equal(setTopLevelKey('{\n  "a": 1\n}\n', 'k', { b: 1 }, 'f'), '{\n  "a": 1,\n  "k": {\n    "b": 1\n  }\n}\n');
    assert.throws(() => setTopLevelKey('[]', 'k', 1, 'f'), /not a JSON object/);
  });

  it('journal lives in the state dir keyed by config dir', () => {
    assert.match(journalPath('/s', '/c'), /^\/s\/switch-journal-[0-9a-f]{8}\.json$/);
    void accountFor;
  });
});
