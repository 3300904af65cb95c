// Per-account usage from the ledger: the current 5-hour block and week, anchored to the resets the
// API reported where one is known, the burn rate, the limit (configured, else learned from a hit) and
// when it runs out at that rate. Pure functions of the ledger and the clock.

import { escapeForDisplay } from '../base/displayText';
import { HOUR_MS, MINUTE_MS, WINDOW_MS, totalOf, type Tokens, type UsageLedger, type UsageWindow } from './usageLedger';

/** Configured limits in tokens (all four kinds summed); null or 0: use the learned one. */
export interface UsageLimits {
  readonly fiveHour?: number | null;
  readonly weekly?: number | null;
}

export interface WindowReport {
  readonly window: UsageWindow;
  readonly start: number;
  readonly end: number;
  /**
   * 'reset': bounded by a reset time Claude Code reported (or, for the week, its weekly cadence);
   * 'estimated': no reset known, so a guess: the 5-hour block from the first activity (rounded down to
   * the hour, as ccusage does), the week as the last seven days.
   */
  readonly anchor: 'reset' | 'estimated';
  readonly tokens: Tokens;
  readonly total: number;
  readonly limit: number | null;
  readonly limitSource: 'configured' | 'learned' | null;
  /** 0–100 and beyond; null without a limit. */
  readonly usedPercent: number | null;
  /** When the limit is reached at the current burn rate; null without a limit or burn, or not before the window ends. */
  readonly projectedExhaustionAt: number | null;
}

export interface AccountUsage {
  readonly key: string;
  readonly label: string;
  readonly active: boolean;
  /** Null when no 5-hour block is running (no activity since the last one ended). */
  readonly fiveHour: WindowReport | null;
  readonly weekly: WindowReport;
  /** Tokens per minute over the last 15 minutes. */
  readonly burnRatePerMinute: number;
  /** Tokens per hour for the last 24 hours, oldest first; the last entry is the current hour. */
  readonly hourly: readonly number[];
}

export interface UsageReport {
  readonly generatedAt: number;
  readonly accounts: readonly AccountUsage[];
  /** Since when the active account is known; usage before it is given to the first account known. */
  readonly attributionSince: number | null;
  /** All time, deduplicated. */
  readonly totals: Tokens;
}

export const UNKNOWN_ACCOUNT = 'unknown';
export const BURN_WINDOW_MS = 15 * MINUTE_MS;

export interface ReportOptions {
  readonly now: number;
  readonly limits?: UsageLimits;
  /** Accounts to list even without usage (saved profiles): key and label. */
  readonly accounts?: readonly { readonly key: string; readonly label: string }[];
}

interface Series {
  /** Minute start times (ms), ascending, and their tokens. */
  readonly at: number[];
  readonly tokens: Tokens[];
}

export function buildReport(ledger: UsageLedger, opts: ReportOptions): UsageReport {
  const { now } = opts;
  const series = new Map<string, Series>();
  const labels = new Map<string, string>();
  // Labels from a state file written by hand or by an older release are shown escaped too.
  for (const e of ledger.timeline) labels.set(e.key, escapeForDisplay(e.label));
  for (const a of opts.accounts ?? []) if (!labels.has(a.key)) labels.set(a.key, escapeForDisplay(a.label));
  const minutes = [...ledger.minutes.keys()].sort((a, b) => a - b);
  for (const m of minutes) {
    const at = m * MINUTE_MS;
    // A minute with a switch in it goes to the account switched to: switches follow a limit hit, after
    // which the old account serves nothing more.
    const key = ledger.accountAt(at + MINUTE_MS - 1)?.key ?? UNKNOWN_ACCOUNT;
    let s = series.get(key);
    if (s === undefined) {
      s = { at: [], tokens: [] };
      series.set(key, s);
    }
    s.at.push(at);
    s.tokens.push(ledger.minutes.get(m) as Tokens);
  }
  if (series.has(UNKNOWN_ACCOUNT)) labels.set(UNKNOWN_ACCOUNT, 'unknown account');
  const activeKey = ledger.timeline[ledger.timeline.length - 1]?.key ?? null;
  const keys = [...labels.keys()].filter((k) => k !== UNKNOWN_ACCOUNT || series.has(k));
  const accounts = keys.map((key) => accountReport(ledger, key, labels.get(key) ?? key, key === activeKey, series.get(key) ?? { at: [], tokens: [] }, opts));
  const totals: Tokens = [0, 0, 0, 0];
  for (const t of ledger.daily.values()) for (let i = 0; i < 4; i++) totals[i] += t[i];
  return { generatedAt: now, accounts, attributionSince: ledger.timeline[0]?.at ?? null, totals };
}

