// Plain-text wording of usage, shared by the CLI, the status bar tooltip and the notifications.

import type { UsageWindow } from './usageLedger';
import type { AccountUsage, WindowReport } from './usageReport';
import { MAX_TOKENS_PER_FIELD } from './usageLine';
import { MAX_SCAN_BYTES_PER_FILE, type ScanStats } from './usageScanner';

/** 1234 -> "1.2k", 12 345 678 -> "12.3M". */
export function formatTokens(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

export function windowName(w: UsageWindow): string {
  return w === 'fiveHour' ? '5-hour block' : 'week';
}

/** "12:30" style time in the given zone (default local); with the date when not today. */
export function formatWhen(ms: number, now: number, timeZone?: string): string {
  const d = new Date(ms);
  const sameDay = new Date(now).toLocaleDateString('en-CA', { timeZone }) === d.toLocaleDateString('en-CA', { timeZone });
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone });
  return sameDay ? time : `${d.toLocaleDateString('en-CA', { month: '2-digit', day: '2-digit', timeZone })} ${time}`;
}

/** One line for a window: tokens, share of the limit, end, and projection. */
export function describeWindow(w: WindowReport | null, name: UsageWindow, now: number, timeZone?: string): string {
  if (w === null) return `${windowName(name)}: no block running`;
  const parts = [`${windowName(name)}: ${formatTokens(w.total)} tokens`];
  if (w.limit !== null && w.usedPercent !== null) parts.push(`${Math.round(w.usedPercent)} % of ${formatTokens(w.limit)} (${w.limitSource === 'configured' ? 'configured' : 'learned'} limit)`);
  if (w.anchor === 'reset') parts.push(`resets ${formatWhen(w.end, now, timeZone)}`);
  else parts.push(name === 'fiveHour' ? `estimated block, ends ~${formatWhen(w.end, now, timeZone)} (no reset seen yet)` : 'last 7 days (no weekly reset seen yet)');
  if (w.projectedExhaustionAt !== null) parts.push(w.projectedExhaustionAt <= now ? 'limit reached' : `runs out ~${formatWhen(w.projectedExhaustionAt, now, timeZone)} at this rate`);
  return parts.join(' · ');
}

export function describeAccount(a: AccountUsage, now: number, timeZone?: string): string[] {
  return [
    `${a.label}${a.active ? ' (active)' : ''} · burn ${formatTokens(a.burnRatePerMinute)} tokens/min (last 15 min)`,
    `  ${describeWindow(a.fiveHour, 'fiveHour', now, timeZone)}`,
    `  ${describeWindow(a.weekly, 'weekly', now, timeZone)}`,
  ];
}

/** What a scan could not count, one line each (empty when it counted everything it found). */
export function describeScanProblems(stats: ScanStats): string[] {
  const out: string[] = [];
  if (stats.malformed > 0) out.push(`${stats.malformed} malformed transcript line(s) skipped`);
  if (stats.rejected > 0) out.push(`${stats.rejected} response(s) with impossible token counts (not finite, negative or over ${formatTokens(MAX_TOKENS_PER_FIELD)} a field) not counted`);
  if (stats.unreadable > 0) out.push(`${stats.unreadable} transcript file(s) or folder(s) could not be read: their usage is missing`);
  if (stats.notTranscripts > 0) out.push(`${stats.notTranscripts} sparse .jsonl file(s) skipped: not transcripts Claude Code wrote`);
  if (stats.capped > 0) out.push(`${stats.capped} file(s) grew by more than ${formatTokens(MAX_SCAN_BYTES_PER_FILE)}B since the last scan: the rest is read by the next scans`);
  return out;
}
