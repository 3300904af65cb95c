import * as vscode from 'vscode';

/**
 * The extension's settings, typed. Mirrors `contributes.configuration` in package.json: every key
 * here has an entry there with the same default.
 */
export interface Settings {
  /** Show the Claude Quota item in the status bar. */
  readonly 'statusBar.enabled': boolean;
}

export type SettingKey = keyof Settings;

export const SECTION = 'claudeQuota';

const DEFAULTS: Settings = {
  'statusBar.enabled': true,
};

export type ConfigurationReader = <K extends SettingKey>(key: K) => Settings[K];

/** Reads a setting with its declared default; a value of the wrong type falls back to the default. */
export function readSetting<K extends SettingKey>(
  key: K,
  getConfiguration: (section: string) => Pick<vscode.WorkspaceConfiguration, 'get'> = (s) => vscode.workspace.getConfiguration(s),
): Settings[K] {
  const value = getConfiguration(SECTION).get<Settings[K]>(key);
  return typeof value === typeof DEFAULTS[key] ? (value as Settings[K]) : DEFAULTS[key];
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