function accountReport(ledger: UsageLedger, key: string, label: string, active: boolean, s: Series, opts: ReportOptions): AccountUsage {
  const { now } = opts;
  const burn = sum(s, now - BURN_WINDOW_MS + 1, now + 1);
  const burnRatePerMinute = totalOf(burn) / (BURN_WINDOW_MS / MINUTE_MS);
  const hits = ledger.hits.filter((h) => (h.key ?? ledger.accountAt(h.at)?.key ?? UNKNOWN_ACCOUNT) === key);
  const limitFor = (w: UsageWindow): { limit: number | null; source: 'configured' | 'learned' | null } => {
    const configured = opts.limits?.[w];
    if (typeof configured === 'number' && configured > 0) return { limit: configured, source: 'configured' };
    // The tokens used in the window up to the moment of the latest hit are what the window allowed.
    const last = hits.filter((h) => h.window === w).sort((a, b) => b.at - a.at)[0];
    if (last === undefined) return { limit: null, source: null };
    const used = totalOf(sum(s, last.resetsAt - WINDOW_MS[w], Math.floor(last.at / MINUTE_MS) * MINUTE_MS + MINUTE_MS));
    return used > 0 ? { limit: used, source: 'learned' } : { limit: null, source: null };
  };
  const window = (w: UsageWindow, start: number, end: number, anchor: 'reset' | 'estimated', capAtEnd: boolean): WindowReport => {
    const tokens = sum(s, start, Math.min(end, now + 1));
    const total = totalOf(tokens);
    const { limit, source } = limitFor(w);
    let projected: number | null = null;
    if (limit !== null) {
      if (total >= limit) projected = now;
      else if (burnRatePerMinute > 0) {
        const at = now + ((limit - total) / burnRatePerMinute) * MINUTE_MS;
        projected = capAtEnd && at >= end ? null : Math.round(at);
      }
    }
    return {
      window: w,
      start,
      end,
      anchor,
      tokens,
      total,
      limit,
      limitSource: source,
      usedPercent: limit !== null ? (total / limit) * 100 : null,
      projectedExhaustionAt: projected,
    };
  };

  // 5-hour block: a reset still ahead bounds it exactly; otherwise the block is guessed from activity
  // after the last reset seen.
  const fiveResets = hits.filter((h) => h.window === 'fiveHour').map((h) => h.resetsAt);
  const ahead5 = fiveResets.filter((r) => r > now);
  let fiveHour: WindowReport | null;
  if (ahead5.length > 0) {
    const r = Math.min(...ahead5);
    fiveHour = window('fiveHour', r - WINDOW_MS.fiveHour, r, 'reset', true);
  } else {
    const after = Math.max(-Infinity, ...fiveResets);
    const start = guessBlockStart(s, after, now);
    fiveHour = start === null ? null : window('fiveHour', start, start + WINDOW_MS.fiveHour, 'estimated', true);
  }

  // Week: a reset ahead bounds it; a past one repeats weekly; else the last seven days.
  const weekResets = hits.filter((h) => h.window === 'weekly').map((h) => h.resetsAt);
  let weekly: WindowReport;
  if (weekResets.length > 0) {
    const ahead = weekResets.filter((r) => r > now);
    let r: number;
    if (ahead.length > 0) r = Math.min(...ahead);
    else {
      const last = Math.max(...weekResets);
      r = last + Math.ceil((now + 1 - last) / WINDOW_MS.weekly) * WINDOW_MS.weekly;
    }
    weekly = window('weekly', r - WINDOW_MS.weekly, r, 'reset', true);
  } else {
    weekly = window('weekly', now - WINDOW_MS.weekly, now, 'estimated', false);
  }

  const hourly: number[] = [];
  const hourStart = Math.floor(now / HOUR_MS) * HOUR_MS;
  for (let i = 23; i >= 0; i--) {
    const from = hourStart - i * HOUR_MS;
    hourly.push(totalOf(sum(s, from, from + HOUR_MS)));
  }
  return { key, label, active, fiveHour, weekly, burnRatePerMinute, hourly };
}

