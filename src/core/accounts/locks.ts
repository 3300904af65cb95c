// Mutual exclusion with Claude Code. Claude Code 2.1.330 uses proper-lockfile style locks: a directory
// created with mkdir next to the thing it protects, considered stale once its mtime is older than the
// stale period. It takes `<config>/.oauth_refresh.lock` and then the legacy `<config>.lock` around a
// token refresh (stale 60 s), and `<.claude.json>.lock` around config writes (stale 10 s, the
// proper-lockfile default). Taking all three, in that order, excludes both kinds of writer.
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
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

// Owner records: one file per acquisition attempt, `<hash of lock path>-<pid>-<nonce>.json` in the owner
// directory, written before mkdir and removed when the attempt fails or the lock is released. So a
// waiter never overwrites the holder's record, and a lock whose every record names a dead process of
// ours (and was created just after that record) was left by a killed process and can be taken at once.
const OwnerRecordSchema = z.object({
  pid: z.number(),
  lockPath: z.string(),
  /** Wall-clock time just before mkdir. */
  at: z.number(),
});
type OwnerRecord = z.infer<typeof OwnerRecordSchema>;

function ownerPrefix(lockPath: string): string {
  return `${createHash('sha256').update(lockPath).digest('hex').slice(0, 16)}-`;
}

function newOwnerFile(ownerDir: string, lockPath: string): string {
  return path.join(ownerDir, `${ownerPrefix(lockPath)}${process.pid}-${randomBytes(4).toString('hex')}.json`);
}

async function readOwner(fs: FsOps, file: string): Promise<OwnerRecord | null> {
  try {
    const res = OwnerRecordSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
    return res.success ? res.data : null;
  } catch {
    return null; // missing or torn record: treat as no record
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Takes one lock; returns the owner record to remove on release. */
async function acquireOne(spec: LockSpec, opts: LockOptions): Promise<string> {
  const { fs } = opts;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const record = newOwnerFile(opts.ownerDir, spec.path);
  const deadline = now() + opts.timeoutMs;
  for (;;) {
    await reclaimIfAbandoned(spec, opts);
    // The record is written before mkdir: a kill between the two leaves a record that explains the lock.
    const at = now();
    await writeFileAtomic(fs, record, JSON.stringify({ pid: process.pid, lockPath: spec.path, at }), { durable: false });
    try {
      await fs.mkdir(spec.path);
      return record;
    } catch (err) {
      await fs.unlink(record).catch(() => undefined);
      if (errnoCode(err) !== 'EEXIST') throw ioError('create lock directory', spec.path, err);
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
  const held: { spec: LockSpec; record: string }[] = [];
  const release = async () => {
    for (const { spec, record } of [...held].reverse()) {
      await opts.fs.rmdir(spec.path).catch(() => undefined);
      await opts.fs.unlink(record).catch(() => undefined);
    }
    held.length = 0;
  };
  try {
    for (const spec of specs) held.push({ spec, record: await acquireOne(spec, opts) });
  } catch (err) {
    await release();
    throw err;
  }
  return { release };
}

/**
 * Removes a lock directory that a killed process of ours left behind: a dead process's record was
 * written right before the directory was created, and no live process has such a record. Records of
 * live processes written at other times belong to waiters, which hold nothing (every attempt writes
 * one and removes it when mkdir fails), so they do not keep a lock alive. Without this, a crash
 * mid-switch would block the next switch for the whole stale period. Records of dead processes are
 * removed on the way.
 */
async function reclaimIfAbandoned(spec: LockSpec, opts: LockOptions): Promise<void> {
  const alive = opts.isAlive ?? isProcessAlive;
  let created: number;
  try {
    const st = await opts.fs.lstat(spec.path);
    if (!st.isDirectory()) return;
    created = st.mtimeMs;
  } catch {
    return; // absent: nothing to reclaim
  }
  const madeBy = (at: number): boolean => created >= at - 1000 && created <= at + 5000;
  const prefix = ownerPrefix(spec.path);
  let names: string[];
  try {
    names = (await opts.fs.readdir(opts.ownerDir)).filter((n) => n.startsWith(prefix) && n.endsWith('.json'));
  } catch {
    return;
  }
  const dead: { file: string; at: number }[] = [];
  for (const name of names) {
    const file = path.join(opts.ownerDir, name);
    const rec = await readOwner(opts.fs, file);
    if (!rec || rec.lockPath !== spec.path) continue;
    // Our own process counts as alive: another of its calls may hold the lock.
    if (rec.pid === process.pid || alive(rec.pid)) {
      if (madeBy(rec.at)) return;
      continue;
    }
    dead.push({ file, at: rec.at });
  }
  for (const { file, at } of dead) {
    if (madeBy(at)) {
      // The directory first, then its record: a kill in between leaves a record that still explains
      // the lock. Only the same directory: not one a live process created since another process of
      // ours took this one away.
      try {
        const st = await opts.fs.lstat(spec.path);
        if (st.isDirectory() && st.mtimeMs === created) await opts.fs.rmdir(spec.path);
      } catch (err) {
        // Not removable now: keep the record for the next attempt; the stale period is the last resort.
        if (errnoCode(err) !== 'ENOENT') continue;
      }
    }
    await opts.fs.unlink(file).catch(() => undefined);
  }
}
