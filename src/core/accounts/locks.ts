// Mutual exclusion with Claude Code. Claude Code 2.1.330 uses proper-lockfile style locks: a directory
// created with mkdir next to the thing it protects, considered stale once its mtime is older than the
// stale period. It takes `<config>/.oauth_refresh.lock` and then the legacy `<config>.lock` around a
// token refresh (stale 60 s), and `<.claude.json>.lock` around config writes (stale 10 s, the
// proper-lockfile default). Taking all three, in that order, excludes both kinds of writer.
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { AccountError, errnoCode, ioError } from './errors';
import { FsOps, ensurePrivateDir, isProcessAlive, writeFileAtomic } from './fileOps';

export interface LockSpec {
  readonly path: string;
  readonly staleMs: number;
  /** Who takes this lock, for the timeout message; defaults to Claude Code. */
  readonly holder?: string;
}

export const REFRESH_LOCK_NAME = '.oauth_refresh.lock';
export const REFRESH_LOCK_STALE_MS = 60_000;
export const CONFIG_LOCK_STALE_MS = 10_000;

/** The locks Claude Code uses for this config dir, in the order it takes them. */
export function claudeLockSpecs(configDirReal: string, claudeJsonPath: string): LockSpec[] {
  return [
    { path: path.join(configDirReal, REFRESH_LOCK_NAME), staleMs: REFRESH_LOCK_STALE_MS },
    { path: `${configDirReal}.lock`, staleMs: REFRESH_LOCK_STALE_MS },
    { path: `${claudeJsonPath}.lock`, staleMs: CONFIG_LOCK_STALE_MS },
  ];
}

export interface LockOptions {
  fs: FsOps;
  /** Where owner records live, so a lock left by a killed process of ours can be taken over at once. */
  ownerDir: string;
  timeoutMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  isAlive?: (pid: number) => boolean;
}

export interface HeldLocks {
  release(): Promise<void>;
}

interface OwnerRecord {
  pid: number;
  lockPath: string;
  /** Wall-clock time just before mkdir. */
  at: number;
}

function ownerFile(ownerDir: string, lockPath: string): string {
  return path.join(ownerDir, `${createHash('sha256').update(lockPath).digest('hex').slice(0, 16)}.json`);
}

async function readOwner(fs: FsOps, file: string): Promise<OwnerRecord | null> {
  try {
    const v = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<OwnerRecord>;
    if (typeof v.pid === 'number' && typeof v.lockPath === 'string' && typeof v.at === 'number') return v as OwnerRecord;
  } catch {
    // missing or torn record: treat as no record
  }
  return null;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function acquireOne(spec: LockSpec, opts: LockOptions): Promise<void> {
  const { fs } = opts;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const record = ownerFile(opts.ownerDir, spec.path);
  const deadline = now() + opts.timeoutMs;
  for (;;) {
    // The record is written before mkdir: a kill between the two leaves a record that explains the lock.
    const at = now();
    await writeFileAtomic(fs, record, JSON.stringify({ pid: process.pid, lockPath: spec.path, at }), { durable: false });
    try {
      await fs.mkdir(spec.path);
      return;
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') {
        await fs.unlink(record).catch(() => undefined);
        throw ioError('create lock directory', spec.path, err);
      }
    }
    let st;
    try {
      st = await fs.lstat(spec.path);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') continue; // released meanwhile
      throw ioError('inspect lock', spec.path, err);
    }
    if (st.mtimeMs < now() - spec.staleMs) {
      await fs.rmdir(spec.path).catch(() => undefined);
      continue;
    }
    if (now() >= deadline) {
      await fs.unlink(record).catch(() => undefined);
      throw new AccountError(
        'lock-timeout',
        `Timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for the lock ${spec.path} ` +
          `(${spec.holder ?? 'Claude Code holds it while it refreshes its login or saves settings'}). Try again; if no Claude Code ` +
          `or claude-quota process is running and it persists, remove that directory.`,
      );
    }
    await sleep(20 + Math.floor(Math.random() * 40));
  }
}

export async function acquireLocks(specs: readonly LockSpec[], opts: LockOptions): Promise<HeldLocks> {
  await ensurePrivateDir(opts.fs, opts.ownerDir);
  const held: LockSpec[] = [];
  const release = async () => {
    for (const spec of [...held].reverse()) {
      await opts.fs.rmdir(spec.path).catch(() => undefined);
      await opts.fs.unlink(ownerFile(opts.ownerDir, spec.path)).catch(() => undefined);
    }
    held.length = 0;
  };
  try {
    for (const spec of specs) {
      await reclaimIfOurs(spec, opts);
      await acquireOne(spec, opts);
      held.push(spec);
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { release };
}

/**
 * Removes a lock directory that a killed process of ours left behind, recognised by its owner record:
 * the recorded process is gone and the directory was created right after the record was written.
 * Without this, a crash mid-switch would block the next switch for the whole stale period.
 */
async function reclaimIfOurs(spec: LockSpec, opts: LockOptions): Promise<void> {
  const alive = opts.isAlive ?? isProcessAlive;
  const record = ownerFile(opts.ownerDir, spec.path);
  const prev = await readOwner(opts.fs, record);
  if (!prev || prev.lockPath !== spec.path || prev.pid === process.pid || alive(prev.pid)) return;
  try {
    const st = await opts.fs.lstat(spec.path);
    if (st.isDirectory() && st.mtimeMs >= prev.at - 1000 && st.mtimeMs <= prev.at + 5000) {
      await opts.fs.rmdir(spec.path);
    }
  } catch {
    // absent or not removable: the normal wait/stale logic decides
  }
  await opts.fs.unlink(record).catch(() => undefined);
}