/**
 * ccusage's block rule: a block starts at the first activity (rounded down to the hour) and lasts five
 * hours; the next activity after it starts the next one. Activity before `after` (a reset) is ignored.
 * Returns the start of the block running at `now`, or null.
 */
export function guessBlockStart(s: { readonly at: readonly number[]; readonly tokens: readonly Tokens[] }, after: number, now: number): number | null {
  let start: number | null = null;
  for (let i = 0; i < s.at.length; i++) {
    const at = s.at[i];
    if (at < after || at > now || totalOf(s.tokens[i]) === 0) continue;
    if (start === null || at >= start + WINDOW_MS.fiveHour) {
      start = Math.floor(at / HOUR_MS) * HOUR_MS;
      // A reset ends the previous window; the new one cannot start before it.
      if (start < after) start = after;
    }
  }
  return start !== null && now < start + WINDOW_MS.fiveHour ? start : null;
}

/** Tokens of the minutes in [from, to). */
function sum(s: Series, from: number, to: number): Tokens {
  const out: Tokens = [0, 0, 0, 0];
  let lo = 0;
  let hi = s.at.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.at[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < s.at.length && s.at[i] < to; i++) {
    const t = s.tokens[i];
    out[0] += t[0];
    out[1] += t[1];
    out[2] += t[2];
    out[3] += t[3];
  }
  return out;
}

/** A warning to give: an account's window crossed the threshold of its limit. */
export interface ThresholdWarning {
  readonly key: string;
  readonly label: string;
  readonly window: UsageWindow;
  readonly usedPercent: number;
  readonly limit: number;
  readonly limitSource: 'configured' | 'learned';
  readonly windowEnd: number;
  readonly anchor: 'reset' | 'estimated';
}

/**
 * The warnings due for this report, each once per window: the ledger remembers until when a window
 * was warned about (persisted, so a restart does not warn again).
 */
export function takeDueWarnings(ledger: UsageLedger, report: UsageReport, thresholdPercent: number): ThresholdWarning[] {
  const out: ThresholdWarning[] = [];
  const now = report.generatedAt;
  for (const a of report.accounts) {
    for (const w of [a.fiveHour, a.weekly]) {
      if (w === null || w.usedPercent === null || w.limit === null || w.limitSource === null) continue;
      if (w.usedPercent < thresholdPercent) continue;
      const id = `${a.key}|${w.window}`;
      if ((ledger.warned.get(id) ?? -Infinity) > now) continue;
      // A rolling (estimated) week has no end: one warning per seven days.
      const until = w.end > now ? w.end : now + WINDOW_MS[w.window];
      ledger.warned.set(id, until);
      ledger.dirty = true;
      out.push({ key: a.key, label: a.label, window: w.window, usedPercent: w.usedPercent, limit: w.limit, limitSource: w.limitSource, windowEnd: w.end, anchor: w.anchor });
    }
  }
  return out;
}
