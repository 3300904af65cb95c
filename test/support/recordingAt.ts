// Replaying a recording at the real time: the clock times it shows were right when it was recorded,
// and a reset read against another day is in the past or further away than its window allows. The
// copy written here shows the reset a test chooses instead, so what the extension reads is exact
// and the same whatever the time of day.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RECORDINGS } from './tmuxHarness';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "11pm", "10:30am", optionally behind "Nov 25, " and before " (Asia/Tokyo)", as Claude Code prints them. */
const CLOCK = /\b(?:((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}), )?(?:1[0-2]|[1-9])(?::[0-5]\d)?[ap]m(?: \(([A-Za-z_]+(?:\/[A-Za-z_+\-0-9]+)*)\))?/g;

/** The host's zone: what the extension reads clock times without a zone in. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The first whole hour at least `minAheadMs` from now: a 5-hour reset a replay can show. */
export function resetAhead(minAheadMs = 90 * 60_000, now = Date.now()): Date {
  return new Date(Math.ceil((now + minAheadMs) / 3_600_000) * 3_600_000);
}

function parts(at: Date, timeZone: string): { month: string; day: number; hour: number; minute: number } {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return { month: MONTHS[Number(p.month) - 1], day: Number(p.day), hour: Number(p.hour), minute: Number(p.minute) };
}

/** `at` as Claude Code prints a reset in `timeZone`: "11pm", "10:30am", with "Nov 25, " when `withDate`. */
export function claudeClock(at: Date, timeZone: string, withDate = false): string {
  const { month, day, hour, minute } = parts(at, timeZone);
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  const time = `${h12}${minute === 0 ? '' : `:${String(minute).padStart(2, '0')}`}${hour < 12 ? 'am' : 'pm'}`;
  return withDate ? `${month} ${day}, ${time}` : time;
}

/**
 * The bytes with every reset clock time replaced by `reset`: in the zone a time names, else in
 * `zone`. Rows are drawn as text followed by a carriage return or a cursor move, so a time of
 * another length only shifts the rest of its own row.
 */
export function withReset(bytes: Buffer, reset: Date, zone: string): Buffer {
  let count = 0;
  const text = bytes.toString('latin1').replace(CLOCK, (_whole, date: string | undefined, named: string | undefined) => {
    count++;
    const shown = claudeClock(reset, named ?? zone, date !== undefined);
    return named === undefined ? shown : `${shown} (${named})`;
  });
  if (count === 0) throw new Error('the recording shows no clock time to move');
  return Buffer.from(text, 'latin1');
}

/** Writes the recording `name` moved to `reset` into `dir`; returns the file's path. */
export function writeRecordingResettingAt(name: string, reset: Date, dir: string, zone = localZone()): string {
  const file = path.join(dir, `${name}.${reset.getTime()}.bin`);
  fs.writeFileSync(file, withReset(fs.readFileSync(path.join(RECORDINGS, `${name}.bin`)), reset, zone));
  return file;
}

/** `at` as the extension writes a clock time in `timeZone`: "3:00 pm". */
export function extensionClock(at: Date, timeZone = localZone()): string {
  const { hour, minute } = parts(at, timeZone);
  return `${hour % 12 === 0 ? 12 : hour % 12}:${String(minute).padStart(2, '0')} ${hour < 12 ? 'am' : 'pm'}`;
}
