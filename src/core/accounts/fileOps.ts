// Careful file primitives: reads that refuse symlinks, and atomic writes (temp file in the same
// directory, fsync, rename, fsync of the directory) that keep the original owner and a 0600 mode.
import * as nodeFs from 'node:fs/promises';
import { constants } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AccountError, errnoCode, ioError } from './errors';

/** The subset of node:fs/promises used here; injectable so tests can simulate a full disk and such. */
export type FsOps = Pick<
  typeof nodeFs,
  'lstat' | 'stat' | 'readFile' | 'open' | 'rename' | 'unlink' | 'mkdir' | 'rmdir' | 'readdir' | 'chmod' | 'realpath'
>;

export const defaultFs: FsOps = nodeFs;

export interface FileSnapshot {
  readonly text: string;
  /** The bytes as read: what a splice keeps where the text would have replaced invalid UTF-8. */
  readonly bytes: Buffer;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly ino: number;
  readonly mtimeMs: number;
  readonly size: number;
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** Reads a regular file; null when it does not exist. Symlinks and other file types are refused. */
export async function readRegularFile(fs: FsOps, file: string): Promise<FileSnapshot | null> {
  let st;
  try {
    st = await fs.lstat(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw ioError('inspect', file, err);
  }
  if (st.isSymbolicLink()) {
    throw new AccountError('symlink', `${file} is a symbolic link; refusing to follow it (replace it with a regular file)`);
  }
  if (!st.isFile()) throw new AccountError('not-regular-file', `${file} is not a regular file`);
  let handle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | O_NOFOLLOW);
  } catch (err) {
    if (errnoCode(err) === 'ELOOP') {
      throw new AccountError('symlink', `${file} is a symbolic link; refusing to follow it`);
    }
    if (errnoCode(err) === 'ENOENT') return null;
    throw ioError('open', file, err);
  }
  try {
    const fst = await handle.stat();
    const bytes = await handle.readFile();
    return { text: bytes.toString('utf8'), bytes, mode: fst.mode & 0o7777, uid: fst.uid, gid: fst.gid, ino: fst.ino, mtimeMs: fst.mtimeMs, size: fst.size };
  } catch (err) {
    throw ioError('read', file, err);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Marker in temp-file names, so leftovers of a killed writer can be recognised and removed. */
export const TEMP_MARKER = '.cqs-tmp-';

export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
}

export async function fsyncDir(fs: FsOps, dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch (err) {
    // Some filesystems cannot fsync a directory; the rename itself has happened either way.
    const code = errnoCode(err);
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'ENOTSUP') throw ioError('sync directory', dir, err);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export interface AtomicWriteOptions {
  mode?: number;
  /** Owner to keep (the replaced file's); only applied when it differs from the writing process. */
  owner?: { uid: number; gid: number };
  /** fsync file and directory (default). Off only for records that need not survive a power loss. */
  durable?: boolean;
  /** Called after the temp file is durable and just before the rename (crash tests, change checks). */
  beforeRename?: () => Promise<void>;
}

/**
 * Writes `text` to `file` so that any observer (and any crash) sees either the old or the new content
 * in full. On failure before the rename, the temp file is removed and `file` is untouched.
 */
export async function writeFileAtomic(fs: FsOps, file: string, text: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const mode = opts.mode ?? 0o600;
  const tmp = tempPathFor(file);
  let handle;
  try {
    handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, mode);
  } catch (err) {
    throw ioError('create a temporary file next to', file, err);
  }
  let renamed = false;
  try {
    try {
      await handle.writeFile(text);
      const myUid = typeof process.getuid === 'function' ? process.getuid() : undefined;
      if (opts.owner && myUid !== undefined && (opts.owner.uid !== myUid || opts.owner.gid !== (process.getgid?.() ?? opts.owner.gid))) {
        await handle.chown(opts.owner.uid, opts.owner.gid);
      }
      await handle.chmod(mode);
      if (opts.durable !== false) await handle.sync();
    } catch (err) {
      throw ioError('write', file, err);
    } finally {
      await handle.close().catch(() => undefined);
    }
    if (opts.beforeRename) await opts.beforeRename();
    try {
      await fs.rename(tmp, file);
    } catch (err) {
      throw ioError('replace', file, err);
    }
    renamed = true;
    if (opts.durable !== false) await fsyncDir(fs, path.dirname(file));
  } finally {
    if (!renamed) await fs.unlink(tmp).catch(() => undefined);
  }
}

/** Creates a private directory (0700) if needed; refuses a symlink in its place. */
export async function ensurePrivateDir(fs: FsOps, dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw ioError('create directory', dir, err);
  }
  const st = await fs.lstat(dir).catch((err: unknown) => {
    throw ioError('inspect', dir, err);
  });
  if (st.isSymbolicLink()) throw new AccountError('symlink', `${dir} is a symbolic link; refusing to use it`);
  if (!st.isDirectory()) throw new AccountError('not-regular-file', `${dir} is not a directory`);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    await fs.chmod(dir, 0o700).catch((err: unknown) => {
      throw ioError('restrict permissions of', dir, err);
    });
  }
}

/** Removes temp files that killed writers (dead processes) of ours left in `dir`. */
export async function removeStaleTemps(fs: FsOps, dir: string, isAlive: (pid: number) => boolean): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const at = name.indexOf(TEMP_MARKER);
    if (!name.startsWith('.') || at < 0) continue;
    const pid = Number(name.slice(at + TEMP_MARKER.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)) {
      await fs.unlink(path.join(dir, name)).catch(() => undefined);
    }
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}
