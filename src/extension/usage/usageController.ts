// Keeps per-account usage current in the editor: scans the transcripts on a timer, records every
// change of the active account in the usage timeline, feeds it the resets the sessions controller and
// the account layer know, warns once per window at the threshold, and writes each saved account's
// usage snapshot for the switch policy. Publishes the latest report for the status bar and the panel.
//
// No runtime vscode import (events use a local Emitter), so it runs in plain Node tests.
import type { ProfileView } from '../../core/accounts/accountManager';
import type { UsageSnapshot } from '../../core/accounts/schemas';
import type { ComponentLogger } from '../../core/logger';
import type { UsageWindow } from '../../core/usage/usageLedger';
import type { ThresholdWarning, UsageReport } from '../../core/usage/usageReport';
import type { ScanStats } from '../../core/usage/usageScanner';
import { formatTokens, windowName } from '../../core/usage/usageText';
import { UsageTracker } from '../../core/usage/usageTracker';
import { CommandIds } from '../commandIds';
import type { ConfigurationReader } from '../configuration';
import { Disposable } from '../disposable';
import type { NotifierUi } from '../sessions/quotaNotifier';
import type { AccountsFeed } from '../sessions/sessionsController';
import type { SessionsSnapshot } from '../sessions/sessionsController';
import { Emitter, nodeTimers, type Timers } from '../sessions/emitter';

export interface UsageSessions {
  snapshot(): SessionsSnapshot;
  onDidChange(listener: () => void): { dispose(): void };
}

export interface UsageControllerOptions {
  readonly accounts: AccountsFeed;
  readonly sessions?: UsageSessions;
  readonly read: ConfigurationReader;
  readonly ui: NotifierUi;
  /** CLAUDE_CONFIG_DIR or ~/.claude. */
  readonly configDir: string;
  /** Where the state is persisted; null keeps it in memory. */
  readonly stateFile: string | null;
  /** Writes a profile's usage snapshot (AccountManager.setUsage). */
  readonly recordUsage?: (label: string, usage: UsageSnapshot) => Promise<void>;
  readonly logger?: ComponentLogger;
  readonly timers?: Timers;
  readonly now?: () => number;
  /** Between scans; default 30 s. */
  readonly intervalMs?: number;
  /** At most one state write per this interval (and one on dispose); default 2 min. */
  readonly saveIntervalMs?: number;
}

export const ACTION_SHOW_USAGE = 'Show Usage';
export const ACTION_SWITCH_ACCOUNT = 'Switch Account';

export class UsageController extends Disposable {
  private readonly tracker: UsageTracker;
  private readonly timers: Timers;
  private readonly now: () => number;
  private readonly log: ComponentLogger | undefined;
  private profiles: readonly ProfileView[] = [];
  private latest: UsageReport | null = null;
  private lastScan: ScanStats | null = null;
  private timer: unknown = undefined;
  private started: Promise<void>;
  private running: Promise<void> = Promise.resolve();
  private readonly written = new Map<string, string>();
  private readonly warnings: string[] = [];
  private savedAt = -Infinity;

  private readonly changed = this._register(new Emitter<void>());
  /** Fires after every refresh that produced a report. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly opts: UsageControllerOptions) {
    super();
    this.timers = opts.timers ?? nodeTimers;
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
    this._register({ dispose: () => this.clearTimer() });
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

  /** Texts of the threshold warnings shown so far. */
  get warningsShown(): readonly string[] {
    return this.warnings;
  }

  /** Scans now and publishes a new report; calls are serialised. */
  refresh(): Promise<void> {
    this.running = this.running.then(() => this.refreshOnce()).catch((err: unknown) => this.log?.warn(`Usage scan failed: ${err instanceof Error ? err.message : String(err)}`));
    return this.running;
  }

  private async refreshOnce(): Promise<void> {
    await this.started;
    if (this.isDisposed) return;
    this.clearTimer();
    try {
      this.profiles = await this.opts.accounts.list();
    } catch {
      // Keep the last list: attribution must not stop because the profiles could not be read once.
    }
    const active = this.profiles.find((p) => p.active);
    if (active !== undefined && this.tracker.noteActiveAccount(active.email, active.label)) {
      this.log?.info(`Usage from now on is counted for ${active.label}`);
    }
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
    const stats = await this.tracker.scan();
    this.lastScan = stats;
    if (stats.malformed > 0) this.log?.warn(`${stats.malformed} malformed transcript line(s) skipped`);
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
    this.timer = this.timers.setTimeout(() => void this.refresh(), this.opts.intervalMs ?? 30_000);
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
        this.log?.warn(`Could not record the usage of ${p.label}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  private async save(): Promise<void> {
    try {
      await this.tracker.save();
      this.savedAt = this.now();
    } catch (err) {
      this.log?.warn(`Could not save the usage state: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function windowOf(w: string | null): UsageWindow | null {
  if (w === 'five_hour') return 'fiveHour';
  if (w === 'weekly') return 'weekly';
  return null;
}
