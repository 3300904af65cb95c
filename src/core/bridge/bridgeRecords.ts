// What the bridge's statusLine shim recorded: Claude Code's own figures for each limit window of the
// logged-in account (`rate_limits.<window>.{used_percentage,resets_at}`), per Claude Code process.
// Read-only and defensive: a record is what Claude Code wrote on stdin, so anything malformed, out of
// range or oversized is dropped with a count, never trusted.
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as z from 'zod/mini';
import type { BridgeLayout } from './bridgeShims';
import { escapeForDisplay } from '../base/displayText';
import { formatWhen } from '../usage/usageText';

/** A statusLine input is a few KB; anything far larger is not one. */
export const MAX_RECORD_BYTES = 256 * 1024;

export interface ExactWindow {
  /** Claude Code's own key (`five_hour`, `seven_day`, `seven_day_opus`, …), kept verbatim. */
  readonly key: string;
  /** What people call it: "5-hour", "weekly", "weekly Opus", or the key itself when unknown. */
  readonly name: string;
  readonly usedPercent: number;
  readonly resetsAt: Date | null;
}

export interface StatusLineRecord {
  /** The Claude Code process the record is of (the shim's parent). */
  readonly pid: number;
  readonly sessionId: string | null;
  readonly cwd: string | null;
  readonly model: string | null;
  readonly version: string | null;
  /** When the shim wrote it (the file's time). */
  readonly observedAt: Date;
  /** Highest use first. */
  readonly windows: readonly ExactWindow[];
}

const WindowSchema = z.looseObject({
  used_percentage: z.number(),
  resets_at: z.optional(z.nullable(z.union([z.number(), z.string()]))),
});
const InputSchema = z.looseObject({
  session_id: z.optional(z.string()),
  cwd: z.optional(z.string()),
  version: z.optional(z.string()),
  model: z.optional(z.looseObject({ id: z.optional(z.string()), display_name: z.optional(z.string()) })),
  rate_limits: z.optional(z.record(z.string(), z.unknown())),
});

/** "five_hour" → "5-hour", "seven_day" → "weekly", "seven_day_opus" → "weekly Opus"; others verbatim. */
export function windowName(key: string): string {
  if (key === 'five_hour') return '5-hour';
  if (key === 'seven_day') return 'weekly';
  const m = /^seven_day_([a-z0-9_]+)$/.exec(key);
  if (m) return `weekly ${(m[1] ?? '').split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ')}`;
  return key.replace(/[^\w .-]/g, '?').slice(0, 64);
}

/** An epoch in seconds or milliseconds, or an ISO text; null when it is none of these or absurd. */
function resetOf(value: unknown): Date | null {
  let ms: number;
  if (typeof value === 'number') ms = value < 1e12 ? value * 1000 : value;
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) ms = Date.parse(value);
  else return null;
  // A reset is within about a month of now; 2000..2200 rules out garbage either way.
  return Number.isFinite(ms) && ms > 946_684_800_000 && ms < 7_258_118_400_000 ? new Date(ms) : null;
}

/** One record's text, or null when it is not a statusLine input. */
export function parseStatusLineRecord(text: string, pid: number, observedAt: Date): StatusLineRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const input = InputSchema.safeParse(raw);
  if (!input.success) return null;
  const windows: ExactWindow[] = [];
  for (const [key, value] of Object.entries(input.data.rate_limits ?? {})) {
    const w = WindowSchema.safeParse(value);
    if (!w.success || !Number.isFinite(w.data.used_percentage) || w.data.used_percentage < 0 || w.data.used_percentage > 1000) continue;
    windows.push({ key, name: windowName(key), usedPercent: w.data.used_percentage, resetsAt: resetOf(w.data.resets_at) });
  }
  windows.sort((a, b) => b.usedPercent - a.usedPercent);
  const d = input.data;
  return {
    pid,
    sessionId: d.session_id ?? null,
    cwd: d.cwd ?? null,
    model: d.model?.display_name ?? d.model?.id ?? null,
    version: d.version ?? null,
    observedAt,
    windows,
  };
}

export interface RecordsRead {
  /** Newest first. */
  readonly records: readonly StatusLineRecord[];
  /** Files that were not statusLine inputs (malformed, oversized, not regular). */
  readonly rejected: number;
}

/** Records older than this describe no window that is still open; they are not read. */
export const RECORD_MAX_AGE_MS = 8 * 24 * 3_600_000;

/** What a reader remembers of each file between reads, so an unchanged file costs one stat. */
export type RecordCache = Map<string, { readonly key: string; readonly record: StatusLineRecord | null }>;

/** Every recent statusLine record the shim has written, newest first. */
export async function readStatusLineRecords(
  layout: Pick<BridgeLayout, 'statusLineRecords'>,
  cache: RecordCache = new Map(),
  now: number = Date.now(),
): Promise<RecordsRead> {
  let names: string[];
  try {
    names = await readdir(layout.statusLineRecords);
  } catch {
    cache.clear();
    return { records: [], rejected: 0 };
  }
  const records: StatusLineRecord[] = [];
  const seen = new Set<string>();
  let rejected = 0;
  for (const name of names) {
    const m = /^(\d{1,10})\.json$/.exec(name);
    if (!m) continue; // the shim's temp files, or anything else
    seen.add(name);
    const file = path.join(layout.statusLineRecords, name);
    try {
      const st = await stat(file);
      if (st.mtimeMs < now - RECORD_MAX_AGE_MS) {
        cache.delete(name);
        continue;
      }
      const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
      let entry = cache.get(name);
      if (entry?.key !== key) {
        const record = st.isFile() && st.size <= MAX_RECORD_BYTES ? parseStatusLineRecord(await readFile(file, 'utf8'), Number(m[1]), new Date(st.mtimeMs)) : null;
        entry = { key, record };
        cache.set(name, entry);
      }
      if (entry.record) records.push(entry.record);
      else rejected++;
    } catch {
      rejected++;
    }
  }
  for (const name of cache.keys()) if (!seen.has(name)) cache.delete(name);
  records.sort((a, b) => b.observedAt.getTime() - a.observedAt.getTime());
  return { records, rejected };
}

/** "5-hour 62 % (resets 17:00) · weekly 41 % (resets 12-05 09:00)". */
export function describeWindows(windows: readonly ExactWindow[], now: number, timeZone?: string): string {
  return windows.map((w) => `${w.name} ${Math.round(w.usedPercent)} %${w.resetsAt ? ` (resets ${formatWhen(w.resetsAt.getTime(), now, timeZone)})` : ''}`).join(' · ');
}

/** One line for a record: the process, where it runs, when it reported, and every window. */
export function describeRecord(r: StatusLineRecord, now: number, timeZone?: string): string {
  const where = [r.model, r.cwd].filter((x): x is string => x !== null).map(escapeForDisplay).join(', ');
  return `Claude Code's own figures (process ${r.pid}${where ? `, ${where}` : ''}, reported ${formatWhen(r.observedAt.getTime(), now, timeZone)}): ${r.windows.length > 0 ? describeWindows(r.windows, now, timeZone) : 'no limits reported yet (they come after the first response)'}`;
}

/** The short form for the status bar: "5h 62 % · wk 41 %" (the two most used windows). */
export function shortWindows(windows: readonly ExactWindow[]): string {
  const short = (w: ExactWindow): string => (w.key === 'five_hour' ? '5h' : w.key === 'seven_day' ? 'wk' : w.name.replace(/^weekly (.+)$/, '$1 wk'));
  return windows.slice(0, 2).map((w) => `${short(w)} ${Math.round(w.usedPercent)} %`).join(' · ');
}
