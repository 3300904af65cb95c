// Auto-switch with the real Claude Code CLI inside a real VS Code. The CLI runs in a tmux pane and
// shares the extension host's temp CLAUDE_CONFIG_DIR (so it uses the login the extension switches);
// the local mock API answers the first account's token with a five-hour usage-limit 429 and every
// other token normally. After the block the extension switches on its own and resumes the stalled
// session: the same running CLI must send the typed "continue" with the second account's token.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClaudeQuotaApi, ClaudeQuotaTestHooks } from '../../../src/extension/api';
import { testHooks } from './testHooks';
import { ClaudeSandbox, ensureClaudeInstalled, wholeHourAfter } from '../../e2e/claudeCli';
import { sandboxEnv, subscriberIdentity, writeClaudeConfig, writeSubscriberLogin, type SandboxDirs } from '../../support/claudeSandbox';
import { lastUserText, MockAnthropicApi } from '../../support/mockAnthropicApi';
import { TmuxServer } from '../../support/tmuxHarness';
import { waitFor } from './wait';

const EXTENSION_ID = 'claude-quota-sentinel.claude-quota-sentinel';
const FIRST = 'cli-first';
const SECOND = 'cli-second';
const ZONE = 'America/Chicago';

function configDir(): string {
  const dir = process.env.CLAUDE_CONFIG_DIR;
  // The runner's temp home only: never a real login.
  assert.ok(dir && process.env.HOME && dir.startsWith(process.env.HOME) && process.env.HOME.includes('claude-quota-integration-'), `temp CLAUDE_CONFIG_DIR expected, got ${dir ?? ''}`);
  return dir;
}

