// Account commands of the extension: add, switch, rename and remove saved Claude Code logins. The
// account core does the work; this class only asks, reports and logs. Every command also accepts
// its labels as arguments, so other features (a status bar item, tests) can run it without UI.
import * as vscode from 'vscode';
import { lstat, readFile } from 'node:fs/promises';
import { AccountError, describeFsError } from '../../core/accounts/errors';
import { AccountManager, ProfileView, validateLabel } from '../../core/accounts/accountManager';
import { quotaHome } from '../../core/accounts/claudePaths';
import { LiveLoginWatcher } from '../../core/accounts/liveLoginWatcher';
import type { ProfileStore } from '../../core/accounts/profileStore';
import type { AccountState, UsageSnapshot } from '../../core/accounts/schemas';
import { Emitter } from '../../core/base/event';
import type { ComponentLogger } from '../../core/base/logger';
import { redactSecrets } from '../../core/base/redact';
import { Disposable } from '../disposable';
import { escapeThemeIcons } from '../themeIconText';
import { spawnCommand } from './commandRunner';

export interface AccountsControllerOptions {
  readonly store: ProfileStore;
  readonly logger: ComponentLogger;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Journal, backups and lock owners; defaults to the CLI's directory so both repair each other's switches. */
  readonly stateDir?: string;
  /** Token values to mask in notifications too (the logger masks them in the log). */
  readonly knownSecrets?: () => Iterable<string>;
  /** Folders Claude Code runs in here, whose project settings can override the login (default: see below). */
  readonly projectDirs?: () => readonly string[];
}

/** The workspace folders and the working folders of terminals with shell integration. */
export function windowProjectDirs(window: Pick<typeof vscode.window, 'terminals'> = vscode.window, folders = vscode.workspace.workspaceFolders): string[] {
  const dirs = new Set<string>();
  for (const f of folders ?? []) if (f.uri.scheme === 'file') dirs.add(f.uri.fsPath);
  for (const t of window.terminals) {
    const cwd = t.shellIntegration?.cwd;
    if (cwd?.scheme === 'file') dirs.add(cwd.fsPath);
  }
  return [...dirs];
}

/** What the switch command returns: names only, never a token. */
export interface SwitchOutcome {
  readonly changed: boolean;
  readonly from: string | null;
  readonly to: string;
  readonly email: string;
}

const SWITCH_ANYWAY = 'Switch Anyway';
const ADD_CURRENT = 'Add Current Login…';
const REMOVE = 'Remove';

interface ProfilePickItem extends vscode.QuickPickItem {
  readonly profileLabel?: string;
  readonly addCurrent?: boolean;
}

/** Commands get whatever their caller passes (a URI from a menu, an object from a keybinding); only strings are labels. */
function formatLocalTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** `email · plan` for lists and messages. */
export function describeIdentity(v: Pick<ProfileView, 'email' | 'plan'>): string {
  return v.plan ? `${v.email} · ${v.plan}` : v.email;
}

/** One line of state for the quick pick: active, available, exhausted until …, token expired, needs login. */
export function describeProfileState(v: ProfileView, formatTime: (ms: number) => string = formatLocalTime): string {
  const parts: string[] = [];
  if (v.active) parts.push('active');
  switch (v.state.kind) {
    case 'available':
      if (!v.active) parts.push('available');
      break;
    case 'exhausted':
      parts.push(`exhausted until ${formatTime(v.state.until)}`);
      break;
    case 'expired':
    case 'invalid':
      parts.push('needs login');
      break;
  }
  // Claude Code refreshes an expired access token itself, so this is a hint, not a block.
  if (v.tokenExpired && v.state.kind !== 'expired' && v.state.kind !== 'invalid') parts.push('token expired');
  return parts.join(' · ');
}

/** A message for the user and the log that never quotes file content (JSON.parse errors do). */
function safeMessage(err: unknown): string {
  // The core's pointer to the CLI's list command means nothing in the editor.
  if (err instanceof AccountError) return err.message.replace(/\s*\(see `accounts list`\)/, '');
  const name = err instanceof Error ? err.name : 'Error';
  return `unexpected ${name} (${describeFsError(err)})`;
}

