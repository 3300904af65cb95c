import * as vscode from 'vscode';

import { CHOICES, DEFAULTS, SECTION, type SettingKey, type Settings } from './settings';

export { DEFAULTS, SECTION, type SettingKey, type Settings } from './settings';

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
