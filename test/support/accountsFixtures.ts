// Temp Claude Code homes for the account tests. Token values are obviously fake.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

export interface Sandbox {
  root: string;
  home: string;
  configDir: string;
  quotaHome: string;
  credentialsFile: string;
  claudeJsonFile: string;
  env: Record<string, string>;
}

export function makeSandbox(prefix = 'cqs-accounts-'): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const home = path.join(root, 'home');
  const configDir = path.join(root, 'claude-config');
  const quotaHome = path.join(root, 'quota');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(configDir, { recursive: true, mode: 0o700 });
  return {
    root,
    home,
    configDir,
    quotaHome,
    credentialsFile: path.join(configDir, '.credentials.json'),
    claudeJsonFile: path.join(configDir, '.claude.json'),
    env: { HOME: home, CLAUDE_CONFIG_DIR: configDir, CLAUDE_QUOTA_HOME: quotaHome, USER: 'tester' },
  };
}

export function removeSandbox(sb: Sandbox): void {
  fs.rmSync(sb.root, { recursive: true, force: true });
}

export function tokensFor(name: string, gen = 1, expiresAt = 4_102_444_800_000) {
  return {
    accessToken: `test-access-${name}-${gen}`,
    refreshToken: `test-refresh-${name}-${gen}`,
    expiresAt,
    scopes: ['user:inference', 'user:profile'],
    subscriptionType: name === 'beta' ? 'pro' : 'max',
    rateLimitTier: 'default_claude_max_5x',
    futureField: { kept: true },
  };
}

export function accountFor(name: string) {
  return {
    accountUuid: `00000000-0000-4000-8000-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`,
    emailAddress: `${name}@example.test`,
    organizationUuid: `org-${name}`,
    organizationName: `${name} org`,
    displayName: name,
    billingType: 'stripe_subscription',
  };
}

/** Unrelated user state that must survive every switch byte for byte. */
export const OTHER_STATE_TEXT =
  '  "numStartups": 42,\n  "bigNumber": 12345678901234567890123,\n  "projects": {\n    "/tmp/x": {"allowedTools": [], "history": ["a\\"b", "\\u00e9"]}\n  },\n  "tipsHistory": {"x": 1.50}';

export function claudeJsonText(name: string | null): string {
  const acct = name ? `  "oauthAccount": ${JSON.stringify(accountFor(name), null, 2).split('\n').join('\n  ')},\n` : '';
  return `{\n${OTHER_STATE_TEXT},\n${acct}  "userID": "abc"\n}\n`;
}

export function credentialsText(name: string, gen = 1, expiresAt?: number): string {
  return JSON.stringify({ claudeAiOauth: tokensFor(name, gen, expiresAt), mcpOAuth: { 'server|1': { accessToken: 'test-mcp-token' } } });
}

export function writeLogin(sb: Sandbox, name: string, gen = 1, expiresAt?: number): void {
  fs.writeFileSync(sb.credentialsFile, credentialsText(name, gen, expiresAt), { mode: 0o600 });
  fs.writeFileSync(sb.claudeJsonFile, claudeJsonText(name), { mode: 0o600 });
}

/** Saves each login in turn (`[label, account]`), the last one staying live. */
export async function saveLogins(sb: Sandbox, m: { add(label: string): Promise<unknown> }, logins: readonly (readonly [string, string])[]): Promise<void> {
  for (const [label, name] of logins) {
    writeLogin(sb, name);
    await m.add(label);
  }
}

/** A stdout/stderr pair that records everything written. */
export function captureIo(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

export const SECRET_PATTERN = /test-(access|refresh)-[a-z]+-\d+|test-mcp-token/;
