// Keeps per-account usage current in the editor: scans the transcripts the watcher reports changed a
// moment after they change, and lists them all only at start, on demand and in a slow safety rescan;
// records every change of the active account in the usage timeline, feeds it the resets the sessions
// controller and the account layer know, warns once per window at the threshold, and writes each saved
// account's usage snapshot for the switch policy. Publishes the latest report for the status bar and the panel.
//
// No runtime vscode import (events use the core's Emitter), so it runs in plain Node tests.
import type { AccountsFeed, SessionsSnapshotFeed } from '../ports';
import type { ProfileView } from '../../core/accounts/accountManager';
import type { UsageSnapshot } from '../../core/accounts/schemas';
import { describeError } from '../../core/base/errors';
import type { ComponentLogger } from '../../core/base/logger';
import type { UsageWindow } from '../../core/usage/usageLedger';
import type { ThresholdWarning, UsageReport } from '../../core/usage/usageReport';
import type { ScanStats } from '../../core/usage/usageScanner';
import { describeScanProblems, formatTokens, windowName } from '../../core/usage/usageText';
import { UsageTracker } from '../../core/usage/usageTracker';
import { CommandIds } from '../commandIds';
import type { ConfigurationReader, SettingKey } from '../configuration';
import { Disposable } from '../disposable';
import type { NotifierUi } from '../sessions/quotaNotifier';
import type { ConfigChanges } from '../sessions/sessionsController';
import { Emitter } from '../../core/base/event';
import { DeadlineTimer, nodeTimers, type Timers } from '../../core/base/timers';

export interface UsageControllerOptions {
  readonly accounts: AccountsFeed;
  readonly sessions?: SessionsSnapshotFeed;
  readonly read: ConfigurationReader;
  readonly ui: NotifierUi;
  /** Claude Code's config directory (claudeConfigDir: CLAUDE_CONFIG_DIR or ~/.claude). */
  readonly configDir: string;
  /** Where the state is persisted; null keeps it in memory. */
  readonly stateFile: string | null;
  /** Writes a profile's usage snapshot (AccountManager.setUsage). */
  readonly recordUsage?: (label: string, usage: UsageSnapshot) => Promise<void>;
  /**
   * Subscribes to the transcript files that changed (SessionsController.onDidChangeTranscriptFiles,
   * fed by its TranscriptWatcher); without it only the safety rescan picks up new lines.
   */
  readonly transcriptChanges?: (listener: (paths: readonly string[]) => void) => { dispose(): void };
  /** Settings that change the report (limits, threshold, whether transcripts are read) refresh it at once. */
  readonly config?: ConfigChanges;
  readonly logger?: ComponentLogger;
  readonly timers?: Timers;
  readonly now?: () => number;
  /** Full rescan for changes the watcher missed; default SAFETY_RESCAN_MS. */
  readonly rescanMs?: number;
  /** At most one state write per this interval (and one on dispose); default 2 min. */
  readonly saveIntervalMs?: number;
}

export const ACTION_SHOW_USAGE = 'Show Usage';
export const ACTION_SWITCH_ACCOUNT = 'Switch Account';
/** Watch events get lost (network file systems, files replaced rather than appended): list everything this often. */
export const SAFETY_RESCAN_MS = 5 * 60_000;
/** Changes arriving within this long of the first one are scanned together (Claude Code writes a turn line by line). */
export const LIVE_DELAY_MS = 500;
/**
 * A live scan re-reads the saved accounts (and the live login, to notice a `/login` made outside the
 * editor) only when the last read is this old: the login files can be large and lines arrive many
 * times a second while Claude Code works.
 */
export const ACCOUNTS_MAX_AGE_MS = 30_000;
/** After a window's end the report is rebuilt this much later, so the clock has certainly passed it. */
const WINDOW_END_SLACK_MS = 1000;
const REPORT_SETTINGS: SettingKey[] = ['sources.transcripts', 'usage.fiveHourLimitTokens', 'usage.weeklyLimitTokens', 'usage.warnThresholdPercent'];

export class UsageController extends Disposable {
  private readonly tracker: UsageTracker;
  private readonly now: () => number;
  private readonly log: ComponentLogger | undefined;
  private profiles: readonly ProfileView[] = [];
  private latest: UsageReport | null = null;
  private lastScan: ScanStats | null = null;
  private scans = 0;
  private accountsReadAt = -Infinity;
  private readonly rescanTimer: DeadlineTimer;
  private readonly liveTimer: DeadlineTimer;
  private liveQueued = false;
  /** Transcripts reported changed and not scanned yet. */
  private readonly pendingPaths = new Set<string>();
  private started: Promise<void>;
  private running: Promise<void> = Promise.resolve();
  private readonly written = new Map<string, string>();
  private readonly warnings: string[] = [];
  private savedAt = -Infinity;

