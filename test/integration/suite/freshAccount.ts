// A saved account of its own for a suite. The notifier tells once per account and block, and a
// block lasts until its reset, so suites that each expect a notification in the same extension
// host use different accounts; afterwards the account that was active before is restored.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClaudeQuotaTestHooks } from '../../../src/extension/api';
import { waitFor } from './wait';

const FAR_FUTURE = 4_102_444_800_000;

function configDir(): string {
  const dir = process.env.CLAUDE_CONFIG_DIR;
  // The runner's temp home only: never a real login.
  assert.ok(dir && process.env.HOME && dir.startsWith(process.env.HOME) && process.env.HOME.includes('claude-quota-integration-'), `temp CLAUDE_CONFIG_DIR expected, got ${dir ?? ''}`);
  return dir;
}

/**
 * Logs the extension host's Claude Code in as the made-up `name` and saves that login, so it is
 * the active account; returns a function that switches back to the account active before (if any).
 */
export async function useFreshAccount(api: ClaudeQuotaTestHooks, name: string): Promise<() => Promise<void>> {
  const previous = api.sessions().activeAccount?.label ?? null;
  const dir = configDir();
  fs.mkdirSync(dir, { recursive: true });
  const credentials = {
    claudeAiOauth: {
      accessToken: `test-access-${name}-1`,
      refreshToken: `test-refresh-${name}-1`,
      expiresAt: FAR_FUTURE,
      scopes: ['user:inference', 'user:profile'],
      subscriptionType: 'max',
    },
  };
  fs.writeFileSync(path.join(dir, '.credentials.json'), JSON.stringify(credentials, null, 2), { mode: 0o600 });
  const claudeJsonFile = path.join(dir, '.claude.json');
  const claudeJson = fs.existsSync(claudeJsonFile) ? (JSON.parse(fs.readFileSync(claudeJsonFile, 'utf8')) as Record<string, unknown>) : {};
  // From the whole name, so names sharing a prefix are still different accounts.
  const uuidTail = createHash('sha256').update(name).digest('hex').slice(0, 12);
  claudeJson['oauthAccount'] = {
    accountUuid: `00000000-0000-4000-8000-${uuidTail}`,
    emailAddress: `${name}@example.com`,
    organizationUuid: `org-${name}`,
    organizationName: `${name} org`,
  };
  fs.writeFileSync(claudeJsonFile, JSON.stringify(claudeJson, null, 2), { mode: 0o600 });
  const added = await vscode.commands.executeCommand<{ label: string } | undefined>('claudeQuota.addAccount', name);
  assert.equal(added?.label, name);
  await waitFor(`${name} to be the active account`, () => api.sessions().activeAccount?.label === name);
  return async () => {
    if (previous === null) return;
    await vscode.commands.executeCommand('claudeQuota.switchAccount', previous);
    await waitFor(`${previous} to be active again`, () => api.sessions().activeAccount?.label === previous);
  };
}
