// Notifications for usage-limit hits: one per account per block, never per session, with actions to
// switch account, be reminded at the reset, or see the sessions. Throttling and server errors never
// read as a limit hit; with notifications.level "all", repeated server errors get one quiet notice.
//
// The UI calls go through NotifierUi (vscode.window in the extension, a recorder in tests).
import type { SessionsFeed } from '../ports';
import type { AccountRef, DetectorEvent } from '../../core/detection/detector';
import { describeError } from '../../core/base/errors';
import type { ComponentLogger } from '../../core/base/logger';
import type { LimitWindow } from '../../core/detection/types';
import { CommandIds } from '../commandIds';
import type { ConfigurationReader } from '../configuration';
import { Disposable } from '../disposable';
import { DeadlineTimer, nodeTimers, type Timers } from '../../core/base/timers';
import { quotaHitMessage, quotaResetMessage, serverErrorsMessage } from './sessionText';

export interface NotifierUi {
  showWarningMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  executeCommand(command: string, ...args: unknown[]): Thenable<unknown>;
}

export const ACTION_SWITCH = 'Switch Account';
export const ACTION_REMIND = 'Remind Me at Reset';
export const ACTION_SHOW = 'Show Sessions';
export const QUOTA_ACTIONS: readonly string[] = [ACTION_SWITCH, ACTION_REMIND, ACTION_SHOW];

/** Server errors within this window, at least SERVER_ERROR_COUNT of them, make one notice. */
export const SERVER_ERROR_WINDOW_MS = 5 * 60_000;
export const SERVER_ERROR_COUNT = 3;

export interface QuotaNotifierOptions {
  readonly sessions: SessionsFeed;
  readonly read: ConfigurationReader;
  readonly ui: NotifierUi;
  readonly timers?: Timers;
  readonly now?: () => Date;
  readonly logger?: ComponentLogger;
  /** Zone the reset times are written in; default the local one. */
  readonly timeZone?: string;
}

interface Notified {
  account: AccountRef | null;
  window: LimitWindow | null;
  resetsAt: Date;
  reminder: DeadlineTimer | undefined;
}

export interface ShownNotification {
  readonly kind: 'quota' | 'reset' | 'server';
  readonly message: string;
  readonly actions: readonly string[];
}

export class QuotaNotifier extends Disposable {
  private readonly timers: Timers;
  private readonly now: () => Date;
  /** Account id ('' for an unsaved login) -> the block it was notified about. */
  private readonly notified = new Map<string, Notified>();
  private serverErrors: number[] = [];
  private serverNoticeAt = -Infinity;
  private readonly log: readonly ShownNotification[] = [];

  private readonly sessions: SessionsFeed;
  private readonly read: ConfigurationReader;
  private readonly ui: NotifierUi;

  constructor(private readonly opts: QuotaNotifierOptions) {
    super();
    const { sessions } = opts;
    this.sessions = sessions;
    this.read = opts.read;
    this.ui = opts.ui;
    this.timers = opts.timers ?? nodeTimers;
    this.now = opts.now ?? (() => new Date());
    this._register(sessions.onDetectorEvent((e) => this.onEvent(e)));
    this._register({
      dispose: () => {
        for (const n of this.notified.values()) this.cancelReminder(n);
        this.notified.clear();
      },
    });
  }

  /** Every notification shown so far (texts only; they never carry a secret). */
  get shown(): readonly ShownNotification[] {
    return this.log;
  }

  private onEvent(e: DetectorEvent): void {
    if (this.isDisposed) return;
    switch (e.type) {
      case 'blocked':
        this.onBlocked(e.account, e.window, e.resetsAt, e.resetEstimated);
        return;
      case 'updated': {
        const n = this.notified.get(key(e.account));
        if (n === undefined) return;
        n.resetsAt = e.resetsAt;
        n.window = e.window;
        if (n.reminder !== undefined) this.armReminder(n);
        return;
      }
      case 'cleared': {
        // The account serves requests again (or its reset passed): the next block is a new one.
        // A switch does not end the old account's limit, so its record stays until the reset.
        if (e.reason === 'switched') return;
        const k = key(e.blockedAccount);
        const n = this.notified.get(k);
        if (n === undefined) return;
        const stillBlocked = this.sessions.snapshot().sessions.some((s) => s.state === 'blocked' && key(s.account) === k);
        if (!stillBlocked && n.reminder === undefined) this.notified.delete(k);
        return;
      }
      case 'error':
        if (e.kind === 'server') this.onServerError(e.at);
        return;
      default:
        return;
    }
  }

