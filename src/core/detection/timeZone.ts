// Time-zone arithmetic on top of the platform's Intl zone data (no offset tables of our own, so
// DST rules and legacy aliases such as America/Cordoba or Asia/Calcutta stay as current as the runtime).

import type { TimeContext } from './types';

/** The zone this process runs in; Claude Code in a local terminal renders its clock times in it. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function localTimeContext(now: Date = new Date()): TimeContext {
  return { now, timeZone: localTimeZone() };
}

/** A zone: an IANA name understood by Intl, or a fixed UTC offset such as "GMT+2" or "UTC-05:30". */
export type Zone =
  | { readonly kind: 'iana'; readonly name: string }
  | { readonly kind: 'fixed'; readonly offsetMs: number };

/** Local calendar date and clock time in some zone. Month is 1-12. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond?: number;
}

export const UTC_ZONE: Zone = Object.freeze({ kind: 'fixed', offsetMs: 0 });

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
// Offsets in use have always stayed within UTC-12..UTC+14; a little slack for historic local mean time.
const MAX_FIXED_OFFSET_MS = 18 * HOUR_MS;

const FIXED_OFFSET_RE = /^(?:(?:utc|gmt|z)[ \t]?)?([+\-\u2212])[ \t]?(\d{1,2})(?::?(\d{2}))?$/i;

// Building an Intl.DateTimeFormat is far more expensive than using one; zones seen are few.
const formatters = new Map<string, Intl.DateTimeFormat>();
// Rejected names are remembered too: Intl throwing on them is the slow path.
const unknownNames = new Set<string>();
const MAX_CACHED_FORMATTERS = 64;

function formatterFor(name: string): Intl.DateTimeFormat {
  let f = formatters.get(name);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= MAX_CACHED_FORMATTERS) formatters.clear();
    formatters.set(name, f);
  }
  return f;
}

/** True when the runtime knows this IANA zone name (aliases included). */
export function isValidTimeZone(name: string): boolean {
  if (name.length === 0 || name.length > 64 || unknownNames.has(name)) return false;
  try {
    formatterFor(name);
    return true;
  } catch {
    if (unknownNames.size >= MAX_CACHED_FORMATTERS) unknownNames.clear();
    unknownNames.add(name);
    return false;
  }
}

/**
 * Reads a zone name: "UTC", "GMT", "Z", fixed offsets ("GMT+2", "UTC-05:30", "+0530"), or any IANA
 * name the runtime knows. Null when the name is not understood.
 */
export function resolveZone(name: string): Zone | null {
  const trimmed = name.trim();
  if (/^(?:utc|gmt|z)$/i.test(trimmed)) return UTC_ZONE;
  const m = FIXED_OFFSET_RE.exec(trimmed);
  if (m !== null) {
    const hours = Number(m[2]);
    const minutes = m[3] === undefined ? 0 : Number(m[3]);
    if (minutes > 59) return null;
    const magnitude = hours * HOUR_MS + minutes * MINUTE_MS;
    if (magnitude > MAX_FIXED_OFFSET_MS) return null;
    return { kind: 'fixed', offsetMs: m[1] === '+' ? magnitude : -magnitude };
  }
  return isValidTimeZone(trimmed) ? { kind: 'iana', name: trimmed } : null;
}

/** Wall time of an instant in a zone. */
export function toWallTime(zone: Zone, epochMs: number): WallTime {
  if (zone.kind === 'fixed') return utcFields(epochMs + zone.offsetMs);
  const parts = formatterFor(zone.name).formatToParts(new Date(epochMs));
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const p of parts) {
    switch (p.type) {
      case 'year': year = Number(p.value); break;
      case 'month': month = Number(p.value); break;
      case 'day': day = Number(p.value); break;
      case 'hour': hour = Number(p.value) % 24; break;
      case 'minute': minute = Number(p.value); break;
      case 'second': second = Number(p.value); break;
      default: break;
    }
  }
  return { year, month, day, hour, minute, second, millisecond: mod(epochMs, 1000) };
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
export function offsetAt(zone: Zone, epochMs: number): number {
  if (zone.kind === 'fixed') return zone.offsetMs;
  const w = toWallTime(zone, epochMs);
  return wallAsUtc(w) - epochMs;
}

/**
 * Every instant whose wall time in the zone is `wall`, ascending: one normally, two in a DST overlap
 * (clocks set back), none in a DST gap (clocks set forward).
 */
export function wallTimeInstants(zone: Zone, wall: WallTime): number[] {
  const local = wallAsUtc(wall);
  if (!Number.isFinite(local)) return [];
  if (zone.kind === 'fixed') return [local - zone.offsetMs];
  // Offsets a day either side bracket any single transition near this wall time.
  const before = offsetAt(zone, local - DAY_MS);
  const after = offsetAt(zone, local + DAY_MS);
  const out: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const candidate = local - offset;
    if (offsetAt(zone, candidate) === offset && !out.includes(candidate)) out.push(candidate);
  }
  if (out.length === 0) {
    // Transition not within a day either side (rare zone histories): trust the offset at the guess.
    const guess = local - offsetAt(zone, local);
    if (offsetAt(zone, guess) === local - guess) out.push(guess);
  }
  return out.sort((a, b) => a - b);
}

/**
 * The instant for a wall time. In an overlap the earlier instant wins; a wall time that falls in a
 * DST gap is read with the offset in force before the gap, i.e. moved forward by the gap's length
 * (02:30 on a spring-forward night of a one-hour gap becomes 03:30), as clocks themselves do.
 */
export function fromWallTime(zone: Zone, wall: WallTime): number {
  const instants = wallTimeInstants(zone, wall);
  if (instants.length > 0) return instants[0] as number;
  return gapInstant(zone, wall);
}

/** The forward-shifted instant for a wall time inside a DST gap (see fromWallTime). */
export function gapInstant(zone: Zone, wall: WallTime): number {
  const local = wallAsUtc(wall);
  return local - offsetAt(zone, local - DAY_MS);
}

/** Adds whole days to a calendar date (month 1-12), normalising month/year overflow. */
export function addDays(year: number, month: number, day: number, days: number): { year: number; month: number; day: number } {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day + days);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** Day of week (0 = Sunday) of a calendar date. */
export function weekdayOf(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getUTCDay();
}

/** The wall time's fields read as if they were UTC, in ms. setUTCFullYear keeps years 0-99 literal. */
function wallAsUtc(w: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, w.millisecond ?? 0);
  return d.getTime();
}

function utcFields(ms: number): WallTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
