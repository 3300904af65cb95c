/** Every command the extension contributes; package.json `contributes.commands` mirrors this list. */
export const CommandIds = {
  showLog: 'claudeQuota.showLog',
  /** Optional argument: the label (otherwise an input box asks). */
  addAccount: 'claudeQuota.addAccount',
  /** Optional argument: the profile label (otherwise a quick pick asks); suits a status bar item. */
  switchAccount: 'claudeQuota.switchAccount',
  /** Optional arguments: the current label and the new one. */
  renameAccount: 'claudeQuota.renameAccount',
  /** Optional argument: the profile label; always confirmed in a modal dialog. */
  removeAccount: 'claudeQuota.removeAccount',
  /** Quick pick of the watched sessions; picking one shows its terminal or tmux target. */
  showSessions: 'claudeQuota.showSessions',
  /** Lists the tmux server's panes again (after a server restart, or a changed socket). */
  rescanTmux: 'claudeQuota.rescanTmux',
  /** Opens a terminal the terminal source can watch (optional argument: an unwatched terminal's session id). */
  openWatchedTerminal: 'claudeQuota.openWatchedTerminal',
  /** Opens the usage panel: per-account tokens, limits and a chart. */
  showUsage: 'claudeQuota.showUsage',
  /** Types "continue" into the sessions this extension saw blocked whose limit is over (or whose account was switched). */
  resumeBlockedSessions: 'claudeQuota.resumeBlockedSessions',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

export const COMMAND_CATEGORY = 'Claude Quota';
