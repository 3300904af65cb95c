// What the status bar item says; no vscode import, so it is unit-tested in plain Node.
import type { ProfileView } from '../../core/accounts/accountManager';

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
    text: `$(account) ${active.label}`,
    tooltip: `Claude Code uses ${active.label} (${active.email}${active.plan ? ` · ${active.plan}` : ''}).${others > 0 ? ` ${others} other saved account${others === 1 ? '' : 's'}.` : ''} Click to switch.`,
    accessibilityLabel: `Claude account ${active.label}, ${active.email}. Activate to switch account.`,
  };
}
