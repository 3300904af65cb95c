// Settings that make Claude Code ignore the stored login, which would make a switch ineffective.
import * as path from 'node:path';
import { FsOps, readRegularFile } from './fileOps';

export const OVERRIDE_ENV_VARS = ['CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'] as const;

export interface LoginOverride {
  /** Where it comes from: "environment" or a settings file path. */
  readonly source: string;
  /** The variable or setting name (never its value). */
  readonly name: string;
}

export function settingsFilesFor(configDir: string, platform: NodeJS.Platform, extra: readonly string[] = []): string[] {
  const managed =
    platform === 'darwin'
      ? '/Library/Application Support/ClaudeCode/managed-settings.json'
      : platform === 'win32'
        ? 'C:\\Program Files\\ClaudeCode\\managed-settings.json'
        : '/etc/claude-code/managed-settings.json';
  return [path.join(configDir, 'settings.json'), path.join(configDir, 'settings.local.json'), managed, ...extra];
}

export async function findLoginOverrides(
  fs: FsOps,
  env: Readonly<Record<string, string | undefined>>,
  settingsFiles: readonly string[],
): Promise<LoginOverride[]> {
  const found: LoginOverride[] = [];
  for (const name of OVERRIDE_ENV_VARS) {
    if (env[name]) found.push({ source: 'environment', name });
  }
  for (const file of settingsFiles) {
    let snap;
    try {
      snap = await readRegularFile(fs, file);
    } catch {
      continue; // unreadable settings are Claude Code's problem, not a reason to block
    }
    if (!snap) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(snap.text);
    } catch {
      continue;
    }
    if (!parsed || typeof parsed !== 'object') continue;
    const obj = parsed as Record<string, unknown>;
    if (typeof obj['apiKeyHelper'] === 'string' && obj['apiKeyHelper'].length > 0) found.push({ source: file, name: 'apiKeyHelper' });
    const envBlock = obj['env'];
    if (envBlock && typeof envBlock === 'object') {
      for (const name of OVERRIDE_ENV_VARS) {
        const v = (envBlock as Record<string, unknown>)[name];
        if (typeof v === 'string' && v.length > 0) found.push({ source: file, name: `env.${name}` });
      }
    }
  }
  return found;
}

export function describeOverrides(overrides: readonly LoginOverride[]): string {
  const parts = overrides.map((o) => (o.source === 'environment' ? `environment variable ${o.name}` : `${o.name} in ${o.source}`));
  return `Claude Code would ignore the switched login because ${parts.join(', ')} takes priority; unset it first (or switch anyway with --force)`;
}
