// Many `claude-quota accounts` edits at once, each in its own process and all let go at the same moment:
// every edit must land, because each read-modify-write of profiles.json runs under the store's lock.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { bundleChild } from '../../../support/childBundle';
import { SUPPORT_OUT } from '../../../support/paths';
import { AccountManager } from '../../../../src/core/accounts/accountManager';
import { AccountError } from '../../../../src/core/accounts/errors';
import { FileProfileStore, profileSecretKey } from '../../../../src/core/accounts/profileStore';
import { SECRET_PATTERN, Sandbox, claudeJsonText, credentialsText, makeSandbox, removeSandbox } from '../../../support/accountsFixtures';

// Single-file bundles in a temp dir, so a concurrent rebuild of out/ cannot hand a child a half-written module.
const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-children-'));
function bundle(name: string): string {
  const outfile = path.join(bundleDir, `${name}.js`);
  return bundleChild(path.join(SUPPORT_OUT, `${name}.js`), outfile);
}
let CLI_CHILD = '';
let HOLDER_CHILD = '';

/** A Claude Code config dir of its own, logged in as `name`; returns the environment that uses it. */
function loginDir(sb: Sandbox, name: string): Record<string, string> {
  const dir = path.join(sb.root, `config-${name}`);
  fs.mkdirSync(dir, { mode: 0o700 });
  fs.writeFileSync(path.join(dir, '.credentials.json'), credentialsText(name), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, '.claude.json'), claudeJsonText(name), { mode: 0o600 });
  return { ...sb.env, CLAUDE_CONFIG_DIR: dir };
}

function manager(env: Record<string, string>, sb: Sandbox): AccountManager {
  return new AccountManager({ env, store: new FileProfileStore(sb.quotaHome), stateDir: sb.quotaHome, platform: 'linux', settingsFiles: [] });
}

interface Finished {
  argv: string[];
  code: number | null;
  out: string;
  err: string;
}

interface Started {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  done: Promise<Finished>;
}

/** Every child started, so a failed test leaves none behind. */
const running = new Set<ChildProcessWithoutNullStreams>();

function start(file: string, argv: string[], env: Record<string, string>, readyLine: string): Started {
  const child = spawn(process.execPath, [file, ...argv], { env: { ...env, PATH: process.env['PATH'] ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let markReady = (): void => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith(`${readyLine}\n`)) markReady();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  running.add(child);
  const done = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      markReady();
      resolve({ argv, code, out: out.replace(/^R\n/, ''), err });
    });
  });
  return { child, ready, done };
}

interface StoredFile {
  meta: { profiles: { id: string; label: string; email: string }[] };
  secrets: Record<string, string>;
}

function readStore(sb: Sandbox): StoredFile {
  return JSON.parse(fs.readFileSync(path.join(sb.quotaHome, 'profiles.json'), 'utf8')) as StoredFile;
}

