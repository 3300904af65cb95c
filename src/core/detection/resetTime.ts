// Finds when a usage limit resets in a rendered Claude Code status line.
//
// Claude Code prints reset times in the process time zone: a clock time ("resets 8pm") when under a
// day away, month/day plus clock ("resets Mar 3, 9am") otherwise, followed by the IANA zone in
// parentheses on the main line and without it in footers. Older builds print epoch seconds after a
// pipe ("...reached|1767225600"); API errors carry relative waits and HTTP dates.
//
// Every regex below is either anchored (sticky) or built from bounded quantifiers, and the text is
// cut to MAX_EXAMINED characters first, so a hostile line costs linear time.

import type { TimeContext } from './types';
import { findRelative, parseDuration } from './durations';
import { MAX_YEAR, MIN_YEAR, MONTHS, SECOND_MS, at, monthNumber, skip, validDate, weekdayNumber } from './timeText';
import {
  UTC_ZONE,
  addDays,
  gapInstant,
  resolveZone,
  toWallTime,
  wallTimeInstants,
  weekdayOf,
  type Zone,
} from './timeZone';

export { parseDuration };

const MAX_DATE_MS = 8.64e15;

/** Only this many leading characters are examined; a status line is far shorter. */
export const MAX_EXAMINED = 4096;

// Leap days need up to eight years to come round again (e.g. 2096 -> 2104).
const MAX_YEAR_LOOKAHEAD = 8;