  private readonly changed = this._register(new Emitter<void>(() => this.log));
  /** Fires after every refresh that produced a report. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly opts: UsageControllerOptions) {
    super();
    const timers: Timers = opts.timers ?? nodeTimers;
    this.rescanTimer = this._register(new DeadlineTimer(timers));
    this.liveTimer = this._register(new DeadlineTimer(timers));
    this.now = opts.now ?? Date.now;
    this.log = opts.logger;
    this.tracker = new UsageTracker({
      configDir: opts.configDir,
      stateFile: opts.stateFile,
      now: this.now,
      log: { warn: (m) => this.log?.warn(m), info: (m) => this.log?.info(m) },
    });
    this._register(opts.accounts.onDidChangeAccounts(() => void this.refresh()));
    if (opts.sessions) this._register(opts.sessions.onDidChange(() => this.noteSessions()));
    if (opts.transcriptChanges) this._register(opts.transcriptChanges((paths) => this.onFilesChanged(paths)));
    if (opts.config) this._register(opts.config.onChange(REPORT_SETTINGS, () => void this.refresh()));
    this._register({ dispose: () => this.pendingPaths.clear() });
    // On shutdown the latest state is written (atomically: an interrupted write leaves the previous one).
    this._register({ dispose: () => void this.running.then(() => this.tracker.save()).catch(() => undefined) });
    this.started = this.tracker.load().then(
      () => undefined,
      (err: unknown) => this.log?.warn(`Could not load the usage state: ${String(err)}`),
    );
    void this.refresh();
  }

  /** The latest report (null before the first scan finished). */
  get report(): UsageReport | null {
    return this.latest;
  }

  get scanStats(): ScanStats | null {
    return this.lastScan;
  }

  /** Transcript scans so far, full and of changed files. */
  get scanCount(): number {
    return this.scans;
  }

  /** Texts of the threshold warnings shown so far. */
  get warningsShown(): readonly string[] {
    return this.warnings;
  }

  /** Lists and scans every transcript now and publishes a new report; calls are serialised. */
  refresh(): Promise<void> {
    return this.enqueue(() => this.refreshOnce(null));
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    this.running = this.running.then(fn).catch((err: unknown) => this.log?.warn(`Usage scan failed: ${describeError(err)}`));
    return this.running;
  }

  // ---- live updates: changed files are gathered briefly, one scan at a time, one more queued ----

  private onFilesChanged(paths: readonly string[]): void {
    if (this.isDisposed || paths.length === 0) return;
    for (const p of paths) this.pendingPaths.add(p);
    this.scheduleLive();
  }

  private scheduleLive(): void {
    if (this.isDisposed || this.liveTimer.armed || this.liveQueued || this.pendingPaths.size === 0) return;
    this.liveTimer.arm(LIVE_DELAY_MS, () => void this.runLive());
  }

  private async runLive(): Promise<void> {
    if (this.isDisposed) return;
    this.liveQueued = true;
    try {
      // The paths are taken when the scan starts, so changes made while an earlier scan ran join this one.
      await this.enqueue(() => {
        const paths = [...this.pendingPaths];
        this.pendingPaths.clear();
        return paths.length === 0 ? Promise.resolve() : this.refreshOnce(paths);
      });
    } finally {
      this.liveQueued = false;
      this.scheduleLive();
    }
  }

  /** `changed`: scan only these transcripts; null: list and scan them all. */
  private async refreshOnce(changed: readonly string[] | null): Promise<void> {
    await this.started;
    if (this.isDisposed) return;
    if (changed === null) this.rescanTimer.clear();
    try {
      await this.update(changed);
    } finally {
      if (changed === null) this.armRescan();
    }
  }

  private async update(changed: readonly string[] | null): Promise<void> {
    if (changed === null || this.now() - this.accountsReadAt >= ACCOUNTS_MAX_AGE_MS) {
      this.accountsReadAt = this.now();
      try {
        this.profiles = await this.opts.accounts.list();
      } catch {
        // Keep the last list: attribution must not stop because the profiles could not be read once.
      }
    }
    const active = this.profiles.find((p) => p.active);
    const switched = active !== undefined && this.tracker.noteActiveAccount(active.email, active.label);
    if (switched) this.log?.info(`Usage from now on is counted for ${active.label}`);
    for (const p of this.profiles) {
      if (p.state.kind === 'exhausted') {
        const w = windowOf(p.state.window);
        if (w !== null) this.tracker.noteLimitHit(p.email, w, p.state.until);
      }
    }
    this.noteSessions();
    if (!this.opts.read('sources.transcripts')) {
      // Transcripts are off: keep the timeline, read nothing.
      await this.tracker.save().catch(() => undefined);
      return;
    }
    // A full scan reads everything reported so far.
    if (changed === null) this.pendingPaths.clear();
    const stats = changed === null ? await this.tracker.scan() : await this.tracker.scanFiles(changed);
    this.scans++;
    this.lastScan = stats;
    // Reported files with nothing new for accounting, and the same account: the report stands.
    if (changed !== null && stats.filesRead === 0 && !switched) return;
    for (const line of describeScanProblems(stats)) this.log?.warn(line);
    const report = this.tracker.report({
      limits: { fiveHour: this.opts.read('usage.fiveHourLimitTokens'), weekly: this.opts.read('usage.weeklyLimitTokens') },
      accounts: this.profiles.map((p) => ({ key: p.email.toLowerCase(), label: p.label })),
    });
    this.latest = report;
    this.warn(this.tracker.takeWarnings(report, this.opts.read('usage.warnThresholdPercent')));
    await this.recordSnapshots(report);
    // Offsets and totals are saved together, so saving less often only means re-reading a little after
    // a restart; the state (response ids of a week) can be megabytes.
    if (this.now() - this.savedAt >= (this.opts.saveIntervalMs ?? 120_000)) await this.save();
    if (this.isDisposed) return;
    this.changed.fire();
  }

