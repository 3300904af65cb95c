// Runs inside the extension host: two saved accounts, auto-switch on, and a private tmux server whose
// panes replay Claude Code's recorded 5-hour limit screen. The first block must move Claude Code's
// stored login to the second account (with an Undo notification); a block of the second account,
// with every account exhausted, must give one notice and no switching back and forth.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClaudeQuotaApi, ClaudeQuotaTestHooks } from '../../../src/extension/api';
import { testHooks } from './testHooks';
import type { AutoSwitchRecord } from '../../../src/extension/accounts/autoSwitchController';
import { resetAhead, writeRecordingResettingAt } from '../../support/recordingAt';
import { TmuxServer } from '../../support/tmuxHarness';
import { useFreshAccount } from './freshAccount';
import { sleep, waitFor } from './wait';
import { findFiles } from './findFiles';

const EXTENSION_ID = 'claude-quota-sentinel.claude-quota-sentinel';
const FIRST = 'first-auto';
const SECOND = 'second-auto';

/** The live login's access token, compared in the test and never printed. */
function liveAccessToken(): string | undefined {
  const dir = process.env.CLAUDE_CONFIG_DIR ?? '';
  const doc = JSON.parse(fs.readFileSync(path.join(dir, '.credentials.json'), 'utf8')) as { claudeAiOauth?: { accessToken?: string } };
  return doc.claudeAiOauth?.accessToken;
}

function liveEmail(): string | undefined {
  const dir = process.env.CLAUDE_CONFIG_DIR ?? '';
  const doc = JSON.parse(fs.readFileSync(path.join(dir, '.claude.json'), 'utf8')) as { oauthAccount?: { emailAddress?: string } };
  return doc.oauthAccount?.emailAddress;
}

