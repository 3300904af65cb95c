// Kills a process in the middle of switching, over and over, and checks that every file is always
// entirely old or entirely new, and that the journal repairs a half-done switch.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { bundleChild } from '../../../support/childBundle';
import { SUPPORT_OUT } from '../../../support/paths';
import { AccountManager } from '../../../../src/core/accounts/accountManager';
import { AccountError } from '../../../../src/core/accounts/errors';
import { FileProfileStore, profileSecretKey } from '../../../../src/core/accounts/profileStore';
import { Sandbox, claudeJsonText, credentialsText, makeSandbox, removeSandbox, writeLogin } from '../../../support/accountsFixtures';

import * as os from 'node:os';

// The children run from single-file bundles in a temp dir, so a concurrent rebuild of out/ cannot
// hand a child a half-written module.
const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-children-'));
function bundle(name: string): string {
  const outfile = path.join(bundleDir, `${name}.js`);
  return bundleChild(path.join(SUPPORT_OUT, `${name}.js`), outfile);
}
let CHILD = '';
let REFRESHER = '';
const KILLS = Number(process.env['ACCOUNTS_CRASH_KILLS'] ?? '1000');
const WORKERS = Number(process.env['ACCOUNTS_CRASH_WORKERS'] ?? '6');

function manager(sb: Sandbox): AccountManager {
  return new AccountManager({ env: sb.env, store: new FileProfileStore(sb.quotaHome), stateDir: sb.quotaHome, platform: 'linux', settingsFiles: [], lockTimeoutMs: 10_000 });
}

async function setup(): Promise<{ sb: Sandbox; m: AccountManager }> {
  const sb = makeSandbox('cqs-crash-');
  const m = manager(sb);
  writeLogin(sb, 'beta');
  await m.add('b');
  writeLogin(sb, 'alpha');
  await m.add('a');
  return { sb, m };
}

function readOrNull(f: string): string | null {
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : null;
}

interface Stats {
  kills: number;
  mixedBeforeRepair: number;
  newPairs: number;
  oldPairs: number;
}

/**
 * Starts the switching child and kills it a random 0..windowMs after it is ready (the window spans about
 * two switches on this machine, so kills land at every step); resolves once it is dead.
 */
function runAndKill(sb: Sandbox, windowMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, 'a', 'b'], { env: { ...sb.env, PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', () => {
      if (armed) return;
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), Math.random() * windowMs);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`child exited on its own (${code}): ${stderr}`));
    });
  });
}

async function worker(count: number, stats: Stats): Promise<void> {
  const { sb, m } = await setup();
  const creds = [credentialsText('alpha'), credentialsText('beta')];
  const jsons = [claudeJsonText('alpha'), claudeJsonText('beta')];
  const profilesFile = path.join(sb.quotaHome, 'profiles.json');
  try {
    // Calibrate the kill window to how long a switch takes here (fsync speed varies a lot).
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t = Date.now();
      await m.switchTo(i % 2 === 0 ? 'b' : 'a');
      times.push(Date.now() - t);
    }
    const windowMs = Math.max(15, 2 * (times.sort((x, y) => x - y)[2] ?? 15));
    for (let i = 0; i < count; i++) {
      await runAndKill(sb, windowMs);
      stats.kills++;
      // Before any repair: each file is exactly one of its two versions (so nothing else changed).
      const c = readOrNull(sb.credentialsFile);
      const j = readOrNull(sb.claudeJsonFile);
      const ci = creds.indexOf(c ?? '');
      const ji = jsons.indexOf(j ?? '');
      assert.ok(ci >= 0, `credentials torn or foreign after kill ${i}`);
      assert.ok(ji >= 0, `.claude.json torn or foreign after kill ${i}`);
      // Saved profiles are intact too, each still holding its own tokens.
      const store = JSON.parse(fs.readFileSync(profilesFile, 'utf8')) as { meta: { profiles: { id: string; label: string }[] }; secrets: Record<string, string> };
      for (const p of store.meta.profiles) {
        const secret = JSON.parse(store.secrets[profileSecretKey(p.id)] ?? '{}') as { claudeAiOauth?: { refreshToken?: string } };
        assert.equal(secret.claudeAiOauth?.refreshToken, p.label === 'a' ? 'test-refresh-alpha-1' : 'test-refresh-beta-1');
      }
      if (ci !== ji) {
        stats.mixedBeforeRepair++;
        assert.ok(fs.existsSync(m.journalFile), 'a half-done switch always has a journal');
      }
      await m.recover();
      const c2 = readOrNull(sb.credentialsFile);
      const j2 = readOrNull(sb.claudeJsonFile);
      const ci2 = creds.indexOf(c2 ?? '');
      assert.ok(ci2 >= 0);
      assert.equal(j2, jsons[ci2], 'after repair, identity matches credentials');
      if (ci2 !== ci) stats.oldPairs++;
      else stats.newPairs++;
      assert.ok(!fs.existsSync(m.journalFile));
      for (const dir of [sb.configDir, sb.quotaHome, path.join(sb.quotaHome, 'backups')]) {
        assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('cqs-tmp')), [], `temp files cleaned in ${dir}`);
      }
      for (const lock of [path.join(sb.configDir, '.oauth_refresh.lock'), `${sb.configDir}.lock`, `${sb.claudeJsonFile}.lock`]) {
        assert.ok(!fs.existsSync(lock), `lock ${lock} released or reclaimed`);
      }
    }
    // Still fully working afterwards.
    const r = await m.switchTo('b');
    assert.ok(r.changed || r.to === 'b');
    assert.ok(!fs.existsSync(path.join(sb.quotaHome, 'profiles.json.lock')), 'profile store lock released or reclaimed');
    const backups = fs.readdirSync(path.join(sb.quotaHome, 'backups'));
    assert.ok(backups.filter((n) => !n.startsWith('.')).length <= 20, `backups not bounded: ${backups.join(' ')}`);
  } finally {
    removeSandbox(sb);
  }
}

