// Where saved logins live. Metadata (label, email, plan, expiry, state) is kept apart from the one
// secret per profile (its credentials JSON), so an editor can put metadata in ordinary storage and
// secrets in its secret store. The CLI uses FileProfileStore: one 0600 JSON file in a 0700 directory,
// which is weaker than an OS secret store (any process running as the user can read it). Several CLI
// processes may edit that file at once, so every read-modify-write of it runs under a lock directory.
import * as path from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import { AccountError, ioError } from './errors';
import { FsOps, defaultFs, ensurePrivateDir, readRegularFile, writeFileAtomic } from './fileOps';
import { LockSpec, acquireLocks } from './locks';
import { ProfilesDocument, ProfilesDocumentSchema, parseValidated } from './schemas';

/** Key of a profile's secret, stable across renames because it uses the profile id, not the label. */
export type ProfileSecretKey = `claude-quota.profile.${string}.credentials`;

export function profileSecretKey(profileId: string): ProfileSecretKey {
  return `claude-quota.profile.${profileId}.credentials`;
}

export interface ProfileStore {
  /** Human-readable description for messages. */
  readonly description: string;
  /** The file it keeps the profiles in, when it is one (watched for changes made elsewhere). */
  readonly file?: string;
  readMeta(): Promise<ProfilesDocument>;
  writeMeta(doc: ProfilesDocument): Promise<void>;
  /** The secret as stored (a JSON text validated by the caller), or undefined. */
  readSecret(key: ProfileSecretKey): Promise<string | undefined>;
  writeSecret(key: ProfileSecretKey, value: string): Promise<void>;
  deleteSecret(key: ProfileSecretKey): Promise<void>;
  /**
   * Runs `fn`, a read-modify-write of this store, while no other writer can change it. Nested calls
   * from inside `fn` run directly. Never take Claude Code's locks inside `fn` (they come first).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

export function emptyProfiles(): ProfilesDocument {
  return { version: 1, profiles: [] };
}

/** Parses and validates a metadata document; shared by every store implementation. */
export function parseProfilesDocument(text: string, where: string): ProfilesDocument {
  return parseValidated<ProfilesDocument>(text, ProfilesDocumentSchema, where);
}

interface FileStoreShape {
  meta: ProfilesDocument;
  secrets: Record<string, string>;
}

/** Longer than any edit holds it; a lock left by a killed process of ours is taken over at once anyway. */
export const PROFILES_LOCK_STALE_MS = 30_000;

export interface FileProfileStoreOptions {
  /** How long to wait for another process's edit; default 15 s. */
  readonly lockTimeoutMs?: number;
}

/** All profiles in `<dir>/profiles.json` (mode 0600, directory 0700), edited under `profiles.json.lock`. */
export class FileProfileStore implements ProfileStore {
  readonly file: string;
  readonly description: string;
  readonly lock: LockSpec;
  private readonly lockTimeoutMs: number;
  /** Set inside an exclusive section, so the store's own writes do not wait for the caller's lock. */
  private readonly locked = new AsyncLocalStorage<true>();
  constructor(
    readonly dir: string,
    private readonly fs: FsOps = defaultFs,
    options: FileProfileStoreOptions = {},
  ) {
    this.file = path.join(dir, 'profiles.json');
    this.description = this.file;
    this.lock = { path: `${this.file}.lock`, staleMs: PROFILES_LOCK_STALE_MS, holder: 'another claude-quota command is editing the saved profiles' };
    this.lockTimeoutMs = options.lockTimeoutMs ?? 15_000;
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.locked.getStore()) return fn();
    return this.locked.run(true, async () => {
      await ensurePrivateDir(this.fs, this.dir);
      // Same owner records as the switch locks, so a lock left by a killed process is reclaimed the same way.
      const held = await acquireLocks([this.lock], { fs: this.fs, ownerDir: path.join(this.dir, 'lock-owners'), timeoutMs: this.lockTimeoutMs });
      try {
        return await fn();
      } finally {
        await held.release();
      }
    });
  }

