// A throwaway home for the real Claude Code CLI: temp HOME and CLAUDE_CONFIG_DIR holding a fake
// subscriber login (or an API-key approval) and the flags that skip every first-run dialog, plus
// the environment that points the CLI at the local mock API. Shared by the screen recorder and the
// end-to-end tests. Nothing here touches the real ~/.claude.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The Claude Code version install-claude-code.sh pins; first-run flags name it. */
export const CLAUDE_CODE_VERSION = '2.1.330';

export interface SandboxDirs {
  /** Everything below lives here; removing it removes the sandbox. */
  root: string;
  /** CLAUDE_CONFIG_DIR (holds .claude.json and .credentials.json). */
  config: string;
  home: string;
  /** Working directory of the CLI, marked as trusted. */
  cwd: string;
}

export interface OauthAccountFields {
  accountUuid: string;
  emailAddress: string;
  organizationUuid: string;
  displayName: string;
  organizationName: string;
}

/** A subscriber login as Claude Code stores it after /login. */
export interface SubscriberIdentity {
  accessToken: string;
  refreshToken: string;
  /** ms since epoch */
  expiresAt: number;
  subscriptionType: string;
  rateLimitTier: string;
  account: OauthAccountFields;
}

export type SandboxLogin = { kind: 'subscriber'; identity: SubscriberIdentity } | { kind: 'apiKey'; apiKey: string };

/** Far enough ahead that the CLI never tries to refresh the fake token. */
const NEVER_EXPIRES = Date.UTC(2099, 0, 1);

/**
 * The login of a made-up subscriber `name`: tokens `test-access-<name>-<gen>` /
 * `test-refresh-<name>-<gen>`, email `<name>@example.com`, an account id derived from the name so
 * two identities never look like the same account.
 */
export function subscriberIdentity(name: string, gen = 1): SubscriberIdentity {
  const hex = createHash('sha256').update(name).digest('hex');
  return {
    accessToken: `test-access-${name}-${gen}`,
    refreshToken: `test-refresh-${name}-${gen}`,
    expiresAt: NEVER_EXPIRES,
    subscriptionType: 'max',
    rateLimitTier: 'default_claude_max_20x',
    account: {
      accountUuid: `00000000-0000-4000-8000-${hex.slice(0, 12)}`,
      emailAddress: `${name}@example.com`,
      organizationUuid: `00000000-0000-4000-9000-${hex.slice(12, 24)}`,
      displayName: name,
      organizationName: `Test Org ${name}`,
    },
  };
}

export function createSandboxDirs(prefix: string): SandboxDirs {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dirs = {
    root,
    config: path.join(root, 'config'),
    home: path.join(root, 'home'),
    cwd: path.join(root, 'project'),
  };
  for (const d of [dirs.config, dirs.home, dirs.cwd]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  }
  return dirs;
}

export function removeSandboxDirs(dirs: SandboxDirs): void {
  // A CLI that is still exiting may write one more file: retried instead of failing the cleanup.
  fs.rmSync(dirs.root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

export function claudeJsonPath(dirs: SandboxDirs): string {
  return path.join(dirs.config, '.claude.json');
}

export function credentialsPath(dirs: SandboxDirs): string {
  return path.join(dirs.config, '.credentials.json');
}

/**
 * The .claude.json keys that skip Claude Code's first-run screens: onboarding (theme picker, login),
 * the release notes, and the folder trust dialog for `cwd`. `json` is changed in place, other keys kept.
 */
export function skipFirstRunScreens(json: Record<string, unknown>, cwd: string): Record<string, unknown> {
  const projects = (json.projects as Record<string, unknown> | undefined) ?? {};
  projects[cwd] = { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: [] };
  return Object.assign(json, {
    hasCompletedOnboarding: true,
    lastOnboardingVersion: CLAUDE_CODE_VERSION,
    lastReleaseNotesSeen: CLAUDE_CODE_VERSION,
    theme: 'dark',
    numStartups: 5,
    autoUpdates: false,
    projects,
  });
}

/** Writes .claude.json (and, for a subscriber, .credentials.json) for a fresh sandbox. */
export function writeClaudeConfig(dirs: SandboxDirs, login: SandboxLogin): void {
  const claudeJson = skipFirstRunScreens({}, dirs.cwd);
  // The API-key approval prompt is skipped by customApiKeyResponses.
  if (login.kind === 'apiKey') {
    claudeJson.customApiKeyResponses = { approved: [login.apiKey.slice(-20)], rejected: [] };
  }
  writePrivate(claudeJsonPath(dirs), JSON.stringify(claudeJson, null, 2));
  if (login.kind === 'subscriber') {
    writeSubscriberLogin(dirs, login.identity);
  }
}

/**
 * Replaces the stored login with `identity`, as /login with another account does: new
 * credentials, new `oauthAccount`, every other key of .claude.json kept.
 */
export function writeSubscriberLogin(dirs: SandboxDirs, identity: SubscriberIdentity): void {
  const credentials = {
    claudeAiOauth: {
      accessToken: identity.accessToken,
      refreshToken: identity.refreshToken,
      expiresAt: identity.expiresAt,
      scopes: ['user:inference', 'user:profile'],
      subscriptionType: identity.subscriptionType,
      rateLimitTier: identity.rateLimitTier,
    },
  };
  writePrivate(credentialsPath(dirs), JSON.stringify(credentials, null, 2));
  const file = claudeJsonPath(dirs);
  const claudeJson = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  claudeJson.oauthAccount = { ...identity.account };
  writePrivate(file, JSON.stringify(claudeJson, null, 2));
}

function writePrivate(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
}

export interface SandboxEnvOptions {
  /** The mock API, e.g. http://127.0.0.1:PORT. */
  baseUrl: string;
  timeZone: string;
  /** For API-key sessions; subscriber sessions use the stored login. */
  apiKey?: string;
  maxRetries?: number;
}

/**
 * The complete environment for the CLI, built from nothing so that no ANTHROPIC_* variable or
 * CLAUDE_CODE_OAUTH_TOKEN of the caller can override the sandbox's login or send traffic elsewhere.
 */
export function sandboxEnv(dirs: SandboxDirs, options: SandboxEnvOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: dirs.home,
    USER: 'tester',
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    TZ: options.timeZone,
    CLAUDE_CONFIG_DIR: dirs.config,
    ANTHROPIC_BASE_URL: options.baseUrl,
    // Few retries keep error scenarios short.
    CLAUDE_CODE_MAX_RETRIES: String(options.maxRetries ?? 2),
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  if (options.apiKey !== undefined) {
    env.ANTHROPIC_API_KEY = options.apiKey;
  }
  return env;
}

/**
 * argv for a tmux pane: runs `command` under exactly `env` (env -i), and only once `goFile`
 * exists, so pipe-pane can be attached before the first byte is written.
 */
export function paneLauncher(env: Record<string, string>, goFile: string, command: readonly string[]): string[] {
  return [
    'env',
    '-i',
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    'sh',
    '-c',
    'while [ ! -e "$0" ]; do sleep 0.05; done; exec "$@"',
    goFile,
    ...command,
  ];
}
