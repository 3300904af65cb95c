// Capture, switch, rename, remove and list saved Claude Code logins.
//
// Crash-safety of a switch (credentials C, `.claude.json` J):
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
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { AccountError, ioError } from './errors';
import { FileSnapshot, FsOps, defaultFs, ensurePrivateDir, isProcessAlive, readRegularFile, removeStaleTemps, writeFileAtomic } from './fileOps';
import { ClaudePaths, homeOf, keychainAccount, keychainService, resolveClaudePaths } from './claudePaths';
import { CommandRunner, FileCredentialsStore, KeychainCredentialsStore, LiveCredentialsStore, assertUnchanged } from './liveCredentials';
import { HeldLocks, LockSpec, acquireLocks, claudeLockSpecs } from './locks';
import { Journal, journalPath, readJournal, removeJournal, sha256, writeJournal } from './journal';
import { describeOverrides, findLoginOverrides, projectSettingsFiles, settingsFilesFor } from './overrides';
import { ProfileStore, profileSecretKey } from './profileStore';
import {
  AccountState,
  ClaudeJsonSchema,
  CredentialsDocumentSchema,
  OauthAccount,
  OauthTokens,
  ProfileMeta,
  ProfileSecret,
  ProfileSecretSchema,
  ProfilesDocument,
  UsageSnapshot,
  describeIssues,
} from './schemas';
import { Choice, SwitchStrategy, chooseNextAvailable, effectiveState } from './policy';
import { setTopLevelKey } from './jsonText';

export interface AccountManagerOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly store: ProfileStore;
  /** Journal, backups and lock-owner records. Share it between all frontends of one user. */
  readonly stateDir: string;
  readonly homeDir?: string;
  readonly platform?: NodeJS.Platform;
  readonly fs?: FsOps;
  /** Needed on macOS (Keychain access through `security`). */
  readonly runCommand?: CommandRunner;
  readonly lockTimeoutMs?: number;
  readonly backupsToKeep?: number;
  readonly now?: () => number;
  /** Settings files checked for apiKeyHelper/env overrides; defaults to the config dir's and managed ones. */
  readonly settingsFiles?: readonly string[];
  /** Test hook, called at named points of a switch (crash and fault injection). */
  readonly onStep?: (step: SwitchStep) => Promise<void> | void;
}

export type SwitchStep = 'locked' | 'journal-written' | 'credentials-written' | 'claude-json-written';

export interface ProfileView {
  readonly id: string;
  readonly label: string;
  readonly email: string;
  readonly organizationName: string | null;
  readonly plan: string | null;
  readonly state: AccountState;
  readonly active: boolean;
  readonly tokenExpiresAt: number | null;
  readonly tokenExpired: boolean;
  /** Last known usage per window, when recorded (the most-headroom and soonest-reset strategies read it). */
  readonly usage?: UsageSnapshot;
}

export interface SwitchOptions {
  /** Switch even though an env variable or apiKeyHelper overrides the stored login. */
  readonly ignoreOverrides?: boolean;
  /** Switch away from a login that is not saved in any profile (it stays only in the backups). */
  readonly allowUnsaved?: boolean;
  /** Folders the watched sessions run in: their project settings can override the login too. */
  readonly projectDirs?: readonly string[];
}

export interface SwitchResult {
  readonly changed: boolean;
  readonly from: string | null;
  readonly to: string;
  readonly warnings: string[];
  readonly backupPrefix: string | null;
}

export type RecoveryAction = 'none' | 'completed' | 'rolled-back' | 'unresolved';
export interface RecoveryResult {
  readonly action: RecoveryAction;
  readonly warnings: string[];
}

const LABEL_RE = /^[^\s\x00-\x1f\x7f-][^\x00-\x1f\x7f]{0,63}$/;

export function validateLabel(label: string): string {
  const l = label.trim();
  if (!LABEL_RE.test(l)) {
    throw new AccountError('invalid-label', 'A label must be 1–64 printable characters and must not start with "-"');
  }
  return l;
}

interface LiveState {
  creds: FileSnapshot | null;
  credsTokens: OauthTokens | null;
  json: FileSnapshot | null;
  account: OauthAccount | null;
}

