// Auto-switch and automatic resume with the real Claude Code CLI inside a real VS Code, against the
// local mock API. The CLI uses the extension host's own (temporary) CLAUDE_CONFIG_DIR, so the login
// the extension switches is the one it sends. Two cases the other suites leave out:
//  - a watched integrated terminal (shell integration): the first account's five-hour 429 makes the
//    extension switch on its own and type "continue", which the mock sees once with the second token;
//  - every account limited (two five-hour 429s with different resets): one switch, the resumed
//    "continue" hits the second account's limit too, then one "all exhausted" notice, and nothing
//    more is switched or typed while every account is blocked.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AutoSwitchRecord } from '../../../src/extension/accounts/autoSwitchController';
import type { ClaudeQuotaApi, ClaudeQuotaTestHooks } from '../../../src/extension/api';
import { testHooks } from './testHooks';
import { ClaudeSandbox, ensureClaudeInstalled, wholeHourAfter } from '../../e2e/claudeCli';
import { lastUserText, MockAnthropicApi, type MockReply } from '../../support/mockAnthropicApi';
import { resetAhead, writeRecordingResettingAt } from '../../support/recordingAt';
import { TmuxServer } from '../../support/tmuxHarness';
import { useFreshAccount } from './freshAccount';
import { prepareClaudeJson, startClaudeInTerminal, submitPrompt, TerminalScope } from './realClaudeHost';
import { sleep, waitFor } from './wait';

const EXTENSION_ID = 'claude-quota-sentinel.claude-quota-sentinel';
// Names whose account ids (hashes of the whole name) differ from every other suite's.
const TERM_FIRST = 'asterm-first';
const TERM_SECOND = 'asterm-second';
const PING_FIRST = 'aspong-first';
const PING_SECOND = 'aspong-second';
const token = (name: string): string => `test-access-${name}-1`;
const ZONE = process.env.TZ && process.env.TZ !== 'UTC' && process.env.TZ !== 'Etc/UTC' ? process.env.TZ : 'America/Chicago';
const REPLY = 'Hello from the mock API.';
const COOLDOWN_MINUTES = 0.05;

function configDir(): string {
  const dir = process.env.CLAUDE_CONFIG_DIR;
  // The runner's temp home only: never a real login.
  assert.ok(dir && process.env.HOME && dir.startsWith(process.env.HOME) && process.env.HOME.includes('claude-quota-integration-'), `temp CLAUDE_CONFIG_DIR expected, got ${dir ?? ''}`);
  return dir;
}

/** The live login's access token, compared by the tests and never printed. */
function liveAccessToken(): string | undefined {
  const doc = JSON.parse(fs.readFileSync(path.join(configDir(), '.credentials.json'), 'utf8')) as { claudeAiOauth?: { accessToken?: string } };
  return doc.claudeAiOauth?.accessToken;
}

