// The switch transaction: replaces the live login (credentials C, `.claude.json` J) under Claude Code's
// locks, and finishes or undoes one that a crash interrupted.
//
// Crash-safety of a switch:
//   1. take Claude Code's lock directories (refresh locks, then the config lock);
//   2. finish or undo any half-done earlier switch recorded in the journal;
//   3. read and validate C and J; save the outgoing account's current tokens into its profile;
//   4. build the new texts (only `claudeAiOauth` / `oauthAccount` change) and validate them;
//   5. back up the old C and J; write the journal (hashes and identities, no secrets), fsync;
//   6. replace C (temp, fsync, rename, fsync dir); mark the journal `credentials-written`;
//   7. replace J the same way; if that fails, put the old C back;
//   8. remove the journal, release the locks.
// Each rename is atomic, so a SIGKILL leaves each file entirely old or entirely new. A kill between the
// two renames leaves new credentials with the old identity in J; the journal is still there, and the next
// switch, capture or `recover()` writes the new identity into J (roll forward, because the new tokens
// are live and Claude Code may already have rotated them). A kill before the first rename leaves both
// files old and the journal is simply dropped.
// Steps 1, 2 and 4–8 are here; step 3 is the account manager's, which drives the transaction.
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { AccountError, ioError } from './errors';
import { FsOps, ensurePrivateDir, isProcessAlive, readRegularFile, removeStaleTemps, writeFileAtomic } from './fileOps';
import { ClaudePaths } from './claudePaths';
import { LiveCredentialsStore, LiveLogin, assertUnchanged } from './liveCredentials';
import { HeldLocks, acquireLocks, claudeLockSpecs } from './locks';
import { Journal, readJournal, removeJournal, sha256, writeJournal } from './journal';
import { ClaudeJsonSchema, CredentialsDocumentSchema, OauthAccount, OauthTokens } from './schemas';
import { setTopLevelKey, setTopLevelKeyInBytes } from './jsonText';

export type SwitchStep = 'locked' | 'journal-written' | 'credentials-written' | 'claude-json-written';

export type RecoveryAction = 'none' | 'completed' | 'rolled-back' | 'unresolved';
export interface RecoveryResult {
  readonly action: RecoveryAction;
  readonly warnings: string[];
}

export interface SwitchTransactionOptions {
  readonly fs: FsOps;
  readonly paths: ClaudePaths;
  readonly live: LiveCredentialsStore;
  /** Journal, backups and lock-owner records. */
  readonly stateDir: string;
  readonly journalFile: string;
  readonly backupsDir: string;
  readonly now: () => number;
  readonly lockTimeoutMs?: number;
  readonly backupsToKeep?: number;
  /** Backups older than this are removed whatever their number (default 30 days). */
  readonly backupMaxAgeMs?: number;
  /** Test hook, called at named points of a switch (crash and fault injection). */
  readonly onStep?: (step: SwitchStep) => Promise<void> | void;
}

/** The login to put live: the saved tokens and the identity that goes with them. */
export interface IncomingLogin {
  readonly tokens: OauthTokens;
  readonly account: OauthAccount;
  readonly profileId: string;
}

export class SwitchTransaction {
  constructor(private readonly opts: SwitchTransactionOptions) {}

  private get fs(): FsOps {
    return this.opts.fs;
  }

  private get paths(): ClaudePaths {
    return this.opts.paths;
  }

