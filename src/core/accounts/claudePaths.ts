// Where Claude Code keeps its login for a given environment.
import * as path from 'node:path';
import * as os from 'node:os';
import { createHash } from 'node:crypto';

export interface ClaudeEnv {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir?: string;
  readonly platform?: NodeJS.Platform;
}

export interface ClaudePaths {
  readonly configDir: string;
  /** `<config>/.credentials.json` (used on Linux and Windows). */
  readonly credentialsFile: string;
  /** `.claude.json`: in `$CLAUDE_CONFIG_DIR` if set, else in the home directory. */
  readonly claudeJsonFile: string;
  readonly usesCustomConfigDir: boolean;
}

export function homeOf(e: ClaudeEnv): string {
  return e.homeDir ?? e.env['HOME'] ?? os.homedir();
}

/**
 * The state directory of this tool (profiles of the CLI, switch journal, backups, lock owners):
 * `$CLAUDE_QUOTA_HOME`, default `~/.config/claude-quota`. The CLI and the extension both use it, so
 * either one finishes a switch the other left half-done.
 */
export function quotaHome(env: Readonly<Record<string, string | undefined>>): string {
  const custom = env['CLAUDE_QUOTA_HOME'];
  if (custom) return path.resolve(custom);
  return path.join(env['HOME'] || os.homedir(), '.config', 'claude-quota');
}

/**
 * Claude Code's config directory: `$CLAUDE_CONFIG_DIR` made absolute, else `~/.claude`; in NFC, as
 * Claude Code hashes it for the Keychain. Every reader of CLAUDE_CONFIG_DIR goes through here, so
 * the transcripts watched, the usage counted and the login switched are all in the same directory.
 */
export function claudeConfigDir(e: ClaudeEnv): string {
  const custom = e.env['CLAUDE_CONFIG_DIR'];
  return (custom && custom.length > 0 ? path.resolve(custom) : path.join(homeOf(e), '.claude')).normalize('NFC');
}

export function resolveClaudePaths(e: ClaudeEnv): ClaudePaths {
  const custom = e.env['CLAUDE_CONFIG_DIR'];
  const home = homeOf(e);
  const configDir = claudeConfigDir(e);
  return {
    configDir,
    credentialsFile: path.join(configDir, '.credentials.json'),
    claudeJsonFile: custom && custom.length > 0 ? path.join(configDir, '.claude.json') : path.join(home, '.claude.json'),
    usesCustomConfigDir: !!custom && custom.length > 0,
  };
}

/**
 * The Keychain service name Claude Code 2.1.330 uses on macOS: `Claude Code-credentials`, plus
 * `-<first 8 hex of sha256(config dir)>` when CLAUDE_CONFIG_DIR (or CLAUDE_SECURESTORAGE_CONFIG_DIR)
 * is set.
 */
export function keychainService(e: ClaudeEnv): string {
  const secure = e.env['CLAUDE_SECURESTORAGE_CONFIG_DIR'];
  const custom = e.env['CLAUDE_CONFIG_DIR'];
  const plain = secure !== undefined ? !secure : !custom;
  if (plain) return 'Claude Code-credentials';
  const dir = secure !== undefined ? secure.normalize('NFC') : resolveClaudePaths(e).configDir;
  return `Claude Code-credentials-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;
}

/** The Keychain account name: `$USER`, or Claude Code's fallback when it has unusual characters. */
export function keychainAccount(e: ClaudeEnv): string {
  let user = e.env['USER'];
  if (!user) {
    try {
      user = os.userInfo().username;
    } catch {
      user = undefined;
    }
  }
  return user && /^[a-zA-Z0-9._-]+$/.test(user) ? user : 'claude-code-user';
}
