import * as vscode from 'vscode';

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
};

const CHOICES: Partial<Record<SettingKey, readonly string[]>> = {
  'notifications.level': ['quota', 'all', 'off'],
};

export type ConfigurationReader = <K extends SettingKey>(key: K) => Settings[K];

/** Reads a setting with its declared default; a value of the wrong type or outside its choices falls back to the default. */
export function readSetting<K extends SettingKey>(
  key: K,
  getConfiguration: (section: string) => Pick<vscode.WorkspaceConfiguration, 'get'> = (s) => vscode.workspace.getConfiguration(s),
): Settings[K] {
  const fallback = DEFAULTS[key];
  const value = getConfiguration(SECTION).get<unknown>(key);
  if (Array.isArray(fallback)) {
    return (Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : fallback) as Settings[K];
  }
  if (typeof value !== typeof fallback) return fallback;
  if (typeof value === 'number' && !(Number.isFinite(value) && value > 0)) return fallback;
  const choices = CHOICES[key];
  if (choices && !choices.includes(value as string)) return fallback;
  return value as Settings[K];
}

/** True when the change touches one of the given settings (or, without keys, any of ours). */
export function changed(e: vscode.ConfigurationChangeEvent, ...keys: SettingKey[]): boolean {
  if (keys.length === 0) return e.affectsConfiguration(SECTION);
  return keys.some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}

/**
 * The one onDidChangeConfiguration listener: controllers subscribe to the keys they care about.
 */
export class ConfigurationWatcher implements vscode.Disposable {
  private readonly listeners = new Set<{ keys: SettingKey[]; run: () => void }>();
  private readonly subscription: vscode.Disposable;

  constructor(onDidChange: vscode.Event<vscode.ConfigurationChangeEvent> = vscode.workspace.onDidChangeConfiguration) {
    this.subscription = onDidChange((e) => {
      if (!changed(e)) return;
      for (const l of this.listeners) if (changed(e, ...l.keys)) l.run();
    });
  }

  onChange(keys: SettingKey[], run: () => void): vscode.Disposable {
    const entry = { keys, run };
    this.listeners.add(entry);
    return { dispose: () => this.listeners.delete(entry) };
  }

  dispose(): void {
    this.listeners.clear();
    this.subscription.dispose();
  }
}
