// The live login: Claude Code's credentials file, or its macOS Keychain item.
import { AccountError } from './errors';
import { FileSnapshot, FsOps, readRegularFile, writeFileAtomic } from './fileOps';
import { ClaudeJsonSchema, CredentialsDocumentSchema, OauthAccount, OauthTokens, parseValidated } from './schemas';

/** Runs a command without a shell; `input` goes to stdin. Injected so Keychain access is testable. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  options?: { input?: string },
) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface LiveCredentialsStore {
  /** Human-readable location for messages (a path, or the Keychain item's name). */
  readonly location: string;
  readonly kind: 'file' | 'keychain';
  read(): Promise<FileSnapshot | null>;
  /**
   * Replaces the credentials in one atomic step. `previous` is what was read under the lock; the write
   * is refused if the store changed since (another writer ignored the lock).
   */
  write(text: string, previous: FileSnapshot | null, beforeCommit?: () => Promise<void>): Promise<void>;
  /**
   * Something that changes whenever the stored login does, read without the secret (the Keychain
   * item's modification date); absent for a file, whose stat says as much.
   */
  changeKey?(): Promise<string>;
}

export class FileCredentialsStore implements LiveCredentialsStore {
  readonly kind = 'file' as const;
  constructor(
    private readonly fs: FsOps,
    readonly location: string,
  ) {}

  read(): Promise<FileSnapshot | null> {
    return readRegularFile(this.fs, this.location);
  }

  async write(text: string, previous: FileSnapshot | null, beforeCommit?: () => Promise<void>): Promise<void> {
    await writeFileAtomic(this.fs, this.location, text, {
      mode: 0o600,
      owner: previous ? { uid: previous.uid, gid: previous.gid } : undefined,
      beforeRename: async () => {
        await assertUnchanged(this.fs, this.location, previous);
        if (beforeCommit) await beforeCommit();
      },
    });
  }
}

/** The live login as read: both files as they were, and what they say (null where absent). */
export interface LiveLogin {
  readonly creds: FileSnapshot | null;
  readonly credsTokens: OauthTokens | null;
  readonly json: FileSnapshot | null;
  readonly account: OauthAccount | null;
}

const NOTHING_CHANGED = '; nothing was changed';

/** Reads and validates the credentials and `.claude.json`; refuses either when malformed. */
export async function readLiveLogin(live: LiveCredentialsStore, fs: FsOps, claudeJsonFile: string): Promise<LiveLogin> {
  const creds = await live.read();
  const credsDoc = creds ? parseValidated<{ claudeAiOauth?: OauthTokens }>(creds.text, CredentialsDocumentSchema, live.location, NOTHING_CHANGED) : null;
  const json = await readRegularFile(fs, claudeJsonFile);
  const jsonDoc = json ? parseValidated<{ oauthAccount?: OauthAccount }>(json.text, ClaudeJsonSchema, claudeJsonFile, NOTHING_CHANGED) : null;
  return { creds, credsTokens: credsDoc?.claudeAiOauth ?? null, json, account: jsonDoc?.oauthAccount ?? null };
}

/** Refuses to replace a file that changed (or appeared, or became a symlink) since it was read. */
export async function assertUnchanged(fs: FsOps, file: string, previous: FileSnapshot | null): Promise<void> {
  const now = await readRegularFile(fs, file);
  const same = previous === null ? now === null : now !== null && now.ino === previous.ino && now.text === previous.text;
  if (!same) {
    throw new AccountError('changed-concurrently', `${file} changed while switching (another program wrote it); nothing was changed, try again`);
  }
}

/** Exit code of `security` when the item does not exist. */
const SECURITY_NOT_FOUND = 44;
/** `security -i` reads commands line by line; longer lines go through argv instead, as Claude Code does. */
const INTERACTIVE_LIMIT = 4000;

export class KeychainCredentialsStore implements LiveCredentialsStore {
  readonly kind = 'keychain' as const;
  readonly location: string;
  constructor(
    private readonly run: CommandRunner,
    private readonly service: string,
    private readonly account: string,
  ) {
    this.location = `macOS Keychain item "${service}" (account "${account}")`;
  }

  /** The item's attributes without its secret (no -w): its modification date ("mdat"), or "absent". */
  async changeKey(): Promise<string> {
    const res = await this.run('security', ['find-generic-password', '-a', this.account, '-s', this.service]);
    if (res.code !== 0) return `absent:${res.code}`;
    return /"mdat"<timedate>=([^\n]*)/.exec(res.stdout)?.[1]?.trim() ?? 'unknown';
  }

  async read(): Promise<FileSnapshot | null> {
    let res;
    try {
      res = await this.run('security', ['find-generic-password', '-a', this.account, '-w', '-s', this.service]);
    } catch {
      throw new AccountError('io', `Could not run the security tool to read the ${this.location}`);
    }
    if (res.code === SECURITY_NOT_FOUND) return null;
    if (res.code !== 0) throw new AccountError('io', `Could not read the ${this.location} (security exited with ${res.code})`);
    const text = res.stdout.replace(/\r?\n$/, '');
    return { text, bytes: Buffer.from(text, 'utf8'), mode: 0o600, uid: -1, gid: -1, ino: 0, mtimeMs: 0, size: text.length };
  }

  async write(text: string, previous: FileSnapshot | null, beforeCommit?: () => Promise<void>): Promise<void> {
    const now = await this.read();
    if ((previous?.text ?? null) !== (now?.text ?? null)) {
      throw new AccountError('changed-concurrently', `The ${this.location} changed while switching; nothing was changed, try again`);
    }
    if (beforeCommit) await beforeCommit();
    // Hex (-X) keeps quotes and newlines of the JSON out of the command syntax; stdin keeps the
    // secret out of the process list.
    const hex = Buffer.from(text, 'utf8').toString('hex');
    const line = `add-generic-password -U -a "${this.account}" -s "${this.service}" -X "${hex}"\n`;
    let res;
    try {
      res =
        line.length <= INTERACTIVE_LIMIT
          ? await this.run('security', ['-i'], { input: line })
          : await this.run('security', ['add-generic-password', '-U', '-a', this.account, '-s', this.service, '-X', hex]);
    } catch {
      throw new AccountError('io', `Could not run the security tool to write the ${this.location}`);
    }
    if (res.code !== 0) throw new AccountError('io', `Could not write the ${this.location} (security exited with ${res.code})`);
  }
}
