// What the usage panel shows, as plain data posted to the webview: numbers already worded, so the
// page script only lays them out. Pure; no tokens or other secrets (accounts are named by label).
import type { AccountUsage, UsageReport, WindowReport } from '../../core/usage/usageReport';
import type { UsageWindow } from '../../core/usage/usageLedger';
import { formatTokens, formatWhen, windowName } from '../../core/usage/usageText';

export interface PanelWindow {
  readonly title: string;
  readonly total: number;
  readonly totalText: string;
  /** 0–100 for the bar; null without a limit. */
  readonly percent: number | null;
  readonly limitText: string;
  readonly periodText: string;
  readonly projectionText: string;
  readonly estimated: boolean;
}

export interface PanelAccount {
  readonly label: string;
  readonly active: boolean;
  readonly burnText: string;
  readonly fiveHour: PanelWindow | null;
  readonly weekly: PanelWindow;
  /** Tokens per hour, the last 24 hours, oldest first. */
  readonly hourly: readonly number[];
  readonly hourlyMax: number;
  readonly hourLabels: readonly string[];
}

export interface PanelData {
  readonly type: 'usage';
  readonly generatedText: string;
  readonly accounts: readonly PanelAccount[];
  readonly note: string;
}

function panelWindow(w: WindowReport, name: UsageWindow, now: number, timeZone?: string): PanelWindow {
  const limitText = w.limit === null ? 'no limit known yet' : `${Math.round(w.usedPercent ?? 0)} % of ${formatTokens(w.limit)} (${w.limitSource === 'configured' ? 'configured' : 'learned'})`;
  const periodText =
    w.anchor === 'reset'
      ? `resets ${formatWhen(w.end, now, timeZone)}`
      : name === 'fiveHour'
        ? `estimated block, ends ~${formatWhen(w.end, now, timeZone)} (no reset seen yet)`
        : 'last 7 days (no weekly reset seen yet)';
  let projectionText = '';
  if (w.projectedExhaustionAt !== null) projectionText = w.projectedExhaustionAt <= now ? 'limit reached' : `runs out ~${formatWhen(w.projectedExhaustionAt, now, timeZone)} at this rate`;
  else if (w.limit !== null) projectionText = 'lasts until the reset at this rate';
  return {
    title: windowName(name),
    total: w.total,
    totalText: `${formatTokens(w.total)} tokens`,
    percent: w.usedPercent === null ? null : Math.min(100, Math.max(0, w.usedPercent)),
    limitText,
    periodText,
    projectionText,
    estimated: w.anchor === 'estimated',
  };
}

function panelAccount(a: AccountUsage, now: number, timeZone?: string): PanelAccount {
  const hourLabels = a.hourly.map((_, i) => formatWhen(Math.floor(now / 3_600_000) * 3_600_000 - (a.hourly.length - 1 - i) * 3_600_000, now, timeZone));
  return {
    label: a.label,
    active: a.active,
    burnText: `${formatTokens(a.burnRatePerMinute)} tokens/min (last 15 min)`,
    fiveHour: a.fiveHour === null ? null : panelWindow(a.fiveHour, 'fiveHour', now, timeZone),
    weekly: panelWindow(a.weekly, 'weekly', now, timeZone),
    hourly: a.hourly,
    hourlyMax: Math.max(1, ...a.hourly),
    hourLabels,
  };
}

export function panelData(report: UsageReport, timeZone?: string): PanelData {
  const now = report.generatedAt;
  const note =
    report.attributionSince === null
      ? 'No active account recorded yet: usage is shown for "unknown account".'
      : `Usage is attributed to the account that was active when each response was written (known since ${formatWhen(report.attributionSince, now, timeZone)}; earlier usage counts for the first account known).`;
  return { type: 'usage', generatedText: `Updated ${formatWhen(now, now, timeZone)}`, accounts: report.accounts.map((a) => panelAccount(a, now, timeZone)), note };
}