interface LockStats {
  kills: number;
  rotations: number;
  removedLocks: number;
  crossFiled: number;
  generationBehind: number;
}

/** Whose tokens a credentials text holds (alpha or beta), from the fixture's token names. */
function tokenOwner(text: string | undefined): string | null {
  const rt = (JSON.parse(text ?? '{}') as { claudeAiOauth?: { refreshToken?: string } }).claudeAiOauth?.refreshToken ?? '';
  return /^test-refresh-([a-z]+)-\d+$/.exec(rt)?.[1] ?? null;
}

/**
 * Switches killed at random moments, many of them while they wait for the locks a refresher that
 * behaves like Claude Code holds: counts locks removed under it and tokens filed under another profile.
 */
async function lockWorker(count: number, stats: LockStats): Promise<void> {
  const { sb, m } = await setup();
  const stopFile = path.join(sb.root, 'stop-refresher');
  const refresher = spawn(process.execPath, [REFRESHER, stopFile, '6'], { env: { ...sb.env, PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  refresher.stdout.on('data', (d: Buffer) => (out += d.toString()));
  refresher.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => refresher.on('exit', (code) => resolve(code)));
  try {
    for (let i = 0; i < count; i++) {
      await runAndKill(sb, 40);
      stats.kills++;
      const store = JSON.parse(fs.readFileSync(path.join(sb.quotaHome, 'profiles.json'), 'utf8')) as { meta: { profiles: { id: string; label: string }[] }; secrets: Record<string, string> };
      for (const p of store.meta.profiles) {
        if (tokenOwner(store.secrets[profileSecretKey(p.id)]) !== (p.label === 'a' ? 'alpha' : 'beta')) stats.crossFiled++;
      }
      if (i % 10 === 9) await m.recover();
    }
  } finally {
    // A switch first takes over any lock a killed one left (the refresher, unlike Claude Code, never
    // judges a lock stale), so the refresher can finish its round.
    await m.switchTo('a').catch(() => undefined);
    fs.writeFileSync(stopFile, '');
    const code = await exited;
    removeSandbox(sb);
    assert.equal(code, 0, err);
  }
  const summary = JSON.parse(out) as { violations: string[]; rotations: number; removedLocks: number };
  stats.rotations += summary.rotations;
  stats.removedLocks += summary.removedLocks;
  stats.generationBehind += summary.violations.length - summary.removedLocks;
}

describe('accounts crash safety', function () {
  this.timeout(600_000);
  before(() => {
    CHILD = bundle('accountsSwitchChild');
    REFRESHER = bundle('accountsRefresherChild');
  });
  after(() => fs.rmSync(bundleDir, { recursive: true, force: true }));

  it(`survives ${KILLS} SIGKILLs at random moments of a switch`, async () => {
    const stats: Stats = { kills: 0, mixedBeforeRepair: 0, newPairs: 0, oldPairs: 0 };
    const started = Date.now();
    const per = Math.ceil(KILLS / WORKERS);
    await Promise.all(Array.from({ length: WORKERS }, () => worker(per, stats)));
    assert.ok(stats.kills >= KILLS);
    // The kills must actually land inside switches: some between the two renames.
    assert.ok(stats.mixedBeforeRepair > 0, `no kill landed between the renames: ${JSON.stringify(stats)}`);
    console.log(`      ${stats.kills} kills in ${((Date.now() - started) / 1000).toFixed(1)} s; half-done switches repaired: ${stats.mixedBeforeRepair}`);
  });

  it(`never removes a lock Claude Code holds nor files a login under another profile, over ${KILLS} kills of waiting switches`, async () => {
    const stats: LockStats = { kills: 0, rotations: 0, removedLocks: 0, crossFiled: 0, generationBehind: 0 };
    const per = Math.ceil(KILLS / WORKERS);
    await Promise.all(Array.from({ length: WORKERS }, () => lockWorker(per, stats)));
    assert.ok(stats.kills >= KILLS && stats.rotations > 0, JSON.stringify(stats));
    assert.equal(stats.removedLocks, 0, `locks removed under Claude Code: ${JSON.stringify(stats)}`);
    assert.equal(stats.crossFiled, 0, `tokens filed under another profile: ${JSON.stringify(stats)}`);
    console.log(`      ${stats.kills} kills beside ${stats.rotations} refreshes; a consumed token put back live: ${stats.generationBehind}`);
  });

  it('with a writer that ignores the locks, refuses or recovers, and never files one account\'s tokens under another', async () => {
    const { sb, m } = await setup();
    try {
      const stopFile = path.join(sb.root, 'stop-refresher');
      const child = spawn(process.execPath, [REFRESHER, stopFile, '0', 'nolock'], { env: { ...sb.env, PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const outcomes: Record<string, number> = {};
      const end = Date.now() + 2500;
      for (let i = 0; Date.now() < end || i < 30; i++) {
        let outcome = 'switched';
        try {
          await m.switchTo(i % 2 === 0 ? 'b' : 'a');
        } catch (e) {
          assert.ok(e instanceof AccountError, String(e));
          outcome = e.code;
        }
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        const store = JSON.parse(fs.readFileSync(path.join(sb.quotaHome, 'profiles.json'), 'utf8')) as { meta: { profiles: { id: string; label: string }[] }; secrets: Record<string, string> };
        for (const p of store.meta.profiles) {
          assert.equal(tokenOwner(store.secrets[profileSecretKey(p.id)]), p.label === 'a' ? 'alpha' : 'beta', `profile ${p.label} after ${JSON.stringify(outcomes)}`);
        }
      }
      fs.writeFileSync(stopFile, '');
      assert.equal(await exited, 0, err);
      assert.ok((outcomes['switched'] ?? 0) > 0, JSON.stringify(outcomes));
      for (const k of Object.keys(outcomes)) assert.ok(['switched', 'changed-concurrently', 'unsaved-login'].includes(k), `unexpected outcome ${k}: ${JSON.stringify(outcomes)}`);
      console.log(`      outcomes beside a lock-ignoring writer: ${JSON.stringify(outcomes)}`);
    } finally {
      removeSandbox(sb);
    }
  });

  it('keeps the newest rotated tokens while Claude Code refreshes concurrently', async function () {
    const { sb, m } = await setup();
    try {
      const stopFile = path.join(sb.root, 'stop-refresher');
      const child = spawn(process.execPath, [REFRESHER, stopFile], { env: { ...sb.env, PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let switches = 0;
      const end = Date.now() + 2000;
      while (Date.now() < end || switches < 20) {
        await m.switchTo(switches % 2 === 0 ? 'b' : 'a');
        switches++;
        const live = JSON.parse(fs.readFileSync(sb.credentialsFile, 'utf8')) as { claudeAiOauth: { accessToken: string; refreshToken: string } };
        assert.ok(live.claudeAiOauth.accessToken && live.claudeAiOauth.refreshToken, 'no blanked tokens');
      }
      fs.writeFileSync(stopFile, '');
      assert.equal(await exited, 0, err);
      const summary = JSON.parse(out) as { issued: Record<string, number>; violations: string[]; rotations: number };
      assert.deepEqual(summary.violations, [], 'a consumed refresh token was put back live');
      assert.ok(summary.rotations >= 10 && switches >= 20, `too little interleaving: ${summary.rotations} rotations, ${switches} switches`);
      await m.refreshActiveProfile();
      const store = JSON.parse(fs.readFileSync(path.join(sb.quotaHome, 'profiles.json'), 'utf8')) as { meta: { profiles: { id: string; label: string }[] }; secrets: Record<string, string> };
      for (const p of store.meta.profiles) {
        const name = p.label === 'a' ? 'alpha' : 'beta';
        const secret = JSON.parse(store.secrets[profileSecretKey(p.id)] ?? '{}') as { claudeAiOauth: { refreshToken: string } };
        assert.equal(secret.claudeAiOauth.refreshToken, `test-refresh-${name}-${summary.issued[name]}`, `profile ${p.label} holds the newest refresh token`);
      }
    } finally {
      removeSandbox(sb);
    }
  });
});
