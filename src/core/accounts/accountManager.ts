// Capture, switch, rename, remove and list saved Claude Code logins: the facade of the account layer.
// A switch itself (locks, journal, backups, recovery) is the switch transaction's.
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { AccountError } from './errors';
import { displayLabel, labelMatches, validateLabel } from './labels';
import { escapeForDisplay } from '../base/displayText';
import { FsOps, defaultFs } from './fileOps';
import { ClaudePaths, homeOf, keychainAccount, keychainService, resolveClaudePaths } from './claudePaths';
import { CommandRunner, FileCredentialsStore, KeychainCredentialsStore, LiveCredentialsStore, LiveLogin, readLiveLogin } from './liveCredentials';
import { journalPath } from './journal';
import { describeOverrides, findLoginOverrides, projectSettingsFiles, settingsFilesFor } from './overrides';
import { ProfileStore, profileSecretKey } from './profileStore';
import { AccountState, OauthAccount, OauthTokens, ProfileMeta, ProfileSecret, ProfileSecretSchema, ProfilesDocument, UsageSnapshot, describeIssues } from './schemas';
import { Choice, SwitchStrategy, chooseNextAvailable, effectiveState } from './policy';
import { RecoveryResult, SwitchStep, SwitchTransaction } from './switchTransaction';
import { attributeLiveTokens, ledgerPath, readLedger, recordLive, recordPending, sameIdentity } from './attribution';

/** What a re-capture did: the profile saved into, or why the live tokens were filed under none. */
interface Recapture {
  readonly profile: ProfileMeta | undefined;
  readonly unattributed?: { readonly profile: ProfileMeta; readonly reason: string };
}

export type { RecoveryAction, RecoveryResult, SwitchStep } from './switchTransaction';
export { displayLabel, validateLabel } from './labels';

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