export class AccountManager {
  readonly paths: ClaudePaths;
  readonly live: LiveCredentialsStore;
  readonly journalFile: string;
  readonly backupsDir: string;
  private readonly fs: FsOps;
  private readonly now: () => number;
  private readonly store: ProfileStore;

  constructor(private readonly opts: AccountManagerOptions) {
    this.fs = opts.fs ?? defaultFs;
    this.now = opts.now ?? Date.now;
    this.store = opts.store;
    this.paths = resolveClaudePaths({ env: opts.env, homeDir: opts.homeDir, platform: opts.platform });
    const platform = opts.platform ?? process.platform;
    if (platform === 'darwin') {
      if (!opts.runCommand) throw new AccountError('unsupported', 'Keychain access needs a command runner on macOS');
      const e = { env: opts.env, homeDir: opts.homeDir ?? homeOf({ env: opts.env }) };
      this.live = new KeychainCredentialsStore(opts.runCommand, keychainService(e), keychainAccount(e));
    } else {
      this.live = new FileCredentialsStore(this.fs, this.paths.credentialsFile);
    }
    this.journalFile = journalPath(opts.stateDir, this.paths.configDir);
    this.backupsDir = path.join(opts.stateDir, 'backups');
  }

  // ---- reading -------------------------------------------------------------------------------

  private async readLive(): Promise<LiveState> {
    const creds = await this.live.read();
    let credsTokens: OauthTokens | null = null;
    if (creds) {
      let raw: unknown;
      try {
        raw = JSON.parse(creds.text);
      } catch {
        throw new AccountError('malformed', `${this.live.location} is not valid JSON; nothing was changed`);
      }
      const res = CredentialsDocumentSchema.safeParse(raw);
      if (!res.success) throw new AccountError('malformed', `${this.live.location} has unexpected content (${describeIssues(res.error)}); nothing was changed`);
      // Keep the parsed object as read (not the schema output) so key order and unknown fields survive.
      credsTokens = res.data.claudeAiOauth ? ((raw as { claudeAiOauth: OauthTokens }).claudeAiOauth) : null;
    }
    const json = await readRegularFile(this.fs, this.paths.claudeJsonFile);
    let account: OauthAccount | null = null;
    if (json) {
      let raw: unknown;
      try {
        raw = JSON.parse(json.text);
      } catch {
        throw new AccountError('malformed', `${this.paths.claudeJsonFile} is not valid JSON; nothing was changed`);
      }
      const res = ClaudeJsonSchema.safeParse(raw);
      if (!res.success) throw new AccountError('malformed', `${this.paths.claudeJsonFile} has unexpected content (${describeIssues(res.error)}); nothing was changed`);
      account = res.data.oauthAccount ? ((raw as { oauthAccount: OauthAccount }).oauthAccount) : null;
    }
    return { creds, credsTokens, json, account };
  }