  private async load(): Promise<FileStoreShape> {
    const snap = await readRegularFile(this.fs, this.file);
    if (!snap) return { meta: emptyProfiles(), secrets: {} };
    // It holds tokens: a copy restored or created by hand with a wider mode is tightened on first read.
    if ((snap.mode & 0o077) !== 0) {
      try {
        await this.fs.chmod(this.file, 0o600);
      } catch (err) {
        throw ioError('restrict the permissions of', this.file, err);
      }
    }
    let raw: unknown;
    try {
      raw = JSON.parse(snap.text);
    } catch {
      throw new AccountError('malformed', `${this.file} is not valid JSON; fix or move it away`);
    }
    if (!raw || typeof raw !== 'object') throw new AccountError('malformed', `${this.file} is not a JSON object`);
    const obj = raw as { meta?: unknown; secrets?: unknown };
    const meta = parseProfilesDocument(JSON.stringify(obj.meta ?? emptyProfiles()), this.file);
    const secrets: Record<string, string> = {};
    if (obj.secrets !== undefined) {
      if (!obj.secrets || typeof obj.secrets !== 'object') throw new AccountError('malformed', `${this.file}: secrets is not an object`);
      for (const [k, v] of Object.entries(obj.secrets as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new AccountError('malformed', `${this.file}: secret ${k} is not a string`);
        secrets[k] = v;
      }
    }
    return { meta, secrets };
  }

  private async save(shape: FileStoreShape): Promise<void> {
    await ensurePrivateDir(this.fs, this.dir);
    try {
      await writeFileAtomic(this.fs, this.file, JSON.stringify(shape, null, 2) + '\n', { mode: 0o600 });
    } catch (err) {
      throw ioError('save profiles to', this.file, err);
    }
  }

  async readMeta(): Promise<ProfilesDocument> {
    return (await this.load()).meta;
  }

  // Metadata and secrets share the file, so each write below is itself a read-modify-write.
  writeMeta(doc: ProfilesDocument): Promise<void> {
    return this.exclusive(async () => {
      const shape = await this.load();
      await this.save({ meta: doc, secrets: shape.secrets });
    });
  }

  async readSecret(key: ProfileSecretKey): Promise<string | undefined> {
    return (await this.load()).secrets[key];
  }

  writeSecret(key: ProfileSecretKey, value: string): Promise<void> {
    return this.exclusive(async () => {
      const shape = await this.load();
      await this.save({ meta: shape.meta, secrets: { ...shape.secrets, [key]: value } });
    });
  }

  deleteSecret(key: ProfileSecretKey): Promise<void> {
    return this.exclusive(async () => {
      const shape = await this.load();
      if (!(key in shape.secrets)) return;
      const secrets = { ...shape.secrets };
      delete secrets[key];
      await this.save({ meta: shape.meta, secrets });
    });
  }
}

/** In-memory store, for tests and as the reference behaviour of the interface. */
export class MemoryProfileStore implements ProfileStore {
  readonly description = 'memory';
  private meta: ProfilesDocument = emptyProfiles();
  readonly secrets = new Map<string, string>();
  async readMeta(): Promise<ProfilesDocument> {
    return structuredClone(this.meta);
  }
  async writeMeta(doc: ProfilesDocument): Promise<void> {
    this.meta = structuredClone(doc);
  }
  async readSecret(key: ProfileSecretKey): Promise<string | undefined> {
    return this.secrets.get(key);
  }
  async writeSecret(key: ProfileSecretKey, value: string): Promise<void> {
    this.secrets.set(key, value);
  }
  async deleteSecret(key: ProfileSecretKey): Promise<void> {
    this.secrets.delete(key);
  }
  /** For tests, which drive it from one caller at a time: excludes nothing. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }
}