interface Clock {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

interface CalendarDate {
  readonly month: number;
  readonly day: number;
  readonly year: number | null;
}

interface Expression {
  readonly clock: Clock | null;
  readonly date: CalendarDate | null;
  readonly weekday: number | null;
  /** 0 for "today"/"tonight", 1 for "tomorrow". */
  readonly dayShift: number | null;
  readonly end: number;
}

/**
 * The reset instant named in a status line, or null when it names none. Never throws.
 *
 * Times without a zone are read in the zone given in parentheses after them, else in any
 * "(Area/City)" / "(UTC+2)" zone elsewhere on the line, else in `ctx.timeZone`. A zone name the
 * runtime does not know also falls back to `ctx.timeZone` (and an unknown `ctx.timeZone` to UTC),
 * because a slightly wrong zone beats losing the reset time altogether.
 *
 * A clock time or date without a year means its next occurrence strictly after `ctx.now` in that
 * zone. A local time skipped by a DST change is moved forward by the gap; a repeated one resolves to
 * the first occurrence after `now` (for a fixed date, the earlier one).
 */
export function parseResetTime(text: string, ctx: TimeContext): Date | null {
  try {
    if (typeof text !== 'string' || text.length === 0) return null;
    const s = normalize(text);
    const nowMs = ctx.now instanceof Date ? ctx.now.getTime() : NaN;
    const hasNow = Number.isFinite(nowMs);
    const zone = (): Zone => contextZone(ctx);
    const found =
      findEpoch(s) ??
      findIso(s, zone) ??
      findHttpDate(s, zone) ??
      (hasNow ? findClockOrDate(s, zone, nowMs) : null) ??
      (hasNow ? findRelative(s, nowMs) : null);
    return toDate(found);
  } catch {
    return null;
  }
}

/**
 * An HTTP Retry-After value: delta seconds ("120", leniently "1.5") added to `now`, or an HTTP-date
 * (IMF-fixdate, RFC 850 or asctime; always GMT). Null when unreadable.
 */
export function parseRetryAfter(value: string, now: Date): Date | null {
  try {
    if (typeof value !== 'string' || value.length > 256) return null;
    const v = value.trim();
    if (/^\d{1,15}(?:\.\d{1,9})?$/.test(v)) {
      const nowMs = now instanceof Date ? now.getTime() : NaN;
      if (!Number.isFinite(nowMs)) return null;
      return toDate(nowMs + Math.round(Number(v) * SECOND_MS));
    }
    return toDate(findHttpDate(normalize(v), () => UTC_ZONE));
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Input clean-up

function normalize(text: string): string {
  const capped = text.length > MAX_EXAMINED ? text.slice(0, MAX_EXAMINED) : text;
  return capped
    .replace(/\u001b\[[0-9;?]{0,32}[ -/]{0,4}[@-~]/g, '') // ANSI CSI (colours) in raw terminal text
    .replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' '); // NBSP/narrow NBSP before "PM" included
}

function toDate(ms: number | null): Date | null {
  if (ms === null || !Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) return null;
  return new Date(ms);
}

function contextZone(ctx: TimeContext): Zone {
  const name = typeof ctx.timeZone === 'string' ? ctx.timeZone : '';
  return resolveZone(name) ?? UTC_ZONE;
}


// ---------------------------------------------------------------------------------------------
// Epoch, ISO 8601 / RFC 3339, HTTP-date

const EPOCH_RE = /\|[ \t]{0,4}(\d{10}|\d{13})(?!\d)/;

function findEpoch(s: string): number | null {
  const m = EPOCH_RE.exec(s);
  if (m === null) return null;
  const digits = m[1] as string;
  return digits.length === 13 ? Number(digits) : Number(digits) * SECOND_MS;
}

const ISO_RE =
  /(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?[ \t]?([Zz]|[+\-\u2212]\d{2}(?::?\d{2})?)?)?(?![\d:])/g;

function findIso(s: string, defaultZone: () => Zone): number | null {
  ISO_RE.lastIndex = 0;
  for (let m = ISO_RE.exec(s); m !== null; m = ISO_RE.exec(s)) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    const hour = m[4] === undefined ? 0 : Number(m[4]);
    const minute = m[5] === undefined ? 0 : Number(m[5]);
    // A leap second (":60") is read as the last whole second of the minute.
    const second = m[6] === undefined ? 0 : Math.min(Number(m[6]), 59);
    const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
    if (!validDate(year, month, day) || hour > 23 || minute > 59) continue;
    const zone = m[8] !== undefined ? resolveZone(m[8]) : (zoneInText(s) ?? defaultZone());
    if (zone === null) continue;
    return instantOf(zone, { year, month, day, hour, minute, second, millisecond: ms }, null);
  }
  return null;
}


// IMF-fixdate "Mon, 23 Nov 2026 15:40:00 GMT" and RFC 850 "Monday, 23-Nov-26 15:40:00 GMT".
const HTTP_DATE_RE = new RegExp(
  `(?<!\\d)(\\d{1,2})[ \\t-](${MONTHS})\\.?[ \\t-](\\d{4}|\\d{2})(?!\\d)[ \\t]{1,3}(\\d{1,2}):(\\d{2})(?::(\\d{2}))?` +
    `(?:[ \\t]{0,2}(gmt|utc|ut|z|[+\\-]\\d{2}:?\\d{2}))?(?![a-z0-9])`,
  'gi',
);
// asctime "Mon Nov 23 15:40:00 2026".
const ASCTIME_RE = new RegExp(
  `\\b(${MONTHS})[ \\t]{1,2}(\\d{1,2})[ \\t](\\d{1,2}):(\\d{2}):(\\d{2})[ \\t](\\d{4})(?!\\d)`,
  'gi',
);

function findHttpDate(s: string, defaultZone: () => Zone): number | null {
  HTTP_DATE_RE.lastIndex = 0;
  for (let m = HTTP_DATE_RE.exec(s); m !== null; m = HTTP_DATE_RE.exec(s)) {
    const yy = m[3] as string;
    // RFC 850 two-digit years: this century is the only plausible one for a reset time.
    const year = yy.length === 2 ? 2000 + Number(yy) : Number(yy);
    const month = monthNumber(m[2] as string);
    const day = Number(m[1]);
    const hour = Number(m[4]);
    const minute = Number(m[5]);
    const second = m[6] === undefined ? 0 : Math.min(Number(m[6]), 59);
    if (!validDate(year, month, day) || hour > 23 || minute > 59) continue;
    const zone = m[7] !== undefined ? resolveZone(m[7]) : (zoneInText(s) ?? defaultZone());
    if (zone === null) continue;
    return instantOf(zone, { year, month, day, hour, minute, second }, null);
  }
  ASCTIME_RE.lastIndex = 0;
  for (let m = ASCTIME_RE.exec(s); m !== null; m = ASCTIME_RE.exec(s)) {
    const year = Number(m[6]);
    const month = monthNumber(m[1] as string);
    const day = Number(m[2]);
    const hour = Number(m[3]);
    const minute = Number(m[4]);
    const second = Math.min(Number(m[5]), 59);
    if (!validDate(year, month, day) || hour > 23 || minute > 59) continue;
    return instantOf(UTC_ZONE, { year, month, day, hour, minute, second }, null);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Clock times and dates ("8pm", "11:30pm", "16:30", "Feb 7, 11am", "Jul 27 at 4:30am", "Dec 2")

// Words after which a reset time is expected.
const KEYWORD_RE = /\b(?:resets?|resetting|at|until|till|after|by|on)\b/gi;
// Without a keyword, only unmistakable times are taken: a clock with am/pm, or month name + day.
const BARE_START_RE = new RegExp(
  `(?<![\\w:.])(?=\\d{1,2}(?:[:.]\\d{2}){0,2}[ \\t]{0,2}[ap]\\.?m(?![a-z]))|\\b(?=(?:${MONTHS})\\.?[ \\t]{1,3}\\d)`,
  'gi',
);

const LEAD_RE = /[ \t]{0,4}(?:[:=][ \t]{0,4})?(?:(?:at|on|by)[ \t]{1,4})?/iy;
const WEEKDAY_RE =
  /(sunday|sun|monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat)\.?(?![a-z])/iy;
const RELDAY_RE = /(today|tonight|tomorrow|tmrw)(?![a-z])/iy;
const COMMA_GAP_RE = /[ \t]{0,4},?[ \t]{0,4}/y;
const MONTH_RE = new RegExp(`(${MONTHS})\\.?(?![a-z])`, 'iy');
const DAY_AFTER_MONTH_RE = /[ \t]{0,3}(\d{1,2})(?:st|nd|rd|th)?(?![\d:a-z])/iy;
const DAY_BEFORE_MONTH_RE = /(\d{1,2})(?:st|nd|rd|th)?[ \t]{1,3}(?:of[ \t]{1,3})?/iy;
const YEAR_RE = /[ \t]{0,3},?[ \t]{0,3}(\d{4})(?![\d:])/y;
const DATE_CLOCK_SEP_RE = /[ \t]{0,4}(?:[,@\-\u2013][ \t]{0,4})?(?:at[ \t]{1,4})?/iy;
const CLOCK_DATE_SEP_RE = /[ \t]{0,4}(?:,[ \t]{0,4})?(?:on[ \t]{1,4})?/iy;
const CLOCK12_RE = /(\d{1,2})(?:[:.](\d{2})(?::(\d{2}))?)?[ \t]{0,2}([ap])\.?m\.?(?![a-z])/iy;
const CLOCK24_RE = /([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?![\d:])(?![ \t]?[ap]\.?m(?![a-z]))/iy;
const NAMED_CLOCK_RE = /(noon|midday|midnight)(?![a-z])/iy;

function findClockOrDate(s: string, defaultZone: () => Zone, nowMs: number): number | null {
  const fromKeywords = scanStarts(s, KEYWORD_RE, defaultZone, nowMs);
  // A time found after a keyword but impossible ("Feb 30, 9am") must not be re-read piecemeal.
  if (fromKeywords.ms !== null || fromKeywords.sawExpression) return fromKeywords.ms;
  return scanStarts(s, BARE_START_RE, defaultZone, nowMs).ms;
}

function scanStarts(
  s: string,
  re: RegExp,
  defaultZone: () => Zone,
  nowMs: number,
): { ms: number | null; sawExpression: boolean } {
  let sawExpression = false;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    if (m[0].length === 0) re.lastIndex++; // zero-width starts must still advance
    const expr = expressionAt(s, m.index + m[0].length);
    if (expr === null) continue;
    sawExpression = true;
    const zone = zoneAfter(s, expr.end) ?? zoneInText(s) ?? defaultZone();
    const ms = resolveExpression(expr, zone, nowMs);
    if (ms !== null) return { ms, sawExpression };
    re.lastIndex = Math.max(re.lastIndex, expr.end); // its inner words ("at 9am") are not fresh starts
  }
  return { ms: null, sawExpression };
}

function expressionAt(s: string, start: number): Expression | null {
  let p = skip(LEAD_RE, s, start);
  let weekday: number | null = null;
  let dayShift: number | null = null;
  let date: CalendarDate | null = null;
  let clock: Clock | null = null;

  const wd = at(WEEKDAY_RE, s, p);
  if (wd !== null) {
    weekday = weekdayNumber(wd[1] as string);
    p = skip(COMMA_GAP_RE, s, wd.index + wd[0].length);
  }
  const rel = at(RELDAY_RE, s, p);
  if (rel !== null) {
    dayShift = /^tom|^tmr/i.test(rel[1] as string) ? 1 : 0;
    p = skip(COMMA_GAP_RE, s, rel.index + rel[0].length);
  }
  const d = dateAt(s, p);
  if (d !== null) {
    date = d.date;
    p = d.end;
  }
  const c = clockAt(s, date !== null || weekday !== null || dayShift !== null ? skip(DATE_CLOCK_SEP_RE, s, p) : p);
  if (c !== null) {
    clock = c.clock;
    p = c.end;
    if (date === null && weekday === null && dayShift === null) {
      // The day may follow the clock: "9am on Mar 3", "9am tomorrow", "9am, Monday".
      const q = skip(CLOCK_DATE_SEP_RE, s, p);
      const rel2 = at(RELDAY_RE, s, q);
      const wd2 = rel2 === null ? at(WEEKDAY_RE, s, q) : null;
      const d2 = rel2 === null && wd2 === null ? dateAt(s, q) : null;
      if (rel2 !== null) {
        dayShift = /^tom|^tmr/i.test(rel2[1] as string) ? 1 : 0;
        p = rel2.index + rel2[0].length;
      } else if (wd2 !== null) {
        weekday = weekdayNumber(wd2[1] as string);
        p = wd2.index + wd2[0].length;
      } else if (d2 !== null) {
        date = d2.date;
        p = d2.end;
      }
    }
  }
  // A weekday or "tomorrow" on its own is too vague to be a reset time.
  if (clock === null && date === null) return null;
  return { clock, date, weekday, dayShift, end: p };
}

function dateAt(s: string, p: number): { date: CalendarDate; end: number } | null {
  let month: number | null = null;
  let day: number | null = null;
  let end = p;
  const mm = at(MONTH_RE, s, p);
  if (mm !== null) {
    const dd = at(DAY_AFTER_MONTH_RE, s, mm.index + mm[0].length);
    if (dd !== null) {
      month = monthNumber(mm[1] as string);
      day = Number(dd[1]);
      end = dd.index + dd[0].length;
    }
  } else {
    const dd = at(DAY_BEFORE_MONTH_RE, s, p);
    const m2 = dd !== null ? at(MONTH_RE, s, dd.index + dd[0].length) : null;
    if (dd !== null && m2 !== null) {
      month = monthNumber(m2[1] as string);
      day = Number(dd[1]);
      end = m2.index + m2[0].length;
    }
  }
  if (month === null || day === null || day < 1 || day > 31) return null;
  let year: number | null = null;
  const yy = at(YEAR_RE, s, end);
  if (yy !== null) {
    const y = Number(yy[1]);
    if (y >= MIN_YEAR && y <= MAX_YEAR) {
      year = y;
      end = yy.index + yy[0].length;
    }
  }
  return { date: { month, day, year }, end };
}

function clockAt(s: string, p: number): { clock: Clock; end: number } | null {
  const m12 = at(CLOCK12_RE, s, p);
  if (m12 !== null) {
    const h = Number(m12[1]);
    const minute = m12[2] === undefined ? 0 : Number(m12[2]);
    const second = m12[3] === undefined ? 0 : Number(m12[3]);
    if (h < 1 || h > 12 || minute > 59 || second > 59) return null;
    const pm = (m12[4] as string).toLowerCase() === 'p';
    // 12am is midnight, 12pm is noon.
    const hour = (h % 12) + (pm ? 12 : 0);
    return { clock: { hour, minute, second }, end: m12.index + m12[0].length };
  }
  const m24 = at(CLOCK24_RE, s, p);
  if (m24 !== null) {
    const second = m24[3] === undefined ? 0 : Number(m24[3]);
    return { clock: { hour: Number(m24[1]), minute: Number(m24[2]), second }, end: m24.index + m24[0].length };
  }
  const named = at(NAMED_CLOCK_RE, s, p);
  if (named !== null) {
    const hour = (named[1] as string).toLowerCase() === 'midnight' ? 0 : 12;
    return { clock: { hour, minute: 0, second: 0 }, end: named.index + named[0].length };
  }
  return null;
}

function resolveExpression(expr: Expression, zone: Zone, nowMs: number): number | null {
  const clock = expr.clock ?? { hour: 0, minute: 0, second: 0 };
  const today = toWallTime(zone, nowMs);
  const on = (year: number, month: number, day: number, after: number | null): number | null =>
    instantOf(zone, { year, month, day, hour: clock.hour, minute: clock.minute, second: clock.second }, after);

  if (expr.date !== null) {
    const { month, day, year } = expr.date;
    if (year !== null) return validDate(year, month, day) ? on(year, month, day, null) : null;
    for (let y = today.year; y <= today.year + MAX_YEAR_LOOKAHEAD; y++) {
      if (!validDate(y, month, day)) continue;
      const ms = on(y, month, day, nowMs);
      if (ms !== null) return ms;
    }
    return null;
  }
  if (expr.dayShift === 1) {
    const t = addDays(today.year, today.month, today.day, 1);
    return on(t.year, t.month, t.day, null);
  }
  // Plain clock (or "today"/"tonight", which a stale line may have meant yesterday): next occurrence.
  const horizon = expr.weekday !== null ? 8 : 3;
  for (let i = 0; i < horizon; i++) {
    const t = addDays(today.year, today.month, today.day, i);
    if (expr.weekday !== null && weekdayOf(t.year, t.month, t.day) !== expr.weekday) continue;
    const ms = on(t.year, t.month, t.day, nowMs);
    if (ms !== null) return ms;
  }
  return null;
}

/**
 * The instant of a wall time in a zone: with `after` set, the first one strictly after it (null if
 * none); otherwise the earliest. Wall times in a DST gap become the forward-shifted instant.
 */
function instantOf(
  zone: Zone,
  wall: { year: number; month: number; day: number; hour: number; minute: number; second: number; millisecond?: number },
  after: number | null,
): number | null {
  let instants = wallTimeInstants(zone, wall);
  if (instants.length === 0) instants = [gapInstant(zone, wall)];
  for (const ms of instants) {
    if (!Number.isFinite(ms)) continue;
    if (after === null || ms > after) return ms;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Zones named next to the time or elsewhere on the line

const ZONE_AFTER_RE =
  /[ \t]{0,3}(?:\([ \t]{0,2}([^()]{1,64}?)[ \t]{0,2}\)|((?:utc|gmt)(?:[ \t]?[+\-\u2212]\d{1,2}(?::?\d{2})?)?|z)(?![a-z0-9/])|([+\-\u2212]\d{2}:?\d{2})(?![\d:])|([a-z][a-z0-9_+\-]{0,30}(?:\/[a-z0-9_+\-]{1,30}){1,2})(?![a-z0-9/]))/iy;
// Elsewhere on the line only zone-shaped parentheses count ("(Europe/Paris)", "(UTC)", "(GMT+2)"), not
// words that happen to be legacy zone names ("(Japan)", "(Navajo)").
const PAREN_ZONE_RE =
  /\([ \t]{0,2}((?:utc|gmt)(?:[ \t]?[+\-\u2212]\d{1,2}(?::?\d{2})?)?|[a-z][a-z0-9_+\-]{0,30}(?:\/[a-z0-9_+\-]{1,30}){1,2})[ \t]{0,2}\)/gi;

function zoneAfter(s: string, end: number): Zone | null {
  const m = at(ZONE_AFTER_RE, s, end);
  if (m === null) return null;
  const name = m[1] ?? m[2] ?? m[3] ?? m[4];
  return name === undefined ? null : resolveZone(name);
}

function zoneInText(s: string): Zone | null {
  PAREN_ZONE_RE.lastIndex = 0;
  for (let m = PAREN_ZONE_RE.exec(s); m !== null; m = PAREN_ZONE_RE.exec(s)) {
    const zone = resolveZone(m[1] as string);
    if (zone !== null) return zone;
  }
  return null;
}