export class AccountManager {
  readonly paths: ClaudePaths;
  readonly live: LiveCredentialsStore;
  readonly journalFile: string;
  readonly backupsDir: string;
  private readonly fs: FsOps;
  private readonly now: () => number;
  private readonly store: ProfileStore;
  private readonly tx: SwitchTransaction;

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
    this.tx = new SwitchTransaction({
      fs: this.fs,
      paths: this.paths,
      live: this.live,
      stateDir: opts.stateDir,
      journalFile: this.journalFile,
      backupsDir: this.backupsDir,
      now: this.now,
      lockTimeoutMs: opts.lockTimeoutMs,
      backupsToKeep: opts.backupsToKeep,
      onStep: opts.onStep,
    });
  }

  // ---- reading -------------------------------------------------------------------------------

  private readLive(): Promise<LiveLogin> {
    return readLiveLogin(this.live, this.fs, this.paths.claudeJsonFile);
  }

  private async readSecret(meta: ProfileMeta): Promise<ProfileSecret> {
    const text = await this.store.readSecret(profileSecretKey(meta.id));
    if (text === undefined) throw new AccountError('not-found', `The saved credentials of profile "${displayLabel(meta.label)}" are missing from ${this.store.description}`);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new AccountError('malformed', `The saved credentials of profile "${displayLabel(meta.label)}" are not valid JSON`);
    }
    const res = ProfileSecretSchema.safeParse(raw);
    if (!res.success) throw new AccountError('malformed', `The saved credentials of profile "${displayLabel(meta.label)}" are invalid (${describeIssues(res.error)})`);
    return raw as ProfileSecret;
  }

  private findByLabel(doc: ProfilesDocument, label: string): ProfileMeta {
    const p = doc.profiles.find((x) => x.label === label) ?? doc.profiles.find((x) => labelMatches(x.label, label));
    if (!p) throw new AccountError('not-found', `No profile named "${displayLabel(label)}" (see \`accounts list\`)`);
    return p;
  }

  /** The profile of an identity: account and organisation (one email in two organisations is two). */
  private static matchAccount(doc: ProfilesDocument, account: OauthAccount): ProfileMeta | undefined {
    const sameOrg = (p: ProfileMeta): boolean => (p.organizationUuid ?? null) === (account.organizationUuid ?? null);
    return (
      doc.profiles.find((p) => sameIdentity(p, account)) ??
      doc.profiles.find((p) => sameOrg(p) && p.email.toLowerCase() === account.emailAddress.toLowerCase())
    );
  }

  /**
   * What the live login (identity and refresh token) and the saved profiles say now, as a hash: it
   * changes when another window, the CLI or Claude Code itself changes either.
   */
  async fingerprint(): Promise<string> {
    let live = 'unreadable';
    try {
      const l = await this.readLive();
      live = JSON.stringify([l.account?.accountUuid ?? null, l.account?.organizationUuid ?? null, l.credsTokens?.refreshToken ?? null]);
    } catch {
      // a damaged or half-written login reads as its own state; the next change is compared with it
    }
    const meta = JSON.stringify(await this.store.readMeta());
    return createHash('sha256').update(live).update('\0').update(meta).digest('hex');
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
      label: displayLabel(p.label),
      email: escapeForDisplay(p.email),
      organizationName: p.organizationName === undefined || p.organizationName === null ? null : escapeForDisplay(p.organizationName),
      plan: p.plan ?? null,
      state: effectiveState(p.state, now),
      active: active?.id === p.id,
      tokenExpiresAt: p.tokenExpiresAt ?? null,
      tokenExpired: typeof p.tokenExpiresAt === 'number' && p.tokenExpiresAt <= now,
      ...(p.usage ? { usage: p.usage } : {}),
    }));
  }

  // ---- recovery ------------------------------------------------------------------------------

  /** Finishes or undoes a switch that was interrupted (takes the locks itself). */
  recover(): Promise<RecoveryResult> {
    return this.tx.withLocks(() => this.tx.recoverLocked());
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
    return this.tx.withLocks(async () => {
      await this.tx.recoverLocked();
      // Read before the store lock: on macOS this asks the Keychain, which may wait for the user.
      const live = await this.readLive();
      const id = await this.store.exclusive(async () => {
        const doc = await this.store.readMeta();
        if (doc.profiles.some((p) => labelMatches(p.label, l))) throw new AccountError('exists', `A profile named "${l}" already exists`);
        if (!live.credsTokens) throw new AccountError('no-login', `No Claude Code login found in ${this.live.location}; run \`claude\` and /login first`);
        if (!live.account) throw new AccountError('no-login', `${this.paths.claudeJsonFile} has no oauthAccount; run \`claude\` once so it records who is logged in`);
        const existing = AccountManager.matchAccount(doc, live.account);
        if (existing) throw new AccountError('exists', `This login (${live.account.emailAddress}) is already saved as "${displayLabel(existing.label)}"`);
        const meta = this.buildMeta({ id: randomBytes(8).toString('hex'), label: l, state: { kind: 'available' } }, live.account, live.credsTokens);
        // The record first: a kill before the save leaves a record that fits what is live.
        await recordLive(this.fs, ledgerPath(this.opts.stateDir, this.paths.configDir), live.account, live.credsTokens, this.now());
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
   * tokens, so a profile captured earlier may hold a dead one), but only when they can be attributed
   * to it (see attribution.ts): otherwise they are an unsaved login and no profile is overwritten.
   */
  private async recaptureLocked(live: LiveLogin): Promise<Recapture> {
    const { account, credsTokens } = live;
    if (!account || !credsTokens) return { profile: undefined };
    const ledgerFile = ledgerPath(this.opts.stateDir, this.paths.configDir);
    const ledger = await readLedger(this.fs, ledgerFile);
    const result = await this.store.exclusive(async (): Promise<Recapture> => {
      const doc = await this.store.readMeta();
      const prof = AccountManager.matchAccount(doc, account);
      if (!prof) return { profile: undefined };
      const storedTokens = await this.savedTokens(prof);
      const others = [];
      for (const p of doc.profiles) if (p.id !== prof.id) others.push({ label: displayLabel(p.label), tokens: await this.savedTokens(p) });
      const attribution = attributeLiveTokens({ profile: prof, saved: storedTokens, live: credsTokens, liveAccount: account, ledger, others });
      if (!attribution.ok) return { profile: undefined, unattributed: { profile: prof, reason: attribution.reason } };
      // The record first: a kill before the save leaves a record that fits what is live.
      await recordLive(this.fs, ledgerFile, account, credsTokens, this.now());
      if (!isDeepStrictEqual(storedTokens, credsTokens)) {
        await this.store.writeSecret(profileSecretKey(prof.id), JSON.stringify({ claudeAiOauth: credsTokens }));
      }
      const state: AccountState = prof.state.kind === 'expired' || prof.state.kind === 'invalid' ? { kind: 'available' } : prof.state;
      const meta = this.buildMeta({ id: prof.id, label: prof.label, state }, account, credsTokens, prof);
      if (isDeepStrictEqual({ ...meta, capturedAt: 0 }, { ...prof, capturedAt: 0 })) return { profile: prof };
      await this.store.writeMeta(replaceProfile(await this.store.readMeta(), prof.id, meta));
      return { profile: meta };
    });
    return result;
  }

  /** A profile's saved tokens, null when missing or unreadable. */
  private async savedTokens(p: ProfileMeta): Promise<OauthTokens | null> {
    try {
      return (await this.readSecret(p)).claudeAiOauth;
    } catch {
      return null;
    }
  }

  /** Re-captures the active login into its profile; returns its label or null when it is not saved. */
  refreshActiveProfile(): Promise<string | null> {
    return this.tx.withLocks(async () => {
      await this.tx.recoverLocked();
      const p = (await this.recaptureLocked(await this.readLive())).profile;
      return p ? displayLabel(p.label) : null;
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
    return this.tx.withLocks(async () => {
      await this.opts.onStep?.('locked');
      const rec = await this.tx.recoverLocked();
      warnings.push(...rec.warnings);
      const live = await this.readLive();
      const target = this.findByLabel(await this.store.readMeta(), target0.label);
      const secret = await this.readSecret(target);

      // Outgoing account: keep its newest tokens before they are overwritten.
      let from: string | null = null;
      if (live.credsTokens) {
        const recaptured = rec.action === 'unresolved' ? { profile: undefined } : await this.recaptureLocked(live);
        const outgoing = recaptured.profile;
        if (outgoing) {
          from = displayLabel(outgoing.label);
          if (outgoing.id === target.id) {
            return { changed: false, from, to: displayLabel(target.label), warnings, backupPrefix: null };
          }
        } else if (recaptured.unattributed && !options.allowUnsaved) {
          const { profile, reason } = recaptured.unattributed;
          throw new AccountError(
            'unsaved-login',
            `The live tokens cannot be filed under "${displayLabel(profile.label)}", which .claude.json names: ${reason} ` +
              `(a login in progress, or another account's tokens). Nothing was saved over that profile; finish the login in Claude Code ` +
              `and try again, or use --force to switch anyway (the live tokens are kept only in a backup)`,
          );
        } else if (!options.allowUnsaved) {
          const who = live.account ? `(${escapeForDisplay(live.account.emailAddress)}) ` : '';
          throw new AccountError(
            'unsaved-login',
            `The current login ${who}is not saved in any profile; save it first with \`accounts add <label>\` (or use --force to switch anyway; it is kept only in a backup)`,
          );
        }
      }

      const now = this.now();
      if (secret.claudeAiOauth.expiresAt <= now) {
        warnings.push(
          `The saved access token of "${displayLabel(target.label)}" expired at ${new Date(secret.claudeAiOauth.expiresAt).toISOString()}; ` +
            `Claude Code will try to refresh it, and if that fails you need to /login again`,
        );
      }

      const ledgerFile = ledgerPath(this.opts.stateDir, this.paths.configDir);
      await recordPending(this.fs, ledgerFile, target.oauthAccount, secret.claudeAiOauth, now);
      const backupPrefix = await this.tx.replaceLogin(live, { tokens: secret.claudeAiOauth, account: target.oauthAccount, profileId: target.id });
      await recordLive(this.fs, ledgerFile, target.oauthAccount, secret.claudeAiOauth, this.now());
      return { changed: true, from, to: displayLabel(target.label), warnings, backupPrefix };
    });
  }

  // ---- rename, remove, state -------------------------------------------------------------------

  /**
   * The one read-modify-write of a profile: reads the document, applies `edit` to the profile named
   * `label` and writes the result back, under the store's lock so that edits from several processes at
   * once all land. `edit` returns the new profile, null to remove it, or undefined to change nothing.
   */
  private editProfile(label: string, edit: (p: ProfileMeta, doc: ProfilesDocument) => ProfileMeta | null | undefined): Promise<ProfileMeta> {
    return this.store.exclusive(async () => {
      const doc = await this.store.readMeta();
      const p = this.findByLabel(doc, label);
      const next = edit(p, doc);
      if (next !== undefined) await this.store.writeMeta(replaceProfile(doc, p.id, next));
      return p;
    });
  }

  async rename(oldLabel: string, newLabel: string): Promise<void> {
    const l = validateLabel(newLabel);
    await this.editProfile(oldLabel, (p, doc) => {
      if (p.label === l) return undefined;
      if (doc.profiles.some((x) => x.id !== p.id && labelMatches(x.label, l))) throw new AccountError('exists', `A profile named "${l}" already exists`);
      return { ...p, label: l };
    });
  }

  /** Forgets a profile. The live login is not touched, even when it is the active one. */
  /**
   * Forgets a profile, and the backups that hold its login (a removed account's tokens should not
   * stay behind in them). Returns how many backups went.
   */
  async remove(label: string): Promise<{ backupsRemoved: number }> {
    const { removed, tokens } = await this.store.exclusive(async () => {
      const target = this.findByLabel(await this.store.readMeta(), label);
      const saved = await this.readSecret(target).catch(() => null);
      // Metadata first: a leftover secret is harmless, a profile without secret is not.
      const gone = await this.editProfile(target.label, () => null);
      await this.store.deleteSecret(profileSecretKey(gone.id));
      return { removed: gone, tokens: saved?.claudeAiOauth ?? null };
    });
    const backupsRemoved = await this.tx.removeBackupsOf(removed.oauthAccount, tokens);
    return { backupsRemoved };
  }

  async setState(label: string, state: AccountState): Promise<void> {
    await this.editProfile(label, (p) => ({ ...p, state }));
  }

  /** Records a profile's measured usage (read by the most-headroom strategy). */
  async setUsage(label: string, usage: UsageSnapshot): Promise<void> {
    await this.editProfile(label, (p) => ({ ...p, usage }));
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
    const chosen = doc.profiles.find((p) => p.id === choice.id);
    return { label: chosen ? displayLabel(chosen.label) : null, earliestAvailableAt: choice.earliestAvailableAt };
  }
}

/** `doc` with the profile `id` replaced by `next`, or removed when `next` is null. */
function replaceProfile(doc: ProfilesDocument, id: string, next: ProfileMeta | null): ProfilesDocument {
  const profiles = next === null ? doc.profiles.filter((x) => x.id !== id) : doc.profiles.map((x) => (x.id === id ? next : x));
  return { ...doc, profiles };
}
