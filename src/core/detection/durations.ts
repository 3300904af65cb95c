// Durations in text: "in 45 minutes", "2h 10m", "1 hour and 5 minutes", "retry after 30s". Every
// regex is sticky or bounded, so a hostile line costs linear time.
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, at } from './timeText';

/**
 * A duration in milliseconds: "20ms", "1m30s", "2h", "45 minutes", "2h 10m", "1 hour and 5 minutes",
 * "90s", "1.5s", "3d". Units may be repeated and are summed. Null when the whole text is not a
 * duration (a bare number has no unit and is rejected, except "0").
 */
export function parseDuration(text: string): number | null {
  try {
    if (typeof text !== 'string' || text.length > 256) return null;
    const t = text.trim();
    if (t === '0') return 0;
    const parsed = durationAt(t, 0);
    if (parsed === null || parsed.end !== t.length) return null;
    return parsed.ms;
  } catch {
    return null;
  }
}

const RELATIVE_RE = /\b(?:in|after|within)[ \t]{1,4}(?:(?:about|around|approx\.?|approximately|roughly|~)[ \t]{0,4})?(?=\d)/gi;
const RETRY_BEFORE_RE = /retry(?:ing)?[ \t]{1,4}$/i;
const DURATION_PART_RE =
  /[ \t]{0,4}(?:(?:,|and)[ \t]{0,4})?(\d{1,9}(?:\.\d{1,9})?)[ \t]{0,2}(milliseconds?|millis|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)(?![a-z])/iy;

/** The instant a relative wait in `s` ends ("resets in 45 minutes"), from `nowMs`. */
export function findRelative(s: string, nowMs: number): number | null {
  RELATIVE_RE.lastIndex = 0;
  for (let m = RELATIVE_RE.exec(s); m !== null; m = RELATIVE_RE.exec(s)) {
    // "retrying in 1s" is the client's next attempt, not when the limit resets.
    if (RETRY_BEFORE_RE.test(s.slice(Math.max(0, m.index - 12), m.index))) continue;
    const d = durationAt(s, m.index + m[0].length);
    if (d !== null) return nowMs + d.ms;
  }
  return null;
}

function durationAt(s: string, start: number): { ms: number; end: number } | null {
  let total = 0;
  let p = start;
  let parts = 0;
  for (let m = at(DURATION_PART_RE, s, p); m !== null; m = at(DURATION_PART_RE, s, p)) {
    // The first part must start right at `start`; a leading "and" or comma is not a duration.
    if (parts === 0 && m[0].trimStart() !== m[0]) return null;
    if (parts === 0 && /^[,a]/i.test(m[0])) return null;
    total += Number(m[1]) * unitMs(m[2] as string);
    p = m.index + m[0].length;
    parts++;
  }
  if (parts === 0 || !Number.isFinite(total)) return null;
  return { ms: Math.round(total), end: p };
}

function unitMs(unit: string): number {
  const u = unit.toLowerCase();
  if (u === 'ms' || u.startsWith('milli') || u.startsWith('msec')) return 1;
  if (u.startsWith('s')) return SECOND_MS;
  if (u.startsWith('m')) return MINUTE_MS;
  if (u.startsWith('h')) return HOUR_MS;
  if (u.startsWith('d')) return DAY_MS;
  return 7 * DAY_MS; // w, wk, week
}

