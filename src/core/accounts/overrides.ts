// Settings that make Claude Code ignore the stored login, which would make a switch ineffective.
// They are read the way Claude Code reads them, not the way this product writes its own files: a
// settings file may be a symlink into a dotfiles folder, start with a BOM, or hold comments.
import * as path from 'node:path';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import type { FsOps } from './fileOps';

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

/** The project settings Claude Code reads for a session started in each of `dirs`. */
export function projectSettingsFiles(dirs: readonly string[]): string[] {
  return [...new Set(dirs)].flatMap((d) => [path.join(d, '.claude', 'settings.json'), path.join(d, '.claude', 'settings.local.json')]);
}

/**
 * A settings file's object, or null when there is none Claude Code could use: missing, unreadable,
 * not an object, or not parseable even with comments and trailing commas allowed. Symlinks are
 * followed (only for reading: nothing here is ever written).
 */
async function readSettings(fs: FsOps, file: string): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null; // unreadable settings are Claude Code's problem, not a reason to block
  }
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text.replace(/^\uFEFF/, ''), errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return value as Record<string, unknown>;
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
    const obj = await readSettings(fs, file);
    if (obj === null) continue;
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