describe('auto-switch with the real Claude Code CLI', function () {
  this.timeout(240_000);
  let api: ClaudeQuotaTestHooks;
  let mock: MockAnthropicApi;
  let sandbox: ClaudeSandbox;
  let server: TmuxServer;
  let previous: string | null = null;
  const first = subscriberIdentity(FIRST);
  const second = subscriberIdentity(SECOND);
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('claudeQuota');

  before(async function () {
    this.timeout(15 * 60_000); // a fresh machine downloads the CLI first
    const extension = vscode.extensions.getExtension<ClaudeQuotaApi>(EXTENSION_ID);
    assert.ok(extension);
    api = testHooks(await extension.activate());
    previous = api.sessions().activeAccount?.label ?? null;
    const claude = await ensureClaudeInstalled();
    const resetsAt = wholeHourAfter(Math.floor(Date.now() / 1000), 2 * 3600);
    mock = new MockAnthropicApi({
      scenario: (req) => (req.authorization === `Bearer ${first.accessToken}` ? { kind: 'usageLimit', claim: 'five_hour', resetsAt } : { kind: 'success', text: 'Hello from the mock API.' }),
    });
    const { url } = await mock.start();
    sandbox = ClaudeSandbox.create('unused');
    // The CLI's config dir is the extension's: first-run flags, then the two logins saved in turn.
    const dirs: SandboxDirs = { ...sandbox.dirs, config: configDir() };
    writeClaudeConfig(dirs, { kind: 'subscriber', identity: first });
    assert.equal((await vscode.commands.executeCommand<{ label: string } | undefined>('claudeQuota.addAccount', FIRST))?.label, FIRST);
    writeSubscriberLogin(dirs, second);
    assert.equal((await vscode.commands.executeCommand<{ label: string } | undefined>('claudeQuota.addAccount', SECOND))?.label, SECOND);
    await vscode.commands.executeCommand('claudeQuota.switchAccount', FIRST);
    await waitFor(`${FIRST} to be active`, () => api.sessions().activeAccount?.label === FIRST);

    const bin = path.join(sandbox.dirs.root, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(claude, path.join(bin, 'claude'));
    const env = sandboxEnv(dirs, { baseUrl: url, timeZone: ZONE });
    env.PATH = `${bin}:${env.PATH}`;

    // in-order: the account saved right after the blocked one. The manual switch above starts the
    // cooldown, so the suite shortens it.
    await config().update('autoSwitch.enabled', true, vscode.ConfigurationTarget.Global);
    await config().update('autoSwitch.strategy', 'in-order', vscode.ConfigurationTarget.Global);
    await config().update('autoSwitch.cooldownMinutes', 0.05, vscode.ConfigurationTarget.Global);
    await config().update('resume.automatic', true, vscode.ConfigurationTarget.Global);

    server = new TmuxServer();
    server.newSession('idle', 'sleep 600');
    await config().update('tmux.socket', server.socket, vscode.ConfigurationTarget.Global);
    paneEnv = env;
  });

  let paneEnv: Record<string, string> = {};

  after(async () => {
    server?.cleanup();
    await mock?.close();
    sandbox?.remove();
    for (const key of ['tmux.socket', 'autoSwitch.enabled', 'autoSwitch.cooldownMinutes', 'autoSwitch.strategy', 'resume.automatic']) {
      await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    }
    if (previous !== null && api && previous !== api.sessions().activeAccount?.label) {
      await vscode.commands.executeCommand('claudeQuota.switchAccount', previous);
    }
  });

  it('switches automatically and resumes: the running CLI sends "continue" with the second account token', async () => {
    const historyBefore = api.autoSwitch.history().length;
    const seqBefore = mock.requests.length;
    const pane = server
      .tmux('new-window', '-d', '-P', '-F', '#{pane_id}', '-t', 'idle:', '-c', sandbox.dirs.cwd, 'env', '-i', ...Object.entries(paneEnv).map(([k, v]) => `${k}=${v}`), 'claude')
      .trim();
    const id = `tmux:${pane}`;
    await waitFor('the pane to be watched', () => api.sessions().sessions.find((s) => s.id === id), 20_000);
    await waitFor('the input prompt', () => server.capture(pane).includes('❯'), 60_000, 150);
    server.tmux('send-keys', '-t', pane, '-l', 'hi');
    await waitFor('the typed prompt', () => /❯\s*hi\b/.test(server.capture(pane)), 10_000, 150);
    server.tmux('send-keys', '-t', pane, 'Enter');

    const limited = await waitFor('the 429', () => mock.messageRequests().find((r) => r.seq >= seqBefore && r.status === 429), 60_000);
    assert.ok(limited.authorization === `Bearer ${first.accessToken}`, 'the 429 answered the first account');
    await waitFor('the pane to be blocked', () => api.sessions().sessions.find((s) => s.id === id && s.state === 'blocked' && s.account?.label === FIRST), 30_000);
    const sw = await waitFor('the automatic switch', () => api.autoSwitch.history().slice(historyBefore).find((r) => r.kind === 'switch'), 30_000);
    assert.equal(sw.kind === 'switch' && `${sw.from ?? ''}->${sw.to} ${sw.reason}`, `${FIRST}->${SECOND} blocked`);
    const creds = JSON.parse(fs.readFileSync(path.join(configDir(), '.credentials.json'), 'utf8')) as { claudeAiOauth?: { accessToken?: string } };
    assert.ok(creds.claudeAiOauth?.accessToken === second.accessToken, 'the live credentials are the second account');

    // Switched and resumed: the extension types "continue" into the stalled pane by itself, and the
    // same running CLI sends it with the second account's token, exactly once.
    const status = await waitFor('the resume to finish', () => {
      const st = api.resume.statuses().get(id);
      return st !== undefined && st.kind !== 'resuming' ? st : undefined;
    }, 60_000, 150);
    assert.equal(status.kind, 'resumed', JSON.stringify(status));
    const typed = api.resume.typed().filter((x) => x.sessionId === id).map((x) => x.input);
    assert.deepEqual(typed, [{ text: 'continue' }, { key: 'Enter' }]);
    const resumed = await waitFor('the resumed request', () => mock.messageRequests().find((r) => r.seq >= seqBefore && lastUserText(r) === 'continue' && r.status !== undefined), 60_000);
    assert.ok(resumed.authorization === `Bearer ${second.accessToken}`, 'the resumed request carried the second account token');
    assert.equal(resumed.status, 200);
    await waitFor('the reply on screen', () => server.capture(pane).includes('Hello from the mock API.'), 30_000, 150);
    assert.equal(mock.messageRequests().filter((r) => r.seq >= seqBefore && lastUserText(r) === 'continue').length, 1, 'one resumed prompt');
    // Only the two logins' access tokens ever reached the API.
    for (const r of mock.requests.slice(seqBefore)) {
      assert.ok(r.authorization === undefined || r.authorization === `Bearer ${first.accessToken}` || r.authorization === `Bearer ${second.accessToken}`, `unexpected credential on ${r.path}`);
    }
  });
});
