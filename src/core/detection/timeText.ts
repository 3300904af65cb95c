// Small pieces the reset-time and duration parsers share: sticky regex matching, calendar checks,
// month and weekday names, and the units of time.
import { daysInMonth } from './timeZone';

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export const MIN_YEAR = 1970;
export const MAX_YEAR = 9999;

/** Sticky match of `re` (which must have the y flag) at `pos`. */
export function at(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(s);
}

export const MONTHS =
  'january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec';

export function skip(re: RegExp, s: string, pos: number): number {
  const m = at(re, s, pos);
  return m === null ? pos : m.index + m[0].length;
}

export function validDate(year: number, month: number, day: number): boolean {
  return (
    year >= MIN_YEAR && year <= MAX_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

export function monthNumber(name: string): number {
  const key = name.slice(0, 3).toLowerCase();
  return 'janfebmaraprmayjunjulaugsepoctnovdec'.indexOf(key) / 3 + 1;
}

export function weekdayNumber(name: string): number {
  return 'sunmontuewedthufrisat'.indexOf(name.slice(0, 3).toLowerCase()) / 3;
}