describe('accounts CLI run concurrently', function () {
  this.timeout(120_000);
  let sb: Sandbox;
  before(() => {
    CLI_CHILD = bundle('accountsCliChild');
    HOLDER_CHILD = bundle('profilesLockHolderChild');
  });
  after(() => fs.rmSync(bundleDir, { recursive: true, force: true }));
  beforeEach(() => {
    sb = makeSandbox('cqs-concurrent-');
  });
  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
    running.clear();
    removeSandbox(sb);
  });

  it('keeps every one of 20 simultaneous renames, removes and adds', async () => {
    // 12 saved profiles, each from its own config dir (one login per dir).
    const saved = Array.from({ length: 12 }, (_, i) => `old${i}`);
    for (const name of saved) await manager(loginDir(sb, name), sb).add(name);
    const fresh = Array.from({ length: 8 }, (_, i) => `new${i}`);
    const jobs: { argv: string[]; env: Record<string, string> }[] = [
      ...saved.slice(0, 8).map((name, i) => ({ argv: ['accounts', 'rename', name, `renamed${i}`], env: sb.env })),
      ...saved.slice(8).map((name) => ({ argv: ['accounts', 'remove', name], env: sb.env })),
      // Each add uses its own config dir, so Claude Code's per-dir locks do not order them: only the store's lock does.
      ...fresh.map((name) => ({ argv: ['accounts', 'add', name], env: loginDir(sb, name) })),
    ];
    assert.equal(jobs.length, 20);

    const children = jobs.map((j) => start(CLI_CHILD, j.argv, j.env, 'R'));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin.end('go\n');
    const results = await Promise.all(children.map((c) => c.done));

    const output = results.map((r) => r.out + r.err).join('\n');
    assert.doesNotMatch(output, SECRET_PATTERN);
    assert.doesNotMatch(output, /accessToken|refreshToken/);
    const failed = results.filter((r) => r.code !== 0).map((r) => `${r.argv.join(' ')}: ${r.err.trim()}`);

    const store = readStore(sb);
    const labels = store.meta.profiles.map((p) => p.label).sort();
    const expected = [...Array.from({ length: 8 }, (_, i) => `renamed${i}`), ...fresh].sort();
    assert.deepEqual(labels, expected, `not every edit landed (failed commands: ${failed.join('; ') || 'none'})`);
    assert.deepEqual(failed, []);
    // Each profile still belongs to its account and holds that account's tokens; removed ones left no secret.
    for (const p of store.meta.profiles) {
      const name = p.label.startsWith('renamed') ? `old${p.label.slice('renamed'.length)}` : p.label;
      assert.equal(p.email, `${name}@example.test`, p.label);
      const secret = JSON.parse(store.secrets[profileSecretKey(p.id)] ?? '{}') as { claudeAiOauth?: { refreshToken?: string } };
      assert.equal(secret.claudeAiOauth?.refreshToken, `test-refresh-${name}-1`, `secret of ${p.label}`);
    }
    assert.deepEqual(Object.keys(store.secrets).sort(), store.meta.profiles.map((p) => profileSecretKey(p.id)).sort());
    // The CLI sees the same.
    const list = start(CLI_CHILD, ['accounts', 'list', '--json'], sb.env, 'R');
    await list.ready;
    list.child.stdin.end('go\n');
    const listed = await list.done;
    assert.equal(listed.code, 0, listed.err);
    assert.deepEqual((JSON.parse(listed.out) as { label: string }[]).map((p) => p.label).sort(), expected);
    assert.ok(!fs.existsSync(path.join(sb.quotaHome, 'profiles.json.lock')), 'lock released');
    assert.deepEqual(fs.readdirSync(sb.quotaHome).filter((n) => n.includes('cqs-tmp')), [], 'no temp files left');
  });

  /** Starts a lock-holder child and lets it go; resolves once it holds the store lock. */
  async function holdLock(): Promise<Started> {
    const holder = start(HOLDER_CHILD, [], sb.env, 'R');
    await holder.ready;
    const locked = new Promise<void>((resolve) => holder.child.stdout.on('data', (d: Buffer) => d.toString().includes('L') && resolve()));
    holder.child.stdin.end('go\n');
    await Promise.race([locked, holder.done.then((r) => Promise.reject(new Error(`holder exited: ${r.err}`)))]);
    return holder;
  }

  it('takes over at once the store lock of a killed process of ours', async () => {
    const holder = await holdLock();
    assert.ok(fs.existsSync(path.join(sb.quotaHome, 'profiles.json.lock')), 'the child holds the lock');
    holder.child.kill('SIGKILL');
    await holder.done;
    // Far shorter than the stale period: only the owner record of the dead process lets this through.
    const m = new AccountManager({
      env: loginDir(sb, 'alpha'),
      store: new FileProfileStore(sb.quotaHome, undefined, { lockTimeoutMs: 2_000 }),
      stateDir: sb.quotaHome,
      platform: 'linux',
      settingsFiles: [],
    });
    await m.add('a');
    await m.rename('a', 'b');
    assert.deepEqual(readStore(sb).meta.profiles.map((p) => p.label), ['b']);
    assert.ok(!fs.existsSync(path.join(sb.quotaHome, 'profiles.json.lock')));
  });

  it('does not take a live lock for abandoned when a process waiting for it is killed', async () => {
    const holder = await holdLock();
    const waiter = start(HOLDER_CHILD, [], sb.env, 'R');
    await waiter.ready;
    waiter.child.stdin.end('go\n');
    // Let the waiter try a few times, then kill it while it waits.
    await new Promise((resolve) => setTimeout(resolve, 150));
    waiter.child.kill('SIGKILL');
    await waiter.done;
    const impatient = new FileProfileStore(sb.quotaHome, undefined, { lockTimeoutMs: 300 });
    let ran = false;
    await assert.rejects(
      impatient.exclusive(async () => {
        ran = true;
      }),
      (err: unknown) => err instanceof AccountError && err.code === 'lock-timeout',
    );
    assert.equal(ran, false, 'the holder still holds the lock');
    holder.child.kill('SIGKILL');
    await holder.done;
  });

  it('lets a process that waits take over once the holder is killed', async () => {
    const holder = await holdLock();
    const waiter = start(HOLDER_CHILD, [], sb.env, 'R');
    await waiter.ready;
    const locked = new Promise<void>((resolve) => waiter.child.stdout.on('data', (d: Buffer) => d.toString().includes('L') && resolve()));
    waiter.child.stdin.end('go\n');
    await new Promise((resolve) => setTimeout(resolve, 150));
    holder.child.kill('SIGKILL');
    await holder.done;
    // The waiter's timeout (15 s) is shorter than the stale period (30 s): it gets the lock only by
    // recognising the dead holder.
    await Promise.race([locked, waiter.done.then((r) => Promise.reject(new Error(`waiter gave up: ${r.err}`)))]);
    waiter.child.kill('SIGKILL');
    await waiter.done;
  });

  it('waits for a held store lock, names it in the timeout message, and takes over a stale one', async () => {
    const m = manager(loginDir(sb, 'alpha'), sb);
    await m.add('a');
    const lock = path.join(sb.quotaHome, 'profiles.json.lock');
    fs.mkdirSync(lock);
    const impatient = new AccountManager({
      env: sb.env,
      store: new FileProfileStore(sb.quotaHome, undefined, { lockTimeoutMs: 300 }),
      stateDir: sb.quotaHome,
      platform: 'linux',
      settingsFiles: [],
    });
    await assert.rejects(impatient.rename('a', 'b'), (err: unknown) => {
      assert.ok(err instanceof AccountError && err.code === 'lock-timeout');
      assert.match(err.message, /profiles\.json\.lock \(another claude-quota command is editing the saved profiles\)/);
      return true;
    });
    assert.deepEqual(readStore(sb).meta.profiles.map((p) => p.label), ['a'], 'nothing changed while locked');
    // Older than the stale period: taken over.
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(lock, old, old);
    await impatient.rename('a', 'b');
    assert.deepEqual(readStore(sb).meta.profiles.map((p) => p.label), ['b']);
    assert.ok(!fs.existsSync(lock));
  });

  it('lets the store write inside its own exclusive section without waiting for itself', async () => {
    const store = new FileProfileStore(sb.quotaHome, undefined, { lockTimeoutMs: 300 });
    await store.exclusive(async () => {
      const doc = await store.readMeta();
      await store.writeSecret(profileSecretKey('x'), '{}');
      await store.writeMeta(doc);
      await store.exclusive(() => store.deleteSecret(profileSecretKey('x')));
    });
    assert.deepEqual(readStore(sb).secrets, {});
    assert.ok(!fs.existsSync(path.join(sb.quotaHome, 'profiles.json.lock')));
  });
});