  private onBlocked(account: AccountRef | null, window: LimitWindow | null, resetsAt: Date, estimated: boolean): void {
    const now = this.now();
    const k = key(account);
    const prior = this.notified.get(k);
    if (prior !== undefined && prior.resetsAt.getTime() > now.getTime()) {
      // Another session of the same account hit the same limit: one notification per account per block.
      if (resetsAt.getTime() > prior.resetsAt.getTime()) prior.resetsAt = resetsAt;
      return;
    }
    if (prior !== undefined) this.cancelReminder(prior);
    const n: Notified = { account, window, resetsAt, reminder: undefined };
    this.notified.set(k, n);
    if (this.read('notifications.level') === 'off') return;
    const message = quotaHitMessage({ account, window, resetsAt, resetEstimated: estimated }, now, this.opts.timeZone);
    this.record('quota', message, QUOTA_ACTIONS);
    this.ui.showWarningMessage(message, ...QUOTA_ACTIONS).then(
      (choice) => this.onChoice(choice, n),
      () => undefined,
    );
  }

  private onChoice(choice: string | undefined, n: Notified): void {
    if (this.isDisposed) return;
    const run = (command: string): void => {
      this.ui.executeCommand(command).then(
        () => undefined,
        (err: unknown) => this.opts.logger?.warn(`${command} failed: ${describeError(err)}`),
      );
    };
    if (choice === ACTION_SWITCH) run(CommandIds.switchAccount);
    else if (choice === ACTION_SHOW) run(CommandIds.showSessions);
    else if (choice === ACTION_REMIND) this.armReminder(n);
  }

  private armReminder(n: Notified): void {
    this.cancelReminder(n);
    const reminder = new DeadlineTimer(this.timers);
    n.reminder = reminder;
    const fire = (): void => {
      const left = n.resetsAt.getTime() - this.now().getTime();
      if (left > 0) {
        // Long waits exceed what one Node timer can hold, and an 'updated' event may have moved the reset.
        reminder.arm(left, fire);
        return;
      }
      n.reminder = undefined;
      if (this.notified.get(key(n.account)) === n) this.notified.delete(key(n.account));
      if (this.isDisposed || this.read('notifications.level') === 'off') return;
      const message = quotaResetMessage(n.account, n.window);
      const actions = n.account === null ? [] : [ACTION_SWITCH];
      this.record('reset', message, actions);
      this.ui.showInformationMessage(message, ...actions).then(
        (choice) => {
          if (choice === ACTION_SWITCH && n.account !== null) void this.ui.executeCommand(CommandIds.switchAccount, n.account.label);
        },
        () => undefined,
      );
    };
    reminder.arm(n.resetsAt.getTime() - this.now().getTime(), fire);
  }

  private cancelReminder(n: Notified): void {
    n.reminder?.clear();
    n.reminder = undefined;
  }

  private onServerError(at: Date): void {
    const now = at.getTime();
    this.serverErrors = [...this.serverErrors.filter((t) => now - t < SERVER_ERROR_WINDOW_MS), now];
    if (this.read('notifications.level') !== 'all') return;
    if (this.serverErrors.length < SERVER_ERROR_COUNT || now - this.serverNoticeAt < SERVER_ERROR_WINDOW_MS) return;
    this.serverNoticeAt = now;
    const count = this.serverErrors.length;
    this.serverErrors = [];
    const message = serverErrorsMessage(count, SERVER_ERROR_WINDOW_MS / 60_000);
    this.record('server', message, []);
    this.ui.showInformationMessage(message).then(
      () => undefined,
      () => undefined,
    );
  }

  private record(kind: ShownNotification['kind'], message: string, actions: readonly string[]): void {
    (this.log as ShownNotification[]).push({ kind, message, actions: [...actions] });
    this.opts.logger?.info(`Notified: ${message}`);
  }
}

function key(account: AccountRef | null): string {
  return account?.id ?? '';
}