describe('auto-switch and automatic resume with the real Claude Code CLI (terminal, every account limited)', function () {
  this.timeout(240_000);
  let api: ClaudeQuotaTestHooks;
  let mock: MockAnthropicApi;
  let sandbox: ClaudeSandbox;
  let server: TmuxServer;
  let env: Record<string, string>;
  let previous: string | null = null;
  /** Each test's answer per access token; any other token gets a success. */
  let answers: Record<string, MockReply> = {};
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('claudeQuota');
  const CHANGED = ['tmux.socket', 'autoSwitch.enabled', 'autoSwitch.strategy', 'autoSwitch.cooldownMinutes', 'resume.automatic'];

  before(async function () {
    this.timeout(15 * 60_000); // a fresh machine downloads the CLI first
    const extension = vscode.extensions.getExtension<ClaudeQuotaApi>(EXTENSION_ID);
    assert.ok(extension);
    api = testHooks(await extension.activate());
    previous = api.sessions().activeAccount?.label ?? null;
    const claude = await ensureClaudeInstalled();
    mock = new MockAnthropicApi({
      scenario: (req) => {
        const t = req.authorization?.replace(/^Bearer\s+/i, '');
        return (t !== undefined && Object.prototype.hasOwnProperty.call(answers, t) ? answers[t] : undefined) ?? { kind: 'success', text: REPLY };
      },
    });
    const { url } = await mock.start();
    sandbox = ClaudeSandbox.create('asresume');
    const bin = path.join(sandbox.dirs.root, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(claude, path.join(bin, 'claude'));
    const base = sandbox.env(url, ZONE);
    // The extension's own Claude Code config: its switch rewrites the credentials this CLI reads.
    env = { ...base, CLAUDE_CONFIG_DIR: configDir(), PATH: `${bin}:${base.PATH}` };
    api.terminalSource.setTimeContext(() => ({ now: new Date(), timeZone: ZONE }));

    server = new TmuxServer();
    // `claude` in the server's own bin replays a recorded screen (the real CLI runs from the sandbox's bin).
    fs.writeFileSync(path.join(server.bin, 'claude'), '#!/bin/sh\nstty -echo 2>/dev/null\nsleep 0.3\ncat "$1"\nsleep 120\nexit 0\n', { mode: 0o755 });
    server.newSession('idle', 'sleep 600');
    await config().update('tmux.socket', server.socket, vscode.ConfigurationTarget.Global);
    // in-order: the account saved right after the blocked one. A manual switch starts the cooldown
    // too, so the suite shortens it.
    await config().update('autoSwitch.strategy', 'in-order', vscode.ConfigurationTarget.Global);
    await config().update('autoSwitch.cooldownMinutes', COOLDOWN_MINUTES, vscode.ConfigurationTarget.Global);
    await config().update('resume.automatic', true, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    api?.terminalSource.setTimeContext(undefined);
    server?.cleanup();
    await mock?.close();
    sandbox?.remove();
    for (const key of CHANGED) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    if (previous !== null && api && previous !== api.sessions().activeAccount?.label) {
      await vscode.commands.executeCommand('claudeQuota.switchAccount', previous);
      await waitFor(`${previous} to be active again`, () => api.sessions().activeAccount?.label === previous);
    }
  });

  /** Saves `first` then `second` (so in-order picks the second after the first) and makes `first` active. */
  async function saveAndUseFirst(first: string, second: string): Promise<void> {
    await useFreshAccount(api, first);
    await useFreshAccount(api, second);
    prepareClaudeJson(configDir(), sandbox.dirs.cwd);
    await vscode.commands.executeCommand('claudeQuota.switchAccount', first);
    await waitFor(`${first} to be active`, () => api.sessions().activeAccount?.label === first);
    assert.ok(liveAccessToken() === token(first), `the live login is ${first}`);
  }

  describe('in a watched integrated terminal', () => {
    const scope = new TerminalScope();
    after(() => scope.close(api));

    it('switches by itself on a five-hour 429 and types "continue", which the mock sees once with the second token', async () => {
      const resetsAt = wholeHourAfter(Math.floor(Date.now() / 1000), 2 * 3600);
      answers = { [token(TERM_FIRST)]: { kind: 'usageLimit', claim: 'five_hour', resetsAt } };
      await config().update('autoSwitch.enabled', false, vscode.ConfigurationTarget.Global);
      await saveAndUseFirst(TERM_FIRST, TERM_SECOND);
      await config().update('autoSwitch.enabled', true, vscode.ConfigurationTarget.Global);
      await api.autoSwitch.settled();
      const historyBefore = api.autoSwitch.history().length;
      const typedBefore = api.resume.typed().length;

      const seqBefore = mock.requests.length;
      const claude = await startClaudeInTerminal(api, { name: 'autoswitch-claude', cwd: sandbox.dirs.cwd, env, scope });
      const session = claude.session;
      await submitPrompt(claude, 'hi');

      const limited = await waitFor('the 429', () => mock.messageRequests().find((r) => r.seq >= seqBefore && r.status === 429), 60_000);
      assert.ok(limited.authorization === `Bearer ${token(TERM_FIRST)}`, 'the 429 answered the first account');
      const sw = await waitFor('the automatic switch', () => api.autoSwitch.history().slice(historyBefore).find((r) => r.kind === 'switch'), 60_000);
      assert.equal(sw.kind === 'switch' && `${sw.from ?? ''}->${sw.to} ${sw.reason}`, `${TERM_FIRST}->${TERM_SECOND} blocked`);
      assert.ok(liveAccessToken() === token(TERM_SECOND), 'the live credentials are the second account');

      const status = await waitFor('the resume to finish', () => {
        const st = api.resume.statuses().get(session.id);
        return st !== undefined && st.kind !== 'resuming' ? st : undefined;
      }, 60_000);
      assert.deepEqual([status.kind, status.trigger], ['resumed', 'switched'], status.detail ?? '');
      const typed = api.resume.typed().slice(typedBefore).filter((x) => x.sessionId === session.id).map((x) => x.input);
      assert.deepEqual(typed, [{ text: 'continue' }, { key: 'Enter' }]);
      const resumed = await waitFor('the resumed request', () => mock.messageRequests().find((r) => r.seq >= seqBefore && lastUserText(r) === 'continue' && r.status !== undefined), 60_000);
      assert.ok(resumed.authorization === `Bearer ${token(TERM_SECOND)}`, 'the resumed request carried the second account token');
      assert.equal(resumed.status, 200);
      // On the session's rendered screen: the raw stream has the TUI's partial redraws.
      await waitFor('the reply in the terminal', () => api.terminalSource.screenLines(session.id)?.some((l) => l.includes(REPLY)), 30_000);
      assert.equal(mock.messageRequests().filter((r) => r.seq >= seqBefore && lastUserText(r) === 'continue').length, 1, 'one resumed prompt');

      // The session runs on the second account: nothing counts down any more.
      const after = await waitFor('the session to run on the second account', () => api.sessions().sessions.find((s) => s.id === session.id && s.state !== 'blocked'), 30_000);
      assert.equal(api.sessions().activeAccount?.label, TERM_SECOND);
      assert.equal(after.resetsAt, null);
      const text = await waitFor('the status bar without a countdown', () => {
        const s = api.statusBarText();
        return s !== undefined && !/\$\(watch\)/.test(s) ? s : undefined;
      }, 30_000);
      assert.match(text, new RegExp(`^\\$\\(account\\) ${TERM_SECOND}\\b`));
      // Only the two logins' access tokens ever reached the API.
      for (const r of mock.requests.slice(seqBefore)) {
        assert.ok(r.authorization === undefined || r.authorization === `Bearer ${token(TERM_FIRST)}` || r.authorization === `Bearer ${token(TERM_SECOND)}`, `unexpected credential on ${r.path}`);
      }
    });
  });

  describe('with every account limited (real CLI in a tmux pane)', () => {
    let pane: string | undefined;

    after(() => {
      if (pane !== undefined) server.tmux('kill-pane', '-t', pane);
    });

    /** The other suites' saved accounts are used up first (a replayed 5-hour limit each), so only the two here could be switched to. */
    async function exhaustOtherAccounts(): Promise<void> {
      for (const v of await api.accounts.list()) {
        if (v.state.kind !== 'available') continue;
        await vscode.commands.executeCommand('claudeQuota.switchAccount', v.label);
        await waitFor(`${v.label} to be active`, () => api.sessions().activeAccount?.label === v.label);
        const replay = server.newWindow('idle', server.command('claude', writeRecordingResettingAt('five_hour', resetAhead(), server.dir)));
        await waitFor(`the replayed limit of ${v.label}`, () => api.sessions().sessions.find((x) => x.id === `tmux:${replay}` && x.state === 'blocked' && x.account?.label === v.label));
        server.tmux('kill-pane', '-t', replay);
        await waitFor(`${v.label} to be recorded as exhausted`, async () => (await api.accounts.list()).find((x) => x.label === v.label)?.state.kind === 'exhausted');
      }
    }

    it('switches once, then gives one "all exhausted" notice and neither switches back nor types again', async () => {
      const now = Math.floor(Date.now() / 1000);
      const firstReset = wholeHourAfter(now, 2 * 3600);
      const secondReset = firstReset + 3600;
      answers = {
        [token(PING_FIRST)]: { kind: 'usageLimit', claim: 'five_hour', resetsAt: firstReset },
        [token(PING_SECOND)]: { kind: 'usageLimit', claim: 'five_hour', resetsAt: secondReset },
      };
      // Decided (off) while the setup uses accounts up and switches by hand.
      await config().update('autoSwitch.enabled', false, vscode.ConfigurationTarget.Global);
      await config().update('resume.automatic', false, vscode.ConfigurationTarget.Global);
      await exhaustOtherAccounts();
      await saveAndUseFirst(PING_FIRST, PING_SECOND);
      await config().update('resume.automatic', true, vscode.ConfigurationTarget.Global);
      await config().update('autoSwitch.enabled', true, vscode.ConfigurationTarget.Global);
      await api.autoSwitch.settled();
      const historyBefore = api.autoSwitch.history().length;
      const history = (): readonly AutoSwitchRecord[] => api.autoSwitch.history().slice(historyBefore);
      const switches = (): AutoSwitchRecord[] => history().filter((r) => r.kind === 'switch');
      const notices = (): AutoSwitchRecord[] => history().filter((r) => r.kind === 'all-exhausted');
      const typedBefore = api.resume.typed().length;
      const seqBefore = mock.requests.length;

      pane = server
        .tmux('new-window', '-d', '-P', '-F', '#{pane_id}', '-t', 'idle:', '-c', sandbox.dirs.cwd, 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'claude')
        .trim();
      const p = pane;
      const id = `tmux:${p}`;
      const typed = (): unknown[] => api.resume.typed().slice(typedBefore).filter((x) => x.sessionId === id).map((x) => x.input);
      await waitFor('the pane to be watched', () => api.sessions().sessions.find((s) => s.id === id), 20_000);
      await waitFor('the input prompt', () => server.capture(p).includes('❯'), 60_000, 150);
      server.tmux('send-keys', '-t', p, '-l', 'hi');
      await waitFor('the typed prompt', () => /❯\s*hi\b/.test(server.capture(p)), 10_000, 150);
      server.tmux('send-keys', '-t', p, 'Enter');

      // The first account's limit: one automatic switch to the second.
      const limited = await waitFor('the first 429', () => mock.messageRequests().find((r) => r.seq >= seqBefore && r.status === 429), 60_000);
      assert.ok(limited.authorization === `Bearer ${token(PING_FIRST)}`, 'the first 429 answered the first account');
      const sw = await waitFor('the automatic switch', () => switches()[0], 60_000);
      assert.equal(sw.kind === 'switch' && `${sw.from ?? ''}->${sw.to} ${sw.reason}`, `${PING_FIRST}->${PING_SECOND} blocked`);

      // The resumed "continue" goes out with the second account's token and hits its limit too.
      const resumed = await waitFor('the resumed request', () => mock.messageRequests().find((r) => r.seq >= seqBefore && lastUserText(r) === 'continue' && r.status !== undefined), 60_000);
      assert.ok(resumed.authorization === `Bearer ${token(PING_SECOND)}`, 'the resumed request carried the second account token');
      assert.equal(resumed.status, 429);
      const blocked = await waitFor('the pane to be blocked on the second account', () => api.sessions().sessions.find((s) => s.id === id && s.state === 'blocked' && s.account?.label === PING_SECOND), 30_000);
      assert.ok(blocked.resetsAt !== null);
      const notice = await waitFor('the all-exhausted notice', () => notices()[0], 30_000);
      assert.ok(notice.kind === 'all-exhausted');
      // The earliest reset of all saved accounts: never the second's, an hour after the first's
      // (another suite's account may reset as early or earlier).
      assert.notEqual(notice.earliest, PING_SECOND);
      assert.ok(notice.resetsAt > Date.now() && notice.resetsAt <= firstReset * 1000, `earliest reset ${new Date(notice.resetsAt).toISOString()}`);
      await waitFor('the all-exhausted status item', () => api.autoSwitch.statusText(), 10_000);
      const status = await waitFor('the resume to end', () => {
        const st = api.resume.statuses().get(id);
        return st !== undefined && st.kind !== 'resuming' ? st : undefined;
      }, 60_000);
      assert.deepEqual([status.kind, status.trigger, status.detail], ['resume failed', 'switched', 'the limit was reached again']);

      // Quiet for several seconds beyond the cooldown: every account is blocked, so nothing happens.
      await sleep(COOLDOWN_MINUTES * 60_000 + 8000);
      await api.autoSwitch.settled();
      assert.equal(switches().length, 1, `no switching back: ${JSON.stringify(switches().map((r) => r.kind === 'switch' && `${r.from ?? ''}->${r.to}`))}`);
      assert.equal(notices().length, 1, 'one notice per all-exhausted episode');
      assert.deepEqual(typed(), [{ text: 'continue' }, { key: 'Enter' }], 'typed once, after the one switch');
      assert.ok(liveAccessToken() === token(PING_SECOND), 'the credentials file stays on the second account');
      assert.equal(api.sessions().activeAccount?.label, PING_SECOND);
      const sent = mock.messageRequests().filter((r) => r.seq >= seqBefore);
      assert.equal(sent.filter((r) => lastUserText(r) === 'continue').length, 1, 'one resumed prompt');
      assert.deepEqual(sent.map((r) => [r.authorization === `Bearer ${token(PING_FIRST)}` ? 'first' : r.authorization === `Bearer ${token(PING_SECOND)}` ? 'second' : 'other', r.status]), [['first', 429], ['second', 429]]);
      assert.equal(api.sessions().sessions.find((s) => s.id === id)?.state, 'blocked');
    });
  });
});
