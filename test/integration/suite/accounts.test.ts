// Account switching inside a real VS Code: profiles in SecretStorage, Claude Code's files in the
// temp HOME the runner sets up (CLAUDE_CONFIG_DIR), and a log that never shows a token.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClaudeQuotaApi, ClaudeQuotaTestHooks } from '../../../src/extension/api';
import { testHooks } from './testHooks';
import { waitFor } from './wait';
import { findFiles } from './findFiles';

const EXTENSION_ID = 'claude-quota-sentinel.claude-quota-sentinel';
const LOG_FILE = /Claude Quota Sentinel\.log$/;
const FAR_FUTURE = 4_102_444_800_000;

const UNRELATED = {
  numStartups: 7,
  projects: { '/tmp/x': { allowedTools: [], history: ['a"b', 'é'] } },
  tipsHistory: { x: 1.5 },
  userID: 'abc',
};

function tokens(name: string) {
  return {
    accessToken: `test-access-${name}-1`,
    refreshToken: `test-refresh-${name}-1`,
    expiresAt: FAR_FUTURE,
    scopes: ['user:inference', 'user:profile'],
    subscriptionType: name === 'alpha' ? 'max' : 'pro',
  };
}

function account(name: string) {
  return {
    accountUuid: `00000000-0000-4000-8000-0000000000${name === 'alpha' ? '0a' : '0b'}`,
    emailAddress: `${name}@example.com`,
    organizationUuid: `org-${name}`,
    organizationName: `${name} org`,
  };
}

const ALL_TOKENS = ['alpha', 'beta'].flatMap((n) => [tokens(n).accessToken, tokens(n).refreshToken]);

function configDir(): string {
  const dir = process.env.CLAUDE_CONFIG_DIR;
  assert.ok(dir, 'the runner sets CLAUDE_CONFIG_DIR');
  // Never touch a real login.
  assert.ok(process.env.HOME && dir.startsWith(process.env.HOME) && process.env.HOME.includes('claude-quota-integration-'), `temp HOME expected, got ${process.env.HOME ?? ''}`);
  return dir;
}

function writeLogin(name: string): void {
  const dir = configDir();
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '.credentials.json'), JSON.stringify({ claudeAiOauth: tokens(name) }, null, 2), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, '.claude.json'), JSON.stringify({ ...UNRELATED, oauthAccount: account(name) }, null, 2), { mode: 0o600 });
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

