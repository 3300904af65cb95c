// The settings' names, types and defaults. No vscode import, so plain-Node tests use them directly.

/**
 * The extension's settings, typed. Mirrors `contributes.configuration` in package.json: every key
 * here has an entry there with the same default (a unit test compares them).
 */
export interface Settings {
  /** Show the Claude Quota item in the status bar. */
  readonly 'statusBar.enabled': boolean;
  /** Watch VS Code integrated terminals running Claude Code (shell integration). */
  readonly 'sources.terminals': boolean;
  /** Watch tmux panes running Claude Code. */
  readonly 'sources.tmux': boolean;
  /** Read Claude Code transcripts for exact reset times. */
  readonly 'sources.transcripts': boolean;
  /** tmux server: a socket name (like tmux -L) or an absolute socket path (like tmux -S); empty for the default server. */
  readonly 'tmux.socket': string;
  /** Regular expressions matched against a terminal's command line to recognise Claude Code. */
  readonly claudeCommandPatterns: readonly string[];
  /** quota: notify on usage-limit hits; all: also a quiet notice after repeated server errors; off: none. */
  readonly 'notifications.level': 'quota' | 'all' | 'off';
  /** Minutes to assume until a limit resets when Claude Code names no reset time. */
  readonly fallbackRetryMinutes: number;
  /** Switch to another saved account when the active one is confirmed blocked by a usage limit. */
  readonly 'autoSwitch.enabled': boolean;
  /** Which account auto-switch picks next. */
  readonly 'autoSwitch.strategy': 'soonest-reset' | 'most-headroom' | 'in-order';
  /** Minutes after any switch before auto-switch switches again, so accounts never ping-pong. */
  readonly 'autoSwitch.cooldownMinutes': number;
  /** Tokens an account may use per 5-hour block; 0: the limit learned when it last hit it. */
  readonly 'usage.fiveHourLimitTokens': number;
  /** Tokens an account may use per week; 0: the learned limit. */
  readonly 'usage.weeklyLimitTokens': number;
  /** Warn once per window when this percentage of the configured or learned limit is used. */
  readonly 'usage.warnThresholdPercent': number;
  /** Resume sessions stalled by a limit by themselves after an account switch or the reset. */
  readonly 'resume.automatic': boolean;
  /** Attempts per stalled session before a resume counts as failed. */
  readonly 'resume.maxAttempts': number;
}

export type SettingKey = keyof Settings;

export const SECTION = 'claudeQuota';

export const DEFAULTS: Settings = {
  'statusBar.enabled': true,
  'sources.terminals': true,
  'sources.tmux': true,
  'sources.transcripts': true,
  'tmux.socket': '',
  claudeCommandPatterns: ['^(?:\\S*/)?claude(?:\\.exe)?(?:\\s|$)', '@anthropic-ai/claude-code'],
  'notifications.level': 'quota',
  fallbackRetryMinutes: 60,
  'autoSwitch.enabled': false,
  'autoSwitch.strategy': 'soonest-reset',
  'autoSwitch.cooldownMinutes': 10,
  'usage.fiveHourLimitTokens': 0,
  'usage.weeklyLimitTokens': 0,
  'usage.warnThresholdPercent': 80,
  'resume.automatic': true,
  'resume.maxAttempts': 3,
};

export const CHOICES: Partial<Record<SettingKey, readonly string[]>> = {
  'notifications.level': ['quota', 'all', 'off'],
  'autoSwitch.strategy': ['soonest-reset', 'most-headroom', 'in-order'],
};