function labelProblem(value: string, taken: ReadonlySet<string>): string | undefined {
  try {
    const l = validateLabel(value);
    return taken.has(l) ? `A profile named "${l}" already exists` : undefined;
  } catch (err) {
    return safeMessage(err);
  }
}

export class AccountsController extends Disposable {
  readonly manager: AccountManager;
  private readonly log: ComponentLogger;
  private readonly knownSecrets: () => Iterable<string>;
  private readonly projectDirs: () => readonly string[];
  // Core operations run one at a time: two clicks on a status bar item must not race each other.
  private tail: Promise<unknown> = Promise.resolve();
  private readonly changed = this._register(new Emitter<void>(() => this.log));
  /** Fires after an account was added, switched to, renamed or removed (for a status bar item, say). */
  readonly onDidChangeAccounts: vscode.Event<void> = this.changed.event;

  constructor(opts: AccountsControllerOptions) {
    super();
    this.log = opts.logger;
    this.knownSecrets = opts.knownSecrets ?? (() => []);
    this.projectDirs = opts.projectDirs ?? (() => windowProjectDirs());
    const stateDir = opts.stateDir ?? quotaHome(opts.env);
    this.manager = new AccountManager({
      env: opts.env,
      store: opts.store,
      stateDir,
      runCommand: process.platform === 'darwin' ? spawnCommand : undefined,
    });
    this.log.info(`Profiles in ${opts.store.description}; switch journal and backups in ${stateDir}; live login in ${this.manager.live.location}`);


    // A switch made elsewhere (another window, the CLI, /login in Claude Code) shows here within a second.
    const files = [this.manager.paths.claudeJsonFile, ...(this.manager.live.kind === 'file' ? [this.manager.live.location] : []), ...(opts.store.file ? [opts.store.file] : [])];
    const live = this.manager.live;
    const watcher = this._register(new LiveLoginWatcher({ files, fingerprint: () => this.manager.fingerprint(), changeKey: live.changeKey?.bind(live), log: this.log }));
    this._register(
      watcher.onDidChange(() => {
        this.log.info('The live login or the saved profiles changed outside this window');
        this.changed.fire();
      }),
    );
    watcher.start().catch((err: unknown) => this.log.warn(`Not watching the live login for outside changes: ${safeMessage(err)}`));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private notify(kind: 'info' | 'warn' | 'error', text: string, ...actions: string[]): Thenable<string | undefined> {
    const safe = redactSecrets(text, this.knownSecrets());
    if (kind === 'info') return vscode.window.showInformationMessage(safe, ...actions);
    if (kind === 'warn') return vscode.window.showWarningMessage(safe, ...actions);
    return vscode.window.showErrorMessage(safe, ...actions);
  }

  private report(what: string, err: unknown): void {
    const message = `${what}: ${safeMessage(err)}`;
    this.log.error(message);
    void this.notify('error', message);
  }

  /** Saved profiles with their state; no secrets. */
  list(): Promise<ProfileView[]> {
    return this.manager.list();
  }

  /** Records a profile's measured usage in the queue, so it cannot race a switch or another metadata write. */
  setUsage(label: string, usage: UsageSnapshot): Promise<void> {
    return this.exclusive(() => this.manager.setUsage(label, usage));
  }

  /**
   * Finishes or undoes a switch that was interrupted (by a crash, or in the CLI). Only when a journal
   * is present: recovery takes Claude Code's locks and creates its config directory, which an
   * ordinary startup should not do.
   */
  async recoverAtStartup(): Promise<void> {
    try {
      const pending = await lstat(this.manager.journalFile).then(
        () => true,
        () => false,
      );
      if (!pending) {
        this.log.info('Startup recovery: no interrupted account switch');
        return;
      }
      const r = await this.exclusive(() => this.manager.recover());
      for (const w of r.warnings) this.log.warn(w);
      this.log.info(`Startup recovery: ${r.action}`);
      if (r.action === 'completed' || r.action === 'rolled-back') this.changed.fire();
      if (r.action === 'unresolved') void this.notify('warn', `Claude Quota: ${r.warnings.join(' ')}`);
    } catch (err) {
      this.report('Could not finish an interrupted account switch', err);
    }
  }

  // ---- add ---------------------------------------------------------------------------------------

  async addAccount(labelArg?: string): Promise<{ label: string; email: string; plan: string | null } | undefined> {
    let label = labelArg;
    if (label === undefined) {
      const taken = new Set((await this.listQuietly()).map((v) => v.label));
      label = await vscode.window.showInputBox({
        title: 'Add Account from Current Login',
        prompt: 'A name for the Claude Code login that is active now',
        value: await this.suggestLabel(taken),
        ignoreFocusOut: true,
        validateInput: (v) => labelProblem(v, taken),
      });
      if (label === undefined) return undefined;
    }
    const wanted = label;
    try {
      const v = await this.exclusive(() => this.manager.add(wanted));
      this.log.info(`Saved the current login as "${v.label}" (${describeIdentity(v)})`);
      void this.notify('info', `Saved the current Claude Code login as "${v.label}" (${describeIdentity(v)}).`);
      this.changed.fire();
      return { label: v.label, email: v.email, plan: v.plan };
    } catch (err) {
      this.report(`Could not add "${wanted}"`, err);
      return undefined;
    }
  }

  /** The local part of the logged-in email (or the whole address), when it is a free, valid label. */
  private async suggestLabel(taken: ReadonlySet<string>): Promise<string | undefined> {
    let email: unknown;
    try {
      const json = JSON.parse(await readFile(this.manager.paths.claudeJsonFile, 'utf8')) as { oauthAccount?: { emailAddress?: unknown } };
      email = json.oauthAccount?.emailAddress;
    } catch {
      return undefined; // no suggestion; add() reports what is wrong with the login
    }
    if (typeof email !== 'string') return undefined;
    for (const candidate of [email.split('@')[0] ?? '', email]) {
      if (labelProblem(candidate, taken) === undefined) return candidate;
    }
    return undefined;
  }

  private async listQuietly(): Promise<ProfileView[]> {
    try {
      return await this.manager.list();
    } catch (err) {
      this.report('Could not read the saved accounts', err);
      return [];
    }
  }

  // ---- switch ------------------------------------------------------------------------------------

  async switchAccount(labelArg?: string, ignoreOverrides = false): Promise<SwitchOutcome | undefined> {
    const label = labelArg ?? (await this.pickProfile('Switch Claude Code to…', true));
    if (label === undefined) return undefined;
    try {
      const r = await this.exclusive(() => this.manager.switchTo(label, { ignoreOverrides, projectDirs: this.projectDirs() }));
      for (const w of r.warnings) {
        this.log.warn(w);
        void this.notify('warn', `Claude Quota: ${w}`);
      }
      const email = (await this.manager.list()).find((v) => v.label === r.to)?.email ?? '';
      if (r.changed) {
        const from = r.from ? ` from "${r.from}"` : '';
        const forced = ignoreOverrides ? ' (override ignored on request)' : '';
        this.log.info(`Switched Claude Code's login${from} to "${r.to}" (${email})${forced}; backup ${r.backupPrefix ?? 'none'}`);
        void this.notify('info', `Claude Code now uses ${r.to} (${email}). Running sessions pick it up on their next request.`);
        this.changed.fire();
      } else {
        this.log.info(`"${r.to}" (${email}) is already the active login`);
        void this.notify('info', `Claude Code already uses ${r.to} (${email}).`);
      }
      return { changed: r.changed, from: r.from, to: r.to, email };
    } catch (err) {
      if (err instanceof AccountError && err.code === 'override') {
        // The core's wording names the CLI flag; here the notification's button plays that role.
        const why = err.message.replace(/\s*\(or switch anyway with --force\)\s*$/, '');
        this.log.warn(`Not switched to "${label}": ${why}`);
        void this.notify(
          'error',
          `Not switched to "${label}": ${why}. "Switch Anyway" changes the stored login, which Claude Code uses once the override is gone.`,
          SWITCH_ANYWAY,
        ).then((choice) => {
          if (choice === SWITCH_ANYWAY) void this.switchAccount(label, true);
        });
        return undefined;
      }
      if (err instanceof AccountError && err.code === 'unsaved-login') {
        this.log.warn(`Not switched to "${label}": ${err.message}`);
        void this.notify('error', `Not switched to "${label}": the current login is not saved in any account, so its tokens would be lost. Add it first.`, ADD_CURRENT).then(
          (choice) => {
            if (choice === ADD_CURRENT) void this.addAccount();
          },
        );
        return undefined;
      }
      this.report(`Could not switch to "${label}"`, err);
      return undefined;
    }
  }

  /**
   * A switch with no UI of its own, for features that report it themselves (auto-switch); queued
   * like every other change. Rejects with the core's error (never a secret) when it fails.
   */
  async switchQuietly(label: string): Promise<SwitchOutcome> {
    const r = await this.exclusive(() => this.manager.switchTo(label, { projectDirs: this.projectDirs() }));
    for (const w of r.warnings) this.log.warn(w);
    const email = (await this.manager.list()).find((v) => v.label === r.to)?.email ?? '';
    if (r.changed) {
      this.log.info(`Switched Claude Code's login${r.from ? ` from "${r.from}"` : ''} to "${r.to}" (${email}); backup ${r.backupPrefix ?? 'none'}`);
      this.changed.fire();
    }
    return { changed: r.changed, from: r.from, to: r.to, email };
  }

  /** Records an account's state (exhausted until …, available) in the queue, so it cannot race a switch. */
  setState(label: string, state: AccountState): Promise<void> {
    return this.exclusive(() => this.manager.setState(label, state));
  }

  /** Quick pick of the saved profiles; resolves to a label, or undefined when dismissed. */
  private async pickProfile(title: string, offerAdd = false): Promise<string | undefined> {
    const views = await this.listQuietly();
    if (views.length === 0) {
      const choice = await this.notify('info', 'No saved Claude Code accounts yet. Save the current login first.', ADD_CURRENT);
      if (choice === ADD_CURRENT) await this.addAccount();
      return undefined;
    }
    const items: ProfilePickItem[] = views.map((v) => ({
      label: `${v.active ? '$(check)' : '$(account)'} ${escapeThemeIcons(v.label)}`,
      description: describeIdentity(v),
      detail: describeProfileState(v),
      profileLabel: v.label,
    }));
    if (offerAdd) {
      items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(add) Add Account from Current Login…', addCurrent: true, alwaysShow: true });
    }
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Saved Claude Code accounts', matchOnDescription: true });
    if (picked?.addCurrent) {
      await this.addAccount();
      return undefined;
    }
    return picked?.profileLabel;
  }

  // ---- rename and remove -------------------------------------------------------------------------

  async renameAccount(fromArg?: string, toArg?: string): Promise<boolean> {
    const from = fromArg ?? (await this.pickProfile('Rename account'));
    if (from === undefined) return false;
    let to = toArg;
    if (to === undefined) {
      const taken = new Set((await this.listQuietly()).map((v) => v.label).filter((l) => l !== from));
      to = await vscode.window.showInputBox({ title: `Rename "${from}"`, prompt: 'New name', value: from, validateInput: (v) => labelProblem(v, taken) });
      if (to === undefined) return false;
    }
    const target = to;
    try {
      await this.exclusive(() => this.manager.rename(from, target));
      this.log.info(`Renamed account "${from}" to "${target.trim()}"`);
      void this.notify('info', `Renamed "${from}" to "${target.trim()}".`);
      this.changed.fire();
      return true;
    } catch (err) {
      this.report(`Could not rename "${from}"`, err);
      return false;
    }
  }

  async removeAccount(labelArg?: string): Promise<boolean> {
    const label = labelArg ?? (await this.pickProfile('Remove account'));
    if (label === undefined) return false;
    const view = (await this.listQuietly()).find((v) => v.label === label);
    const who = view ? ` (${view.email})` : '';
    const choice = await vscode.window.showWarningMessage(
      `Remove the saved account "${label}"${who}?`,
      {
        modal: true,
        detail: `Its saved tokens are deleted from VS Code's secret storage, and the switch backups that hold its login are deleted too. The current Claude Code login is not changed${view?.active ? ', even though this is the active account' : ''}.`,
      },
      REMOVE,
    );
    if (choice !== REMOVE) return false;
    try {
      const { backupsRemoved } = await this.exclusive(() => this.manager.remove(label));
      this.log.info(`Removed account "${label}"${who} and ${backupsRemoved} backup(s) holding its login`);
      void this.notify('info', `Removed the saved account "${label}".`);
      this.changed.fire();
      return true;
    } catch (err) {
      this.report(`Could not remove "${label}"`, err);
      return false;
    }
  }
}