  /** Steps 1 and 8: runs `fn` holding Claude Code's locks for this config dir. */
  async withLocks<T>(fn: () => Promise<T>): Promise<T> {
    await ensurePrivateDir(this.fs, this.opts.stateDir);
    try {
      await this.fs.mkdir(this.paths.configDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw ioError('create directory', this.paths.configDir, err);
    }
    const real = await this.fs.realpath(this.paths.configDir).catch(() => this.paths.configDir);
    const locks: HeldLocks = await acquireLocks(claudeLockSpecs(real, this.paths.claudeJsonFile), {
      fs: this.fs,
      ownerDir: path.join(this.opts.stateDir, 'lock-owners'),
      timeoutMs: this.opts.lockTimeoutMs ?? 15_000,
    });
    try {
      return await fn();
    } finally {
      await locks.release();
    }
  }

  /** Step 2, with the locks held: finishes or undoes a switch that was interrupted. */
  async recoverLocked(): Promise<RecoveryResult> {
    const { stateDir } = this.opts;
    const dirs = [path.dirname(this.paths.credentialsFile), path.dirname(this.paths.claudeJsonFile), stateDir, this.opts.backupsDir, path.join(stateDir, 'lock-owners')];
    for (const dir of new Set(dirs)) await removeStaleTemps(this.fs, dir, isProcessAlive);
    // Switches killed after their backup step leave backups too; keep the bound regardless.
    await this.pruneBackups();
    const j = await readJournal(this.fs, this.opts.journalFile);
    if (!j) return { action: 'none', warnings: [] };
    const creds = await this.opts.live.read();
    const json = await readRegularFile(this.fs, this.paths.claudeJsonFile);
    const credsHash = creds ? sha256(creds.text) : null;
    let action: RecoveryAction;
    let wantAccount: OauthAccount | null;
    if (credsHash === j.newCredentialsSha256 || (j.phase === 'credentials-written' && credsHash !== j.oldCredentialsSha256)) {
      // New credentials are live (possibly already refreshed by Claude Code): finish the switch.
      action = 'completed';
      wantAccount = j.newOauthAccount;
    } else if (credsHash === j.oldCredentialsSha256) {
      action = 'rolled-back';
      wantAccount = j.oldOauthAccount;
    } else {
      await removeJournal(this.fs, this.opts.journalFile);
      return {
        action: 'unresolved',
        warnings: [
          `An interrupted switch could not be matched to ${this.opts.live.location} (it changed since); ` +
            `check \`claude /status\` and log in again if the account is not the one you expect`,
        ],
      };
    }
    if (wantAccount && json) {
      let have: unknown = null;
      try {
        have = (JSON.parse(json.text) as { oauthAccount?: unknown }).oauthAccount ?? null;
      } catch {
        throw new AccountError('malformed', `${this.paths.claudeJsonFile} is not valid JSON; cannot finish the interrupted switch`);
      }
      if (!isDeepStrictEqual(have, wantAccount)) {
        const text = setTopLevelKeyInBytes(json.bytes, 'oauthAccount', wantAccount, this.paths.claudeJsonFile);
        await writeFileAtomic(this.fs, this.paths.claudeJsonFile, text, {
          mode: 0o600,
          owner: { uid: json.uid, gid: json.gid },
          beforeRename: () => assertUnchanged(this.fs, this.paths.claudeJsonFile, json),
        });
      }
    }
    await removeJournal(this.fs, this.opts.journalFile);
    return { action, warnings: [`Repaired an interrupted account switch (${action === 'completed' ? 'finished it' : 'undid it'})`] };
  }

  /**
   * Steps 4 to 8 (but for releasing the locks), with the locks held: replaces `live`, as read under
   * them, with `incoming`. Returns the prefix of the backups, or null when there was nothing to back up.
   */
  async replaceLogin(live: LiveLogin, incoming: IncomingLogin): Promise<string | null> {
    const { fs, paths } = this;
    const store = this.opts.live;
    const credsText = setTopLevelKey(live.creds?.text ?? '{}', 'claudeAiOauth', incoming.tokens, store.location);
    const jsonBytes = setTopLevelKeyInBytes(live.json?.bytes ?? Buffer.from('{}'), 'oauthAccount', incoming.account, paths.claudeJsonFile);
    // Never write what would not read back as valid.
    if (!CredentialsDocumentSchema.safeParse(JSON.parse(credsText) as unknown).success || !ClaudeJsonSchema.safeParse(JSON.parse(jsonBytes.toString('utf8')) as unknown).success) {
      throw new AccountError('malformed', `The new content for ${store.location} did not validate; nothing was changed`);
    }

    const backupPrefix = await this.writeBackups(live);
    const journal: Journal = {
      version: 1,
      txid: randomBytes(6).toString('hex'),
      pid: process.pid,
      startedAt: this.opts.now(),
      phase: 'prepared',
      credentialsLocation: store.location,
      claudeJsonFile: paths.claudeJsonFile,
      oldCredentialsSha256: live.creds ? sha256(live.creds.text) : null,
      newCredentialsSha256: sha256(credsText),
      oldOauthAccount: live.account,
      newOauthAccount: incoming.account,
      targetProfileId: incoming.profileId,
      backupPrefix,
    };
    await writeJournal(fs, this.opts.journalFile, journal);
    await this.opts.onStep?.('journal-written');

    try {
      await store.write(credsText, live.creds);
    } catch (err) {
      await removeJournal(fs, this.opts.journalFile);
      throw err;
    }
    await this.opts.onStep?.('credentials-written');
    try {
      await writeJournal(fs, this.opts.journalFile, { ...journal, phase: 'credentials-written' });
      await writeFileAtomic(fs, paths.claudeJsonFile, jsonBytes, {
        mode: 0o600,
        owner: live.json ? { uid: live.json.uid, gid: live.json.gid } : undefined,
        beforeRename: () => assertUnchanged(fs, paths.claudeJsonFile, live.json),
      });
    } catch (err) {
      await this.rollbackCredentials(live, credsText);
      throw err;
    }
    await this.opts.onStep?.('claude-json-written');
    await removeJournal(fs, this.opts.journalFile);
    await this.pruneBackups();
    return backupPrefix;
  }

  private async rollbackCredentials(live: LiveLogin, written: string): Promise<void> {
    try {
      const nowCreds = await this.opts.live.read();
      if (nowCreds && nowCreds.text === written) {
        if (live.creds) await this.opts.live.write(live.creds.text, nowCreds);
        else await this.fs.unlink(this.paths.credentialsFile);
      }
      await removeJournal(this.fs, this.opts.journalFile);
    } catch {
      // The journal stays; the next run finishes the switch instead.
    }
  }

  private async writeBackups(live: LiveLogin): Promise<string | null> {
    if (!live.creds && !live.json) return null;
    const dir = this.opts.backupsDir;
    await ensurePrivateDir(this.fs, dir);
    const stamp = new Date(this.opts.now()).toISOString().replace(/[-:]/g, '').replace('.', '');
    const prefix = `${stamp}-${randomBytes(3).toString('hex')}`;
    if (live.creds) await writeFileAtomic(this.fs, path.join(dir, `${prefix}.credentials.json`), live.creds.text, { mode: 0o600 });
    if (live.json) await writeFileAtomic(this.fs, path.join(dir, `${prefix}.claude.json`), live.json.bytes, { mode: 0o600 });
    return prefix;
  }

  private async pruneBackups(): Promise<void> {
    const keep = this.opts.backupsToKeep ?? 10;
    const oldest = this.opts.now() - (this.opts.backupMaxAgeMs ?? BACKUP_MAX_AGE_MS);
    const names = await this.backupNames();
    const prefixes = [...new Set(names.map(prefixOf))].sort();
    const drop = new Set(prefixes.slice(0, Math.max(0, prefixes.length - keep)));
    for (const prefix of prefixes) {
      if (drop.has(prefix)) continue;
      const st = await this.fs.lstat(path.join(this.opts.backupsDir, `${prefix}.credentials.json`)).catch(() => null);
      const stJson = st ?? (await this.fs.lstat(path.join(this.opts.backupsDir, `${prefix}.claude.json`)).catch(() => null));
      if (stJson && stJson.mtimeMs < oldest) drop.add(prefix);
    }
    await this.removeBackupPrefixes(names, drop);
  }

  /**
   * Removes every backup that holds the login of a removed profile: a pair whose `.claude.json`
   * names that identity (account and organisation), or whose credentials hold its saved tokens.
   * Returns how many backups (pairs) went.
   */
  async removeBackupsOf(account: OauthAccount, tokens: OauthTokens | null): Promise<number> {
    const names = await this.backupNames();
    const drop = new Set<string>();
    for (const prefix of new Set(names.map(prefixOf))) {
      const json = await this.readBackup(`${prefix}.claude.json`);
      const creds = await this.readBackup(`${prefix}.credentials.json`);
      const who = (json?.['oauthAccount'] ?? null) as { accountUuid?: unknown; organizationUuid?: unknown } | null;
      const sameIdentity = who !== null && who.accountUuid === account.accountUuid && (who.organizationUuid ?? null) === (account.organizationUuid ?? null);
      const held = (creds?.['claudeAiOauth'] ?? null) as { accessToken?: unknown; refreshToken?: unknown } | null;
      const sameTokens = tokens !== null && held !== null && (held.refreshToken === tokens.refreshToken || held.accessToken === tokens.accessToken);
      if (sameIdentity || sameTokens) drop.add(prefix);
    }
    await this.removeBackupPrefixes(names, drop);
    return drop.size;
  }

  private async backupNames(): Promise<string[]> {
    try {
      return (await this.fs.readdir(this.opts.backupsDir)).filter((n) => !n.startsWith('.'));
    } catch {
      return [];
    }
  }

  private async readBackup(name: string): Promise<Record<string, unknown> | null> {
    try {
      const snap = await readRegularFile(this.fs, path.join(this.opts.backupsDir, name));
      const v: unknown = snap ? JSON.parse(snap.text) : null;
      return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
    } catch {
      return null; // unreadable or not JSON: judged by its pair, or kept
    }
  }

  private async removeBackupPrefixes(names: readonly string[], drop: ReadonlySet<string>): Promise<void> {
    for (const n of names) {
      if (drop.has(prefixOf(n))) await this.fs.unlink(path.join(this.opts.backupsDir, n)).catch(() => undefined);
    }
  }
}

export const BACKUP_MAX_AGE_MS = 30 * 24 * 3_600_000;

function prefixOf(name: string): string {
  return name.split('.')[0] ?? name;
}