  private async readSecret(meta: ProfileMeta): Promise<ProfileSecret> {
    const text = await this.store.readSecret(profileSecretKey(meta.id));
    if (text === undefined) throw new AccountError('not-found', `The saved credentials of profile "${meta.label}" are missing from ${this.store.description}`);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new AccountError('malformed', `The saved credentials of profile "${meta.label}" are not valid JSON`);
    }
    const res = ProfileSecretSchema.safeParse(raw);
    if (!res.success) throw new AccountError('malformed', `The saved credentials of profile "${meta.label}" are invalid (${describeIssues(res.error)})`);
    return raw as ProfileSecret;
  }

  private findByLabel(doc: ProfilesDocument, label: string): ProfileMeta {
    const p = doc.profiles.find((x) => x.label === label);
    if (!p) throw new AccountError('not-found', `No profile named "${label}" (see \`accounts list\`)`);
    return p;
  }

  private static matchAccount(doc: ProfilesDocument, account: OauthAccount): ProfileMeta | undefined {
    return (
      doc.profiles.find((p) => p.accountUuid === account.accountUuid) ??
      doc.profiles.find((p) => p.email.toLowerCase() === account.emailAddress.toLowerCase())
    );
  }

  async list(): Promise<ProfileView[]> {
    const doc = await this.store.readMeta();
    let account: OauthAccount | null = null;
    try {
      account = (await this.readLive()).account;
    } catch {
      account = null; // listing must work even when the live files are damaged
    }
    const active = account ? AccountManager.matchAccount(doc, account) : undefined;
    const now = this.now();
    return doc.profiles.map((p) => ({
      id: p.id,
      label: p.label,
      email: p.email,
      organizationName: p.organizationName ?? null,
      plan: p.plan ?? null,
      state: effectiveState(p.state, now),
      active: active?.id === p.id,
      tokenExpiresAt: p.tokenExpiresAt ?? null,
      tokenExpired: typeof p.tokenExpiresAt === 'number' && p.tokenExpiresAt <= now,
      ...(p.usage ? { usage: p.usage } : {}),
    }));
  }

  // ---- locking and recovery ------------------------------------------------------------------

  private lockSpecs(): Promise<LockSpec[]> {
    return this.fs
      .realpath(this.paths.configDir)
      .catch(() => this.paths.configDir)
      .then((real) => claudeLockSpecs(real, this.paths.claudeJsonFile));
  }

  private async withLocks<T>(fn: () => Promise<T>): Promise<T> {
    await ensurePrivateDir(this.fs, this.opts.stateDir);
    try {
      await this.fs.mkdir(this.paths.configDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw ioError('create directory', this.paths.configDir, err);
    }
    const locks: HeldLocks = await acquireLocks(await this.lockSpecs(), {
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

  /** Finishes or undoes a switch that was interrupted (takes the locks itself). */
  recover(): Promise<RecoveryResult> {
    return this.withLocks(() => this.recoverLocked());
  }

  private async recoverLocked(): Promise<RecoveryResult> {
    const dirs = [path.dirname(this.paths.credentialsFile), path.dirname(this.paths.claudeJsonFile), this.opts.stateDir, this.backupsDir, path.join(this.opts.stateDir, 'lock-owners')];
    for (const dir of new Set(dirs)) await removeStaleTemps(this.fs, dir, isProcessAlive);
    // Switches killed after their backup step leave backups too; keep the bound regardless.
    await this.pruneBackups();
    const j = await readJournal(this.fs, this.journalFile);
    if (!j) return { action: 'none', warnings: [] };
    const creds = await this.live.read();
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
      await removeJournal(this.fs, this.journalFile);
      return {
        action: 'unresolved',
        warnings: [
          `An interrupted switch could not be matched to ${this.live.location} (it changed since); ` +
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
        const text = setTopLevelKey(json.text, 'oauthAccount', wantAccount, this.paths.claudeJsonFile);
        await writeFileAtomic(this.fs, this.paths.claudeJsonFile, text, {
          mode: 0o600,
          owner: { uid: json.uid, gid: json.gid },
          beforeRename: () => assertUnchanged(this.fs, this.paths.claudeJsonFile, json),
        });
      }
    }
    await removeJournal(this.fs, this.journalFile);
    return { action, warnings: [`Repaired an interrupted account switch (${action === 'completed' ? 'finished it' : 'undid it'})`] };
  }

  // ---- capture ---------------------------------------------------------------------------------

  private buildMeta(base: { id: string; label: string; state: AccountState }, account: OauthAccount, tokens: OauthTokens, prev?: ProfileMeta): ProfileMeta {
    return {
      ...(prev ?? {}),
      id: base.id,
      label: base.label,
      email: account.emailAddress,
      accountUuid: account.accountUuid,
      organizationUuid: account.organizationUuid ?? null,
      organizationName: account.organizationName ?? null,
      plan: tokens.subscriptionType ?? null,
      rateLimitTier: tokens.rateLimitTier ?? null,
      tokenExpiresAt: tokens.expiresAt,
      capturedAt: this.now(),
      oauthAccount: account,
      state: base.state,
    };
  }

  /** Saves the current login as a new profile. */
  add(label: string): Promise<ProfileView> {
    const l = validateLabel(label);
    return this.withLocks(async () => {
      await this.recoverLocked();
      // Read before the store lock: on macOS this asks the Keychain, which may wait for the user.
      const live = await this.readLive();
      const id = await this.store.exclusive(async () => {
        const doc = await this.store.readMeta();
        if (doc.profiles.some((p) => p.label === l)) throw new AccountError('exists', `A profile named "${l}" already exists`);
        if (!live.credsTokens) throw new AccountError('no-login', `No Claude Code login found in ${this.live.location}; run \`claude\` and /login first`);
        if (!live.account) throw new AccountError('no-login', `${this.paths.claudeJsonFile} has no oauthAccount; run \`claude\` once so it records who is logged in`);
        const existing = AccountManager.matchAccount(doc, live.account);
        if (existing) throw new AccountError('exists', `This login (${live.account.emailAddress}) is already saved as "${existing.label}"`);
        const meta = this.buildMeta({ id: randomBytes(8).toString('hex'), label: l, state: { kind: 'available' } }, live.account, live.credsTokens);
        // Secret first: metadata without its secret would be a profile that cannot be switched to.
        await this.store.writeSecret(profileSecretKey(meta.id), JSON.stringify({ claudeAiOauth: live.credsTokens }));
        await this.store.writeMeta({ ...doc, profiles: [...doc.profiles, meta] });
        return meta.id;
      });
      return (await this.list()).find((v) => v.id === id) as ProfileView;
    });
  }

  /**
   * Saves the live tokens into the profile of the logged-in account (Claude Code rotates refresh
   * tokens, so a profile captured earlier may hold a dead one). Returns the profile, if any.
   */
  private async recaptureLocked(live: LiveState): Promise<ProfileMeta | undefined> {
    const { account, credsTokens } = live;
    if (!account || !credsTokens) return undefined;
    return this.store.exclusive(async () => {
      const doc = await this.store.readMeta();
      const prof = AccountManager.matchAccount(doc, account);
      if (!prof) return undefined;
      const key = profileSecretKey(prof.id);
      const stored = await this.store.readSecret(key);
      let storedTokens: unknown;
      try {
        storedTokens = stored === undefined ? undefined : (JSON.parse(stored) as { claudeAiOauth?: unknown }).claudeAiOauth;
      } catch {
        storedTokens = undefined;
      }
      if (!isDeepStrictEqual(storedTokens, credsTokens)) {
        await this.store.writeSecret(key, JSON.stringify({ claudeAiOauth: credsTokens }));
      }
      const state: AccountState = prof.state.kind === 'expired' || prof.state.kind === 'invalid' ? { kind: 'available' } : prof.state;
      const meta = this.buildMeta({ id: prof.id, label: prof.label, state }, account, credsTokens, prof);
      if (isDeepStrictEqual({ ...meta, capturedAt: 0 }, { ...prof, capturedAt: 0 })) return prof;
      const fresh = await this.store.readMeta();
      await this.store.writeMeta({ ...fresh, profiles: fresh.profiles.map((p) => (p.id === prof.id ? meta : p)) });
      return meta;
    });
  }

  /** Re-captures the active login into its profile; returns its label or null when it is not saved. */
  refreshActiveProfile(): Promise<string | null> {
    return this.withLocks(async () => {
      await this.recoverLocked();
      const p = await this.recaptureLocked(await this.readLive());
      return p?.label ?? null;
    });
  }

  // ---- switch ----------------------------------------------------------------------------------

  async switchTo(label: string, options: SwitchOptions = {}): Promise<SwitchResult> {
    const warnings: string[] = [];
    const doc0 = await this.store.readMeta();
    const target0 = this.findByLabel(doc0, label);
    if (!options.ignoreOverrides) {
      const files = this.opts.settingsFiles ?? settingsFilesFor(this.paths.configDir, this.opts.platform ?? process.platform, projectSettingsFiles(options.projectDirs ?? []));
      const overrides = await findLoginOverrides(this.fs, this.opts.env, files);
      if (overrides.length > 0) throw new AccountError('override', describeOverrides(overrides));
    }
    return this.withLocks(async () => {
      await this.opts.onStep?.('locked');
      const rec = await this.recoverLocked();
      warnings.push(...rec.warnings);
      const live = await this.readLive();
      const target = this.findByLabel(await this.store.readMeta(), target0.label);
      const secret = await this.readSecret(target);

      // Outgoing account: keep its newest tokens before they are overwritten.
      let from: string | null = null;
      if (live.credsTokens) {
        const outgoing = rec.action === 'unresolved' ? undefined : await this.recaptureLocked(live);
        if (outgoing) {
          from = outgoing.label;
          if (outgoing.id === target.id) {
            return { changed: false, from, to: target.label, warnings, backupPrefix: null };
          }
        } else if (!options.allowUnsaved) {
          const who = live.account ? `(${live.account.emailAddress}) ` : '';
          throw new AccountError(
            'unsaved-login',
            `The current login ${who}is not saved in any profile; save it first with \`accounts add <label>\` (or use --force to switch anyway; it is kept only in a backup)`,
          );
        }
      }

      const now = this.now();
      if (secret.claudeAiOauth.expiresAt <= now) {
        warnings.push(
          `The saved access token of "${target.label}" expired at ${new Date(secret.claudeAiOauth.expiresAt).toISOString()}; ` +
            `Claude Code will try to refresh it, and if that fails you need to /login again`,
        );
      }

      const credsText = setTopLevelKey(live.creds?.text ?? '{}', 'claudeAiOauth', secret.claudeAiOauth, this.live.location);
      const jsonText = setTopLevelKey(live.json?.text ?? '{}', 'oauthAccount', target.oauthAccount, this.paths.claudeJsonFile);
      // Never write what would not read back as valid.
      if (!CredentialsDocumentSchema.safeParse(JSON.parse(credsText) as unknown).success || !ClaudeJsonSchema.safeParse(JSON.parse(jsonText) as unknown).success) {
        throw new AccountError('malformed', `The new content for ${this.live.location} did not validate; nothing was changed`);
      }

      const backupPrefix = await this.writeBackups(live);
      const journal: Journal = {
        version: 1,
        txid: randomBytes(6).toString('hex'),
        pid: process.pid,
        startedAt: now,
        phase: 'prepared',
        credentialsLocation: this.live.location,
        claudeJsonFile: this.paths.claudeJsonFile,
        oldCredentialsSha256: live.creds ? sha256(live.creds.text) : null,
        newCredentialsSha256: sha256(credsText),
        oldOauthAccount: live.account,
        newOauthAccount: target.oauthAccount,
        targetProfileId: target.id,
        backupPrefix,
      };
      await writeJournal(this.fs, this.journalFile, journal);
      await this.opts.onStep?.('journal-written');

      try {
        await this.live.write(credsText, live.creds);
      } catch (err) {
        await removeJournal(this.fs, this.journalFile);
        throw err;
      }
      await this.opts.onStep?.('credentials-written');
      try {
        await writeJournal(this.fs, this.journalFile, { ...journal, phase: 'credentials-written' });
        await writeFileAtomic(this.fs, this.paths.claudeJsonFile, jsonText, {
          mode: 0o600,
          owner: live.json ? { uid: live.json.uid, gid: live.json.gid } : undefined,
          beforeRename: () => assertUnchanged(this.fs, this.paths.claudeJsonFile, live.json),
        });
      } catch (err) {
        await this.rollbackCredentials(live, credsText);
        throw err;
      }
      await this.opts.onStep?.('claude-json-written');
      await removeJournal(this.fs, this.journalFile);
      await this.pruneBackups();
      return { changed: true, from, to: target.label, warnings, backupPrefix };
    });
  }

  private async rollbackCredentials(live: LiveState, written: string): Promise<void> {
    try {
      const nowCreds = await this.live.read();
      if (nowCreds && nowCreds.text === written) {
        if (live.creds) await this.live.write(live.creds.text, nowCreds);
        else await this.fs.unlink(this.paths.credentialsFile);
      }
      await removeJournal(this.fs, this.journalFile);
    } catch {
      // The journal stays; the next run finishes the switch instead.
    }
  }

  private async writeBackups(live: LiveState): Promise<string | null> {
    if (!live.creds && !live.json) return null;
    await ensurePrivateDir(this.fs, this.backupsDir);
    const stamp = new Date(this.now()).toISOString().replace(/[-:]/g, '').replace('.', '');
    const prefix = `${stamp}-${randomBytes(3).toString('hex')}`;
    if (live.creds) await writeFileAtomic(this.fs, path.join(this.backupsDir, `${prefix}.credentials.json`), live.creds.text, { mode: 0o600 });
    if (live.json) await writeFileAtomic(this.fs, path.join(this.backupsDir, `${prefix}.claude.json`), live.json.text, { mode: 0o600 });
    return prefix;
  }

  private async pruneBackups(): Promise<void> {
    const keep = this.opts.backupsToKeep ?? 10;
    let names: string[];
    try {
      names = await this.fs.readdir(this.backupsDir);
    } catch {
      return;
    }
    const prefixes = [...new Set(names.filter((n) => !n.startsWith('.')).map((n) => n.split('.')[0] ?? n))].sort();
    const drop = new Set(prefixes.slice(0, Math.max(0, prefixes.length - keep)));
    for (const n of names) {
      if (drop.has(n.split('.')[0] ?? n)) await this.fs.unlink(path.join(this.backupsDir, n)).catch(() => undefined);
    }
  }

  // ---- rename, remove, state -------------------------------------------------------------------

  // Each edit below reads the document, changes one profile and writes it back, under the store's lock
  // so that edits from several processes at once all land.

  async rename(oldLabel: string, newLabel: string): Promise<void> {
    const l = validateLabel(newLabel);
    return this.store.exclusive(async () => {
      const doc = await this.store.readMeta();
      const p = this.findByLabel(doc, oldLabel);
      if (p.label === l) return;
      if (doc.profiles.some((x) => x.label === l)) throw new AccountError('exists', `A profile named "${l}" already exists`);
      await this.store.writeMeta({ ...doc, profiles: doc.profiles.map((x) => (x.id === p.id ? { ...x, label: l } : x)) });
    });
  }

  /** Forgets a profile. The live login is not touched, even when it is the active one. */
  async remove(label: string): Promise<void> {
    return this.store.exclusive(async () => {
      const doc = await this.store.readMeta();
      const p = this.findByLabel(doc, label);
      // Metadata first: a leftover secret is harmless, a profile without secret is not.
      await this.store.writeMeta({ ...doc, profiles: doc.profiles.filter((x) => x.id !== p.id) });
      await this.store.deleteSecret(profileSecretKey(p.id));
    });
  }

  async setState(label: string, state: AccountState): Promise<void> {
    return this.store.exclusive(async () => {
      const doc = await this.store.readMeta();
      const p = this.findByLabel(doc, label);
      await this.store.writeMeta({ ...doc, profiles: doc.profiles.map((x) => (x.id === p.id ? { ...x, state } : x)) });
    });
  }

  /** Records a profile's measured usage (read by the most-headroom strategy). */
  async setUsage(label: string, usage: UsageSnapshot): Promise<void> {
    return this.store.exclusive(async () => {
      const doc = await this.store.readMeta();
      const p = this.findByLabel(doc, label);
      await this.store.writeMeta({ ...doc, profiles: doc.profiles.map((x) => (x.id === p.id ? { ...x, usage } : x)) });
    });
  }

  /** The profile to use next (by label), or null with the earliest time one frees up. */
  async chooseNext(strategy: SwitchStrategy): Promise<{ label: string | null; earliestAvailableAt: number | null }> {
    const views = await this.list();
    const doc = await this.store.readMeta();
    const current = views.find((v) => v.active)?.id ?? null;
    const choice: Choice = chooseNextAvailable(
      doc.profiles.map((p) => ({ id: p.id, state: p.state, usage: p.usage, tokenExpiresAt: p.tokenExpiresAt })),
      { strategy, now: this.now(), currentId: current },
    );
    return { label: doc.profiles.find((p) => p.id === choice.id)?.label ?? null, earliestAvailableAt: choice.earliestAvailableAt };
  }
}