describe('accounts', () => {
  let api: ClaudeQuotaTestHooks;

  before(async () => {
    const extension = vscode.extensions.getExtension<ClaudeQuotaApi>(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} not found`);
    api = testHooks(await extension.activate());
    assert.ok(api?.accounts, 'activate() returns the API');
  });

  it('contributes the account commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['claudeQuota.addAccount', 'claudeQuota.switchAccount', 'claudeQuota.renameAccount', 'claudeQuota.removeAccount']) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
  });

  it('adds two logins and switches back to the first', async () => {
    const dir = configDir();
    const credentialsFile = path.join(dir, '.credentials.json');
    const claudeJsonFile = path.join(dir, '.claude.json');

    writeLogin('alpha');
    const added = await vscode.commands.executeCommand<{ label: string; email: string; plan: string | null } | undefined>('claudeQuota.addAccount', 'alpha');
    assert.deepEqual(added, { label: 'alpha', email: 'alpha@example.com', plan: 'max' });

    writeLogin('beta');
    const addedBeta = await vscode.commands.executeCommand<{ label: string } | undefined>('claudeQuota.addAccount', 'beta');
    assert.equal(addedBeta?.label, 'beta');

    const outcome = await vscode.commands.executeCommand<{ changed: boolean; from: string | null; to: string; email: string } | undefined>(
      'claudeQuota.switchAccount',
      'alpha',
    );
    assert.deepEqual(outcome, { changed: true, from: 'beta', to: 'alpha', email: 'alpha@example.com' });

    assert.deepEqual(readJson(credentialsFile)['claudeAiOauth'], tokens('alpha'));
    const claudeJson = readJson(claudeJsonFile);
    assert.deepEqual(claudeJson['oauthAccount'], account('alpha'));
    const rest = { ...claudeJson };
    delete rest['oauthAccount'];
    assert.deepEqual(rest, UNRELATED, 'unrelated keys of .claude.json are unchanged');
    assert.equal(fs.statSync(credentialsFile).mode & 0o777, 0o600);
    assert.equal(fs.statSync(claudeJsonFile).mode & 0o777, 0o600);

    const views = await api.accounts.list();
    assert.deepEqual(
      views.map((v) => [v.label, v.email, v.plan, v.active]),
      [
        ['alpha', 'alpha@example.com', 'max', true],
        ['beta', 'beta@example.com', 'pro', false],
      ],
    );
    const listed = JSON.stringify(views);
    for (const t of ALL_TOKENS) assert.ok(!listed.includes(t), 'the API never returns a token');
  });

  it('renames by argument and reports an unknown label without UI', async () => {
    assert.equal(await vscode.commands.executeCommand<boolean>('claudeQuota.renameAccount', 'beta', 'personal'), true);
    assert.deepEqual((await api.accounts.list()).map((v) => v.label), ['alpha', 'personal']);
    assert.equal(await vscode.commands.executeCommand('claudeQuota.switchAccount', 'no-such-profile'), undefined);
    // The live login is still alpha's.
    assert.deepEqual(readJson(path.join(configDir(), '.credentials.json'))['claudeAiOauth'], tokens('alpha'));
  });

  it('refuses a switch that the project settings of the workspace folder would override', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the runner opens a workspace folder');
    const settings = path.join(folder, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    fs.writeFileSync(settings, '{ "apiKeyHelper": "echo key" }\n');
    try {
      assert.equal(await vscode.commands.executeCommand('claudeQuota.switchAccount', 'personal'), undefined);
      assert.deepEqual(readJson(path.join(configDir(), '.credentials.json'))['claudeAiOauth'], tokens('alpha'), 'nothing switched');
    } finally {
      fs.rmSync(path.dirname(settings), { recursive: true, force: true });
    }
  });

  it('shows the active account in the status bar, and the setting removes and restores the item', async () => {
    await waitFor('status bar shows alpha', () => (api.statusBarText() === '$(account) alpha' ? true : undefined));
    const config = vscode.workspace.getConfiguration('claudeQuota');
    await config.update('statusBar.enabled', false, vscode.ConfigurationTarget.Global);
    await waitFor('status bar item disposed', () => (api.statusBarText() === undefined ? true : undefined));
    await config.update('statusBar.enabled', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('status bar item back', () => (api.statusBarText() === '$(account) alpha' ? true : undefined));
  });

  it('shows a switch made outside this window (another window, the CLI, /login) without any event of its own', async () => {
    await waitFor('status bar shows alpha', () => (api.statusBarText() === '$(account) alpha' ? true : undefined));
    // Another process switches to beta the way the CLI does: temp file, then rename.
    const dir = configDir();
    for (const [name, text] of [
      ['.credentials.json', JSON.stringify({ claudeAiOauth: tokens('beta') }, null, 2)],
      ['.claude.json', JSON.stringify({ ...UNRELATED, oauthAccount: account('beta') }, null, 2)],
    ] as const) {
      fs.writeFileSync(path.join(dir, `${name}.tmp-test`), text, { mode: 0o600 });
      fs.renameSync(path.join(dir, `${name}.tmp-test`), path.join(dir, name));
    }
    // Generous for a loaded CI machine; the watcher itself reads within a second.
    await waitFor('status bar shows the outside switch', () => (api.statusBarText() === '$(account) personal' ? true : undefined), 5000);
    writeLogin('alpha');
    await waitFor('status bar shows alpha again', () => (api.statusBarText() === '$(account) alpha' ? true : undefined), 5000);
  });

  it('logs the switch and never a token', async () => {
    const roots = [path.dirname(api.logDir), path.dirname(path.dirname(api.logDir))];
    const text = await waitFor('the switch in the output channel log file', () => {
      for (const root of roots) {
        const files = findFiles(root, LOG_FILE);
        const all = files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
        if (all.includes('Switched Claude Code\'s login from "beta" to "alpha"')) return all;
      }
      return undefined;
    });
    assert.match(text, /\[accounts\] Saved the current login as "alpha"/);
    for (const t of ALL_TOKENS) assert.ok(!text.includes(t), 'no token value in the log');
    assert.doesNotMatch(text, /test-(access|refresh)-/);
  });
});
