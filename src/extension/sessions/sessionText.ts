// Words and numbers the sessions UI shows: countdowns, clock times, limit names, notification texts.
// No vscode import, so every string is unit-tested in plain Node.
import type { AccountRef, SessionState, SignalSource } from '../../core/detection/detector';
import type { LimitWindow } from '../../core/detection/types';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Time left, coarse enough to read at a glance: "3d 4h", "2h 14m", "59m", and seconds only in the
 * last minute ("45s"). Rounds down, so it never promises a reset earlier than the real one; "0s" once due.
 */
export function formatCountdown(ms: number): string {
  if (!(ms > 0)) return '0s';
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)}s`;
  if (ms >= DAY) {
    const d = Math.floor(ms / DAY);
    return `${d}d ${Math.floor((ms - d * DAY) / HOUR)}h`;
  }
  if (ms >= HOUR) {
    const h = Math.floor(ms / HOUR);
    return `${h}h ${Math.floor((ms - h * HOUR) / MINUTE)}m`;
  }
  return `${Math.floor(ms / MINUTE)}m`;
}

/**
 * Delay until formatCountdown shows something else (it rounds down, so the text changes just below
 * each whole unit): hourly above a day, each minute above a minute, then each second. 0 once due.
 */
export function nextCountdownChangeMs(ms: number): number {
  if (!(ms > 0)) return 0;
  const unit = ms >= DAY ? HOUR : ms >= MINUTE ? MINUTE : SECOND;
  return (ms % unit) + 1;
}

/** "3:40 pm" in the given zone (default: local), with the weekday when it is not within the next 20 hours. */
export function formatClock(at: Date, now: Date = new Date(), timeZone?: string): string {
  const time = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone })
    .format(at)
    .replace(/\s?([AP])M$/i, (_m, ap: string) => ` ${ap.toLowerCase()}m`);
  const far = Math.abs(at.getTime() - now.getTime()) > 20 * HOUR;
  if (!far) return time;
  const day = new Intl.DateTimeFormat('en-US', { weekday: 'short', month: 'short', day: 'numeric', timeZone }).format(at);
  return `${day}, ${time}`;
}

export function limitName(window: LimitWindow | null): string {
  switch (window) {
    case 'five_hour':
      return '5-hour limit';
    case 'weekly':
      return 'weekly limit';
    case 'weekly_model':
      return 'weekly model limit';
    case 'extra_usage':
      return 'extra usage limit';
    case 'spend':
      return 'spending limit';
    default:
      return 'usage limit';
  }
}

export function accountName(account: AccountRef | null): string {
  return account === null ? 'the current login (not saved)' : account.label;
}

export interface QuotaHit {
  readonly account: AccountRef | null;
  readonly window: LimitWindow | null;
  readonly resetsAt: Date;
  readonly resetEstimated: boolean;
}

/** "Account work hit its 5-hour limit — resets 3:40 pm (in 2h 14m)". */
export function quotaHitMessage(hit: QuotaHit, now: Date, timeZone?: string): string {
  const who = hit.account === null ? 'Claude Code (unsaved login)' : `Account ${hit.account.label}`;
  const when = `${formatClock(hit.resetsAt, now, timeZone)} (in ${formatCountdown(hit.resetsAt.getTime() - now.getTime())})`;
  const resets = hit.resetEstimated ? `no reset time shown; retry around ${when}` : `resets ${when}`;
  return `${who} hit its ${limitName(hit.window)} — ${resets}`;
}

/** The reminder shown at the reset time. */
export function quotaResetMessage(account: AccountRef | null, window: LimitWindow | null): string {
  const who = account === null ? 'The current Claude Code login' : `Account ${account.label}`;
  return `${who}: the ${limitName(window)} should have reset now.`;
}

export function serverErrorsMessage(count: number, minutes: number): string {
  return `Claude's servers returned ${count} errors in the last ${minutes} minutes (overloaded or failing). This is not a usage limit; Claude Code retries by itself.`;
}

export function stateLabel(state: SessionState): string {
  switch (state) {
    case 'blocked':
      return 'limit reached';
    case 'suspected':
      return 'limit suspected';
    case 'cleared':
      return 'running again';
    case 'ok':
      return 'ok';
  }
}

export function sourceLabel(source: SignalSource): string {
  switch (source) {
    case 'terminal':
      return 'terminal screen';
    case 'tmux':
      return 'tmux pane';
    case 'transcript':
      return 'transcript';
    case 'cli':
      return 'CLI';
  }
}