  /** Exact resets of blocked sessions anchor their account's windows. */
  private noteSessions(): void {
    const snap = this.opts.sessions?.snapshot();
    if (snap === undefined) return;
    for (const s of snap.sessions) {
      if (s.state !== 'blocked' || s.resetsAt === null || s.resetEstimated || s.account === null) continue;
      const w = windowOf(s.window);
      const email = this.profiles.find((p) => p.id === s.account?.id)?.email;
      if (w !== null && email !== undefined) this.tracker.noteLimitHit(email, w, s.resetsAt.getTime(), s.since?.getTime());
    }
  }

  private warn(due: readonly ThresholdWarning[]): void {
    for (const w of due) {
      const message =
        `Claude account ${w.label} has used ${Math.round(w.usedPercent)} % of its ${windowName(w.window)} ` +
        `(${formatTokens(w.limit)} tokens, ${w.limitSource === 'configured' ? 'configured' : 'learned'} limit).`;
      this.log?.info(message);
      if (this.opts.read('notifications.level') === 'off') continue;
      this.warnings.push(message);
      this.opts.ui.showWarningMessage(message, ACTION_SHOW_USAGE, ACTION_SWITCH_ACCOUNT).then(
        (choice) => {
          if (choice === ACTION_SHOW_USAGE) void this.opts.ui.executeCommand(CommandIds.showUsage);
          else if (choice === ACTION_SWITCH_ACCOUNT) void this.opts.ui.executeCommand(CommandIds.switchAccount);
        },
        () => undefined,
      );
    }
  }

  private async recordSnapshots(report: UsageReport): Promise<void> {
    const write = this.opts.recordUsage;
    if (write === undefined) return;
    for (const p of this.profiles) {
      const a = report.accounts.find((x) => x.key === p.email.toLowerCase());
      if (a === undefined) continue;
      const snap: UsageSnapshot = { observedAt: report.generatedAt };
      const five = a.fiveHour;
      if (five !== null && five.usedPercent !== null) snap.fiveHour = { usedPercent: Math.min(100, five.usedPercent), resetsAt: five.anchor === 'reset' ? five.end : null };
      const week = a.weekly;
      if (week.usedPercent !== null) snap.sevenDay = { usedPercent: Math.min(100, week.usedPercent), resetsAt: week.anchor === 'reset' ? week.end : null };
      if (snap.fiveHour === undefined && snap.sevenDay === undefined) continue;
      // Rounded: the profile store is rewritten only when the picture changes.
      const sig = JSON.stringify([snap.fiveHour?.usedPercent.toFixed(0), snap.fiveHour?.resetsAt, snap.sevenDay?.usedPercent.toFixed(0), snap.sevenDay?.resetsAt]);
      if (this.written.get(p.id) === sig) continue;
      try {
        await write(p.label, snap);
        this.written.set(p.id, sig);
      } catch (err) {
        this.log?.warn(`Could not record the usage of ${p.label}: ${describeError(err)}`);
      }
    }
  }

  private async save(): Promise<void> {
    try {
      await this.tracker.save();
      this.savedAt = this.now();
    } catch (err) {
      this.log?.warn(`Could not save the usage state: ${describeError(err)}`);
    }
  }

  // ---- the one timer while nothing changes: the safety rescan ----

  /**
   * Armed after every full scan while transcripts are read; comes early when a window of the report
   * ends before it, so a finished 5-hour block does not linger in the tooltip.
   */
  private armRescan(): void {
    this.rescanTimer.clear();
    if (this.isDisposed || !this.opts.read('sources.transcripts')) return;
    const rescanMs = this.opts.rescanMs ?? SAFETY_RESCAN_MS;
    const end = nextWindowEnd(this.latest, this.now());
    const delay = end === null ? rescanMs : Math.min(rescanMs, end - this.now() + WINDOW_END_SLACK_MS);
    this.rescanTimer.arm(delay, () => void this.refresh());
  }
}

/** The earliest end, after `now`, of a window the report bounds (a rolling week has none). */
function nextWindowEnd(report: UsageReport | null, now: number): number | null {
  let next: number | null = null;
  for (const a of report?.accounts ?? []) {
    for (const w of [a.fiveHour, a.weekly.anchor === 'reset' ? a.weekly : null]) {
      if (w !== null && w.end > now && (next === null || w.end < next)) next = w.end;
    }
  }
  return next;
}

function windowOf(w: string | null): UsageWindow | null {
  if (w === 'five_hour') return 'fiveHour';
  if (w === 'weekly') return 'weekly';
  return null;
}
