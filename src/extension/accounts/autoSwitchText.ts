// Words auto-switch shows: notifications, the prompt and the "all exhausted" status item. No vscode
// import, so every string is unit-tested in plain Node. Labels only: never an email or a token.
import type { AccountName, SwitchReason } from '../../core/accounts/autoSwitchPolicy';
import { escapeMarkdown } from '../statusBar/statusView';
import { formatClock, formatCountdown } from '../sessions/sessionText';
import { escapeThemeIcons } from '../themeIconText';

export const ACTION_UNDO = 'Undo';
export const ACTION_ENABLE = 'Enable';
export const ACTION_NOT_NOW = 'Not Now';
export const ACTION_NEVER = 'Never';
export const PROMPT_ACTIONS: readonly string[] = [ACTION_ENABLE, ACTION_NOT_NOW, ACTION_NEVER];

export function switchedMessage(from: AccountName | null, to: AccountName, reason: SwitchReason): string {
  const old = from?.label ?? 'the previous login';
  switch (reason) {
    case 'blocked':
      return `Claude Code switched from ${old} to ${to.label}: ${old} hit its usage limit. Running sessions use ${to.label} from their next request.`;
    case 'reset':
      return `Claude Code switched back to ${to.label}: its usage limit has reset.`;
    case 'undo':
      return `Claude Code switched back to ${to.label}; it stays until its limit resets.`;
  }
}

export function allExhaustedMessage(earliest: AccountName, at: Date, activeId: string | null, now: Date, timeZone?: string): string {
  const when = `${formatClock(at, now, timeZone)} (in ${formatCountdown(at.getTime() - now.getTime())})`;
  const then = earliest.id === activeId ? '' : ` Claude Code switches to ${earliest.label} then.`;
  return `Every saved Claude account has hit its usage limit. The first to reset is ${earliest.label}, at ${when}.${then}`;
}

export function promptMessage(blocked: AccountName, next: AccountName): string {
  return `${blocked.label} hit its usage limit and ${next.label} is available. Switch automatically next time?`;
}

export function switchFailedMessage(to: AccountName, why: string): string {
  return `Auto-switch could not switch Claude Code to ${to.label}: ${why}`;
}

export interface ExhaustedItemView {
  readonly text: string;
  readonly tooltipMarkdown: string;
  readonly accessibilityLabel: string;
}

/** The status item while every account is exhausted: the earliest reset and whose it is. */
export function exhaustedItemView(earliest: AccountName, at: Date, now: Date, timeZone?: string): ExhaustedItemView {
  const clock = formatClock(at, now, timeZone);
  return {
    text: `$(circle-slash) ${escapeThemeIcons(earliest.label)} ${clock}`,
    tooltipMarkdown: `Every saved Claude account is exhausted. The first to reset is **${escapeMarkdown(earliest.label)}**, at ${escapeMarkdown(clock)}; auto-switch uses it then. Click to switch account.`,
    accessibilityLabel: `Every Claude account is exhausted; ${earliest.label} resets first, at ${clock}. Activate to switch account.`,
  };
}
