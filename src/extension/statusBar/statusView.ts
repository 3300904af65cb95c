// What the status bar item says; no vscode import, so it is unit-tested in plain Node.
import type { ProfileView } from '../../core/accounts/accountManager';
import type { AccountRef } from '../../core/detection/detector';
import type { SessionsSnapshot, WatchedSession } from '../sessions/sessionsController';
import { formatClock, formatCountdown, limitName, nextCountdownChangeMs, sourceLabel, stateLabel } from '../sessions/sessionText';
import type { UnwatchedReason } from '../sources/sessionSource';
import { escapeThemeIcons } from '../themeIconText';
import { describeWindows, shortWindows, type ExactWindow } from '../../core/bridge/bridgeRecords';

export interface StatusView {
  readonly text: string;
  readonly tooltip: string;
  readonly accessibilityLabel: string;
}

/** What the item shows for the saved accounts; pure so it is tested without VS Code. */
export function describeStatus(profiles: readonly ProfileView[]): StatusView {
  const active = profiles.find((p) => p.active);
  if (!active) {
    const text = profiles.length === 0 ? 'no saved account' : 'unsaved login';
    return {
      text: `$(account) Claude: ${text}`,
      tooltip: profiles.length === 0 ? 'Claude Quota: no account saved yet. Click to add or switch accounts.' : 'Claude Quota: the current Claude Code login is not a saved account. Click to switch.',
      accessibilityLabel: `Claude account: ${text}. Activate to switch account.`,
    };
  }
  const others = profiles.length - 1;
  return {
    text: `$(account) ${escapeThemeIcons(active.label)}`,
    tooltip: `Claude Code uses ${active.label} (${active.email}${active.plan ? ` · ${active.plan}` : ''}).${others > 0 ? ` ${others} other saved account${others === 1 ? '' : 's'}.` : ''} Click to switch.`,
    accessibilityLabel: `Claude account ${active.label}, ${active.email}. Activate to switch account.`,
  };
}

/** What the item shows once sessions are watched: a countdown while the active account is blocked. */
export interface WatchView extends StatusView {
  /** The tooltip as Markdown (theme icons allowed): the status line, then every watched session. */
  readonly tooltipMarkdown: string;
  /** The active account is blocked: the item gets the warning background. */
  readonly warning: boolean;
  /** When the text changes next (ms), or null when nothing counts down. */
  readonly nextUpdateMs: number | null;
}

const UNWATCHED_REASONS: Record<UnwatchedReason, string> = {
  'no-shell-integration': 'no shell integration',
  'started-before-activation': 'started before the extension',
  'runs-tmux': 'runs tmux (watched through tmux)',
};

/** Markdown-escapes free text (terminal names, tmux session names, labels). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$]/g, (c) => `\\${c}`);
}

function sameAccount(a: AccountRef | null, b: AccountRef | null): boolean {
  return (a?.id ?? null) === (b?.id ?? null);
}

function sessionLine(s: WatchedSession, now: Date, timeZone: string | undefined): string {
  const icon = s.kind === 'tmux' ? '$(server-process)' : '$(terminal)';
  const parts = [`${icon} **${escapeMarkdown(s.where)}**`, escapeMarkdown(s.account?.label ?? 'unsaved login'), stateLabel(s.state)];
  if (s.state === 'blocked' && s.resetsAt !== null) {
    const prefix = s.resetEstimated ? 'retry around' : 'resets';
    parts.push(`${limitName(s.window)}, ${prefix} ${formatClock(s.resetsAt, now, timeZone)} (in ${formatCountdown(s.resetsAt.getTime() - now.getTime())})`);
  }
  if (s.evidenceSources.length > 0) parts.push(`from ${s.evidenceSources.map(sourceLabel).join(' + ')}`);
  else parts.push(`from ${sourceLabel(s.kind)}`);
  return `- ${parts.join(' · ')}`;
}

/**
 * The item for the saved accounts and the watched sessions. Idle, it is describeStatus's; while any
 * session of the active account is blocked it counts down to the latest of their reset times (the
 * account is usable only once every limit it hit has reset).
 */
export function describeWatch(
  profiles: readonly ProfileView[],
  snapshot: SessionsSnapshot,
  now: Date = new Date(),
  timeZone?: string,
  /** Markdown lines appended to the tooltip (the usage section). */
  extraLines: readonly string[] = [],
  /** Claude Code's own figures for the active account, when it reported them since it became active. */
  exact: readonly ExactWindow[] = [],
): WatchView {
  const base = describeStatus(profiles);
  const blocked = snapshot.sessions.filter((s) => s.state === 'blocked' && s.resetsAt !== null && sameAccount(s.account, snapshot.activeAccount));
  const lines: string[] = [];
  let view: Omit<WatchView, 'tooltipMarkdown'>;
  if (blocked.length > 0) {
    const latest = blocked.reduce((a, b) => ((b.resetsAt?.getTime() ?? 0) > (a.resetsAt?.getTime() ?? 0) ? b : a));
    const resetsAt = latest.resetsAt ?? now;
    const left = resetsAt.getTime() - now.getTime();
    const who = snapshot.activeAccount?.label ?? 'the current login';
    const countdown = formatCountdown(left);
    const clock = formatClock(resetsAt, now, timeZone);
    lines.push(`**${escapeMarkdown(who)}** hit its ${limitName(latest.window)}: ${latest.resetEstimated ? 'retry around' : 'resets'} ${clock} (in ${countdown}).`);
    view = {
      text: `$(watch) ${countdown}`,
      tooltip: `Claude account ${who} hit its ${limitName(latest.window)}; resets ${clock}, in ${countdown}. Click to switch account.`,
      accessibilityLabel: `Claude account ${who} reached its usage limit; resets at ${clock}, in ${countdown}. Activate to switch account.`,
      warning: true,
      nextUpdateMs: nextCountdownChangeMs(left) || null,
    };
  } else if (exact.length > 0 && profiles.some((p) => p.active)) {
    const label = profiles.find((p) => p.active)?.label ?? '';
    lines.push(escapeMarkdown(base.tooltip));
    view = {
      text: `$(pulse) ${escapeThemeIcons(label)} ${shortWindows(exact)}`,
      tooltip: `${base.tooltip} Claude Code reports: ${describeWindows(exact, now.getTime(), timeZone)}.`,
      accessibilityLabel: `Claude account ${label}: ${describeWindows(exact, now.getTime(), timeZone)}. Activate to switch account.`,
      warning: false,
      nextUpdateMs: null,
    };
  } else {
    lines.push(escapeMarkdown(base.tooltip));
    view = { ...base, warning: false, nextUpdateMs: null };
  }
  if (exact.length > 0) lines.push('', `**Claude Code's own figures** (exact): ${escapeMarkdown(describeWindows(exact, now.getTime(), timeZone))}`);
  if (snapshot.sessions.length > 0) {
    lines.push('', `**Watched sessions (${snapshot.sessions.length})**`, '');
    for (const s of snapshot.sessions) lines.push(sessionLine(s, now, timeZone));
  } else {
    lines.push('', 'No Claude Code session is watched.');
  }
  if (snapshot.unwatched.length > 0) {
    lines.push('', '**Not watched**', '');
    for (const u of snapshot.unwatched) lines.push(`- $(terminal) ${escapeMarkdown(u.where)} · ${UNWATCHED_REASONS[u.reason]}`);
  }
  lines.push(...extraLines);
  if (blocked.length > 0) lines.push('', 'Click to switch account.');
  return { ...view, tooltipMarkdown: lines.join('\n') };
}
