// The aggregates usage accounting keeps between scans (and, serialised, between runs): token totals
// per minute for the recent past, per day for all time, the keys of responses already counted, the
// active-account timeline, the limit hits seen, and which threshold warnings were given.
//
// Buckets are not per account: a minute is attributed when a report is made, through the timeline,
// so an account switch recorded after its lines were read still attributes them right.

import type { UsageEntry } from './usageLine';

/** input, output, cache creation, cache read. */
export type Tokens = [number, number, number, number];

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** Minute buckets and dedupe keys are kept this long: a week plus a day of slack for the weekly window. */
export const RETENTION_MS = 8 * DAY_MS;

/** The two windows a subscription's limits are counted in. */
export type UsageWindow = 'fiveHour' | 'weekly';
export const WINDOW_MS: Record<UsageWindow, number> = { fiveHour: 5 * HOUR_MS, weekly: 7 * DAY_MS };

/** From this moment on, `key` was the account Claude Code used. */
export interface TimelineEntry {
  readonly at: number;
  /** The account's identity: its email, lower-cased (both the editor and the CLI know it). */
  readonly key: string;
  readonly label: string;
}

/** An account hit a limit at `at`; the window resets at `resetsAt`. */
export interface LimitHit {
  /** Null when only the time is known (a transcript line): the timeline says whose it was. */
  readonly key: string | null;
  readonly window: UsageWindow;
  readonly at: number;
  readonly resetsAt: number;
}

/** The serialisable form (validated on load by usageState.ts). */
export interface LedgerData {
  readonly minutes: readonly (readonly [number, number, number, number, number])[];
  readonly daily: readonly (readonly [string, number, number, number, number])[];
  readonly seen: readonly (readonly [string, number])[];
  readonly timeline: readonly TimelineEntry[];
  readonly hits: readonly LimitHit[];
  readonly warned: readonly (readonly [string, number])[];
}

export function totalOf(t: Readonly<Tokens>): number {
  return t[0] + t[1] + t[2] + t[3];
}

export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export class UsageLedger {
  /** Minute index (ms / 60 000) to its tokens. */
  readonly minutes = new Map<number, Tokens>();
  /** UTC day (YYYY-MM-DD) to its tokens, all time. */
  readonly daily = new Map<string, Tokens>();
  /** Dedupe key to the minute of its line. */
  readonly seen = new Map<string, number>();
  timeline: TimelineEntry[] = [];
  hits: LimitHit[] = [];
  /** `key|window` to the end of the window a warning was given for. */
  readonly warned = new Map<string, number>();
  /** Responses counted and repeated lines skipped since this ledger was made (not persisted). */
  counted = 0;
  duplicates = 0;
  /** Set by every change; cleared by whoever persists the ledger. */
  dirty = false;

  /** Counts a response unless its key was counted already. Returns whether it was counted. */
  add(e: UsageEntry): boolean {
    const minute = Math.floor(e.at / MINUTE_MS);
    if (e.dedupeKey !== null) {
      if (this.seen.has(e.dedupeKey)) {
        this.duplicates++;
        return false;
      }
      this.seen.set(e.dedupeKey, minute);
    }
    const add = (map: Map<number, Tokens> | Map<string, Tokens>, k: number | string): void => {
      const m = map as Map<number | string, Tokens>;
      let t = m.get(k);
      if (t === undefined) {
        t = [0, 0, 0, 0];
        m.set(k, t);
      }
      t[0] += e.input;
      t[1] += e.output;
      t[2] += e.cacheCreation;
      t[3] += e.cacheRead;
    };
    add(this.minutes, minute);
    add(this.daily, dayOf(e.at));
    this.counted++;
    this.dirty = true;
    return true;
  }

  /** Records which account is active from `at` on; nothing when it already was. Returns whether it changed. */
  noteActive(key: string, label: string, at: number): boolean {
    const last = this.timeline[this.timeline.length - 1];
    if (last !== undefined && last.key === key) {
      if (last.label !== label) {
        this.timeline[this.timeline.length - 1] = { ...last, label };
        this.dirty = true;
      }
      return false;
    }
    // A clock step backwards must not reorder the timeline.
    const when = last !== undefined ? Math.max(at, last.at) : at;
    this.timeline.push({ at: when, key, label });
    this.dirty = true;
    return true;
  }

  /** The account active at `at`: the last switch before it, else the first one known (see README). */
  accountAt(at: number): TimelineEntry | null {
    const t = this.timeline;
    if (t.length === 0) return null;
    let lo = 0;
    let hi = t.length - 1;
    if (at < t[0].at) return t[0];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (t[mid].at <= at) lo = mid;
      else hi = mid - 1;
    }
    return t[lo];
  }

  /** Records a limit hit; the same reset seen again keeps its first sighting (the moment of the hit). */
  addHit(hit: LimitHit): void {
    // A window cannot reset later than its length after the hit: such a time is an estimate or a
    // misread (a clock time taken for the next day), and would put the whole window in the future.
    if (hit.resetsAt - hit.at > WINDOW_MS[hit.window] + MINUTE_MS) return;
    const key = hit.key ?? this.accountAt(hit.at)?.key ?? null;
    const same = this.hits.findIndex((h) => h.window === hit.window && Math.abs(h.resetsAt - hit.resetsAt) < MINUTE_MS && (h.key ?? this.accountAt(h.at)?.key ?? null) === key);
    if (same !== -1) {
      const old = this.hits[same];
      if (old.at <= hit.at && (old.key !== null || hit.key === null)) return;
      this.hits[same] = { ...hit, key: hit.key ?? old.key, at: Math.min(old.at, hit.at) };
    } else {
      this.hits.push(hit);
    }
    this.dirty = true;
  }

  /** Forgets what is older than the retention (relative to `now`); the day totals stay. */
  prune(now: number): void {
    const oldestMinute = Math.floor((now - RETENTION_MS) / MINUTE_MS);
    for (const m of this.minutes.keys()) if (m < oldestMinute) this.minutes.delete(m);
    for (const [k, m] of this.seen) if (m < oldestMinute) this.seen.delete(k);
    const cut = now - RETENTION_MS;
    this.hits = this.hits.filter((h) => h.resetsAt >= cut);
    for (const [k, until] of this.warned) if (until < cut) this.warned.delete(k);
    // Keep the last entry before the cut: it says who was active at the start of the retained range.
    const firstKept = this.timeline.findIndex((e) => e.at >= cut);
    if (firstKept > 1) this.timeline = this.timeline.slice(firstKept - 1);
    else if (firstKept === -1 && this.timeline.length > 1) this.timeline = this.timeline.slice(-1);
  }

  toData(): LedgerData {
    return {
      minutes: [...this.minutes].sort((a, b) => a[0] - b[0]).map(([m, t]) => [m, ...t] as const),
      daily: [...this.daily].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([d, t]) => [d, ...t] as const),
      seen: [...this.seen],
      timeline: this.timeline,
      hits: this.hits,
      warned: [...this.warned],
    };
  }

  static fromData(data: LedgerData): UsageLedger {
    const l = new UsageLedger();
    for (const [m, a, b, c, d] of data.minutes) l.minutes.set(m, [a, b, c, d]);
    for (const [day, a, b, c, d] of data.daily) l.daily.set(day, [a, b, c, d]);
    for (const [k, m] of data.seen) l.seen.set(k, m);
    l.timeline = [...data.timeline].sort((a, b) => a.at - b.at);
    l.hits = [...data.hits];
    for (const [k, until] of data.warned) l.warned.set(k, until);
    return l;
  }
}
