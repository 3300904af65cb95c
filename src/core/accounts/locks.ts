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

// Which lock directories are ours is told by the directory itself: we create ours with mode 0500, no
// write bit for the owner, atomically with mkdir. Claude Code (mkdir with 0777 less the umask) never
// makes one without it, so no record, timing or crash of ours can make its lock look like ours; a lock
// with the owner's write bit is judged only by Claude Code's own rule, its age.
export const OUR_LOCK_MODE = 0o500;

export function isOurLockMode(mode: number): boolean {
  return (mode & 0o200) === 0;
}

// Owner records: one file per acquisition attempt, `<hash of lock path>-<pid>-<nonce>.json` in the owner
// directory, removed when the attempt fails or the lock is released, so a waiter never overwrites the
// holder's record. The intent record is written before mkdir, then rewritten with the identity of the
// directory made (`made`). A lock of ours that no live process's record explains was left by a killed
// process and is taken at once.
const DirIdentitySchema = z.object({ dev: z.number(), ino: z.number(), birth: z.number() });
type DirIdentity = z.infer<typeof DirIdentitySchema>;
const OwnerRecordSchema = z.object({
  pid: z.number(),
  lockPath: z.string(),
  /** Wall-clock time just before mkdir. */
  at: z.number(),
  made: z.optional(DirIdentitySchema),
});
type OwnerRecord = z.infer<typeof OwnerRecordSchema>;

interface DirStat {
  readonly dev: number;
  readonly ino: number;
  readonly birthtimeMs: number;
  readonly ctimeMs: number;
}

/** Birth time where the file system keeps one; else the change time, which a removal and re-creation also moves. */
function identityOf(st: DirStat): DirIdentity {
  return { dev: st.dev, ino: st.ino, birth: st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs };
}

function sameIdentity(a: DirIdentity, b: DirIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.birth === b.birth;
}

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
async function acquireOne(spec: LockSpec, all: readonly LockSpec[], opts: LockOptions): Promise<string> {
  const { fs } = opts;
  const now = opts.now ?? Date.now;
  const record = newOwnerFile(opts.ownerDir, spec.path);
  const deadline = now() + opts.timeoutMs;
  for (;;) {
    // Every lock of the set, not only this one: a killed switch may have left the second lock while
    // Claude Code, holding the first, waits for it; freeing it lets Claude Code finish and let go.
    for (const s of all) await reclaimIfAbandoned(s, opts);
    // The record is written before mkdir: a kill between the two leaves a record that explains the lock.
    const at = now();
    await writeFileAtomic(fs, record, JSON.stringify({ pid: process.pid, lockPath: spec.path, at }), { durable: false });
    try {
      await fs.mkdir(spec.path, { mode: OUR_LOCK_MODE });
    } catch (err) {
      await fs.unlink(record).catch(() => undefined);
      if (errnoCode(err) !== 'EEXIST') throw ioError('create lock directory', spec.path, err);
      await waitOrFail(spec, opts, deadline);
      continue;
    }
    // Ours now: name the directory in the record, so a later waiter of ours tells this holder from a
    // stale intent record exactly.
    try {
      const made = identityOf(await fs.lstat(spec.path));
      await writeFileAtomic(fs, record, JSON.stringify({ pid: process.pid, lockPath: spec.path, at, made }), { durable: false });
    } catch (err) {
      await fs.rmdir(spec.path).catch(() => undefined);
      await fs.unlink(record).catch(() => undefined);
      throw ioError('record the owner of lock', spec.path, err);
    }
    return record;
  }
}

/** A lock held by someone else: removed once stale by its age (Claude Code's rule), else wait or time out. */
async function waitOrFail(spec: LockSpec, opts: LockOptions, deadline: number): Promise<void> {
  const { fs } = opts;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  let st;
  try {
    st = await fs.lstat(spec.path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return; // released meanwhile
    throw ioError('inspect lock', spec.path, err);
  }
  if (st.mtimeMs < now() - spec.staleMs) {
    await fs.rmdir(spec.path).catch(() => undefined);
    return;
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
    for (const spec of specs) held.push({ spec, record: await acquireOne(spec, specs, opts) });
  } catch (err) {
    await release();
    throw err;
  }
  return { release };
}

/**
 * Removes a lock directory of ours (see OUR_LOCK_MODE) that a killed process left behind, so a crash
 * mid-switch does not block the next switch for the whole stale period. A live process of ours holds
 * it when its record names this very directory, or is an intent record written right before the
 * directory appeared (a holder between mkdir and naming it). Records of dead processes are removed on
 * the way; a lock that is not ours is never touched here, whatever the records say.
 */
async function reclaimIfAbandoned(spec: LockSpec, opts: LockOptions): Promise<void> {
  const alive = opts.isAlive ?? isProcessAlive;
  let current: DirIdentity;
  let created: number;
  let ours: boolean;
  try {
    const st = await opts.fs.lstat(spec.path);
    if (!st.isDirectory()) return;
    current = identityOf(st);
    created = st.mtimeMs;
    ours = isOurLockMode(st.mode) && st.uid === (process.getuid?.() ?? st.uid);
  } catch {
    return; // absent: nothing to reclaim
  }
  const explains = (rec: OwnerRecord): boolean =>
    rec.made ? sameIdentity(rec.made, current) : created >= rec.at - 1000 && created <= rec.at + 5000;
  const prefix = ownerPrefix(spec.path);
  let names: string[];
  try {
    names = (await opts.fs.readdir(opts.ownerDir)).filter((n) => n.startsWith(prefix) && n.endsWith('.json'));
  } catch {
    return;
  }
  const dead: string[] = [];
  for (const name of names) {
    const file = path.join(opts.ownerDir, name);
    const rec = await readOwner(opts.fs, file);
    if (!rec || rec.lockPath !== spec.path) continue;
    // Our own process counts as alive: another of its calls may hold the lock.
    if (rec.pid === process.pid || alive(rec.pid)) {
      if (ours && explains(rec)) return;
      continue;
    }
    dead.push(file);
  }
  if (ours) {
    // Only the same directory, not one made since by someone else. The directory goes first: a kill
    // before the records go leaves records of dead processes, which explain nothing.
    try {
      const st = await opts.fs.lstat(spec.path);
      if (st.isDirectory() && sameIdentity(identityOf(st), current)) await opts.fs.rmdir(spec.path);
    } catch (err) {
      // Not removable now: the next attempt tries again; the stale period is the last resort.
      if (errnoCode(err) !== 'ENOENT') return;
    }
  }
  for (const file of dead) await opts.fs.unlink(file).catch(() => undefined);
}