describe('auto-switch over a private tmux server', function () {
  this.timeout(180_000);
  let api: ClaudeQuotaTestHooks;
  let server: TmuxServer;
  let previous: string | null = null;
  let historyBefore = 0;
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('claudeQuota');
  const history = (): readonly AutoSwitchRecord[] => api.autoSwitch.history().slice(historyBefore);
  const switches = () => history().filter((r): r is Extract<AutoSwitchRecord, { kind: 'switch' }> => r.kind === 'switch');
  const notices = () => history().filter((r) => r.kind === 'all-exhausted');

  /** A new pane replays the 5-hour limit; resolves once its session is blocked, then closes the pane. */
  async function blockActiveAccount(): Promise<string> {
    const account = api.sessions().activeAccount?.label;
    assert.ok(account, 'an active saved account');
    const pane = server.newWindow('idle', server.command('claude', writeRecordingResettingAt('five_hour', resetAhead(), server.dir)));
    const s = await waitFor(`the pane of ${account} to be blocked`, () => api.sessions().sessions.find((x) => x.id === `tmux:${pane}` && x.state === 'blocked'));
    assert.equal(s.account?.label, account);
    server.tmux('kill-pane', '-t', pane);
    return account;
  }

  before(async () => {
    const extension = vscode.extensions.getExtension<ClaudeQuotaApi>(EXTENSION_ID);
    assert.ok(extension);
    api = testHooks(await extension.activate());
    previous = api.sessions().activeAccount?.label ?? null;
    server = new TmuxServer();
    const script = '#!/bin/sh\nstty -echo 2>/dev/null\nsleep 0.3\ncat "$1"\nsleep 120\nexit 0\n';
    fs.writeFileSync(path.join(server.bin, 'claude'), script, { mode: 0o755 });
    server.newSession('idle', 'sleep 600');
    await config().update('tmux.socket', server.socket, vscode.ConfigurationTarget.Global);
    // Decided (off) while the accounts of other suites are used up below: no prompt, no switch.
    await config().update('autoSwitch.enabled', false, vscode.ConfigurationTarget.Global);
    // The suite switches by hand just before each block, and a manual switch starts the cooldown too.
    await config().update('autoSwitch.cooldownMinutes', 0.05, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    server?.cleanup();
    for (const key of ['tmux.socket', 'autoSwitch.enabled', 'autoSwitch.cooldownMinutes', 'autoSwitch.strategy']) {
      await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    }
    if (previous !== null && previous !== api.sessions().activeAccount?.label) {
      await vscode.commands.executeCommand('claudeQuota.switchAccount', previous);
    }
  });

  it('switches the live login to the second account when the first is blocked, with Undo', async () => {
    // Accounts other suites saved in this extension host are hit first, so only this suite's two are usable.
    for (const v of await api.accounts.list()) {
      if (v.state.kind !== 'available') continue;
      await vscode.commands.executeCommand('claudeQuota.switchAccount', v.label);
      await waitFor(`${v.label} to be active`, () => api.sessions().activeAccount?.label === v.label);
      await blockActiveAccount();
      await waitFor(`${v.label} to be recorded as exhausted`, async () => (await api.accounts.list()).find((x) => x.label === v.label)?.state.kind === 'exhausted');
    }
    await useFreshAccount(api, SECOND);
    await useFreshAccount(api, FIRST);
    const secondToken = `test-access-${SECOND}-1`;
    assert.ok(liveAccessToken() === `test-access-${FIRST}-1`, 'the first account is logged in');
    await config().update('autoSwitch.enabled', true, vscode.ConfigurationTarget.Global);
    await config().update('autoSwitch.strategy', 'in-order', vscode.ConfigurationTarget.Global);
    await api.autoSwitch.settled();
    historyBefore = api.autoSwitch.history().length;

    const events: string[] = [];
    const sub = api.autoSwitch.onDidAutoSwitch((e) => events.push(`${e.from ?? ''}->${e.to} ${e.reason}`));
    try {
      assert.equal(await blockActiveAccount(), FIRST);
      const sw = await waitFor('the automatic switch', () => switches()[0]);
      assert.deepEqual([sw.from, sw.to, sw.reason], [FIRST, SECOND, 'blocked']);
      assert.deepEqual(sw.actions, ['Undo'], 'the notification offers Undo');
      assert.match(sw.message, new RegExp(`switched from ${FIRST} to ${SECOND}: ${FIRST} hit its usage limit`));
      assert.deepEqual(events, [`${FIRST}->${SECOND} blocked`]);
      // Claude Code's stored login is now the second account's (compared, never printed).
      assert.ok(liveAccessToken() === secondToken, 'the credentials file holds the second profile token');
      assert.equal(liveEmail(), `${SECOND}@example.com`);
      await waitFor('the sessions to follow the new account', () => api.sessions().activeAccount?.label === SECOND);
      const views = await api.accounts.list();
      assert.equal(views.find((v) => v.label === FIRST)?.state.kind, 'exhausted');
      assert.equal(views.find((v) => v.label === SECOND)?.active, true);
    } finally {
      sub.dispose();
    }
  });

  it('with every account exhausted: one notice, the earliest reset in the status bar, and no ping-pong', async () => {
    const secondToken = `test-access-${SECOND}-1`;
    assert.equal(await blockActiveAccount(), SECOND);
    const notice = await waitFor('the all-exhausted notice', () => notices()[0]);
    assert.match(notice.message, /^Every saved Claude account has hit its usage limit\. The first to reset is .+, at (\w{3}, \w{3} \d{1,2}, )?\d{1,2}:\d\d [ap]m \(in (\d+h \d+m|\d+m)\)\./);
    const status = await waitFor('the all-exhausted status item', () => api.autoSwitch.statusText());
    assert.match(status, /^\$\(circle-slash\) \S+ (\w{3}, \w{3} \d{1,2}, )?\d{1,2}:\d\d [ap]m$/);
    // More sessions of the exhausted accounts keep hitting the limit: nothing changes any more.
    assert.equal(await blockActiveAccount(), SECOND);
    await sleep(4000); // past the suite's short cooldown
    assert.equal(await blockActiveAccount(), SECOND);
    await api.autoSwitch.settled();
    assert.equal(notices().length, 1, 'one notice per all-exhausted episode');
    assert.equal(switches().length, 1, 'no switching back and forth');
    assert.ok(liveAccessToken() === secondToken, 'the second profile is still the live login');
    assert.equal(api.sessions().activeAccount?.label, SECOND);

    // Turning auto-switch off ends the episode: the status item goes.
    await config().update('autoSwitch.enabled', false, vscode.ConfigurationTarget.Global);
    await waitFor('the status item to go', () => api.autoSwitch.statusText() === undefined);
  });

  it('logs each decision under its tag and never a token', async () => {
    assert.doesNotMatch(JSON.stringify(api.autoSwitch.history()), /test-(access|refresh)-/);
    const roots = [path.dirname(api.logDir), path.dirname(path.dirname(api.logDir))];
    const log = await waitFor('the auto-switch lines in the log file', () => {
      const all = roots.flatMap((r) => findFiles(r, /Claude Quota Sentinel\.log$/)).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
      return all.includes('[autoswitch] All accounts exhausted') ? all : undefined;
    });
    assert.match(log, new RegExp(`\\[autoswitch\\] Switching from ${FIRST} to ${SECOND} \\(blocked\\)`));
    assert.doesNotMatch(log, /test-(access|refresh)-/);
  });
});
