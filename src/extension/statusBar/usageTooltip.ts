// The usage part of the status bar tooltip; pure, so it is tested without VS Code.
import type { UsageReport } from '../../core/usage/usageReport';
import { describeWindow, formatTokens } from '../../core/usage/usageText';
import { escapeMarkdown } from './statusView';

/** Markdown lines: a heading, then per account its 5-hour block, week and burn rate. Empty without a report. */
export function usageTooltipLines(report: UsageReport | null, timeZone?: string): string[] {
  if (report === null || report.accounts.length === 0) return [];
  const now = report.generatedAt;
  const lines = ['', '**Usage**', ''];
  for (const a of report.accounts) {
    lines.push(`- **${escapeMarkdown(a.label)}**${a.active ? ' (active)' : ''} · ${escapeMarkdown(formatTokens(a.burnRatePerMinute))} tokens/min`);
    lines.push(`  - ${escapeMarkdown(describeWindow(a.fiveHour, 'fiveHour', now, timeZone))}`);
    lines.push(`  - ${escapeMarkdown(describeWindow(a.weekly, 'weekly', now, timeZone))}`);
  }
  return lines;
}
