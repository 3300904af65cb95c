// Resuming stalled sessions end to end: the real Claude Code CLI (the pinned version) in a watched
// integrated terminal and in a tmux pane, against the mock API in this process, which answers the
// first saved account's token with a usage-limit 429 and the second's normally. The CLI uses the
// extension host's own (temporary) CLAUDE_CONFIG_DIR, so the extension's account switch rewrites
// the very credentials the running CLI reads; the resumed request must carry the second account's
// token, which also shows that a running Claude Code picks up a rewritten .credentials.json.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClaudeQuotaApi, ClaudeQuotaTestHooks } from '../../../src/extension/api';
import { testHooks } from './testHooks';
import type { TypedInput } from '../../../src/extension/resume/resumeController';
import { ClaudeSandbox, ensureClaudeInstalled, wholeHourAfter } from '../../e2e/claudeCli';
import { lastUserText, MockAnthropicApi, scenarioByToken, type RecordedRequest, type UnifiedClaim } from '../../support/mockAnthropicApi';
import { TmuxServer } from '../../support/tmuxHarness';
import { useFreshAccount } from './freshAccount';
import { prepareClaudeJson, startClaudeInTerminal, submitPrompt, TerminalScope } from './realClaudeHost';

const EXTENSION_ID = 'claude-quota-sentinel.claude-quota-sentinel';
const FIRST = 'resum1-first';
const SECOND = 'resum2-second';
// Tokens useFreshAccount gives the two logins. Its account ids come from a name's first six letters, so
// these differ from each other and from every other suite's account.
const FIRST_TOKEN = `test-access-${FIRST}-1`;
const SECOND_TOKEN = `test-access-${SECOND}-1`;
const ZONE = process.env.TZ && process.env.TZ !== 'UTC' && process.env.TZ !== 'Etc/UTC' ? process.env.TZ : 'America/Chicago';
const REPLY = 'Hello from the second account.';

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The text the user typed last in a Messages request (the last text block of the last user message). */
function describeTyped(typed: readonly TypedInput[]): string {
  return typed.map((t) => ('text' in t.input ? `text:${t.input.text}` : `key:${t.input.key}`)).join(', ');
}

describe('resuming a session stalled by a usage limit after an account switch (real Claude Code CLI)', function () {
  this.timeout(240_000);
  let api: ClaudeQuotaTestHooks;
  let mock: MockAnthropicApi;
  let sandbox: ClaudeSandbox;
  let env: Record<string, string>;
  let restoreAccount: (() => Promise<void>) | undefined;
  /** What the first account's token is answered with: a 5-hour limit, or a weekly one (menu). */
  let firstLimit: { claim: UnifiedClaim; resetsAt: number } = { claim: 'five_hour', resetsAt: 0 };

  before(async function () {
    this.timeout(15 * 60_000);
    const extension = vscode.extensions.getExtension<ClaudeQuotaApi>(EXTENSION_ID);
    assert.ok(extension);
    api = testHooks(await extension.activate());
    // Two saved accounts; the second is active after this.
    restoreAccount = await useFreshAccount(api, FIRST);
    await useFreshAccount(api, SECOND);
    const claude = await ensureClaudeInstalled();
    mock = new MockAnthropicApi({
      scenario: scenarioByToken(
        // Limited until its reset, then answered normally.
        { [FIRST_TOKEN]: () => (Date.now() / 1000 < firstLimit.resetsAt ? { kind: 'usageLimit', claim: firstLimit.claim, resetsAt: firstLimit.resetsAt } : { kind: 'success', text: REPLY }) },
        () => ({ kind: 'success', text: REPLY }),
      ),
    });
    const { url } = await mock.start();
    sandbox = ClaudeSandbox.create('resume');
    const configDir = process.env.CLAUDE_CONFIG_DIR;
    assert.ok(configDir !== undefined && configDir.includes('claude-quota-integration-'), `temp CLAUDE_CONFIG_DIR expected, got ${configDir ?? ''}`);
    prepareClaudeJson(configDir, sandbox.dirs.cwd);
    const bin = path.join(sandbox.dirs.root, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(claude, path.join(bin, 'claude'));
    const base = sandbox.env(url, ZONE);
    // The extension's own Claude Code config: its switch rewrites the credentials this CLI reads.
    env = { ...base, CLAUDE_CONFIG_DIR: configDir, PATH: `${bin}:${base.PATH}` };
    api.terminalSource.setTimeContext(() => ({ now: new Date(), timeZone: ZONE }));
  });

  after(async () => {
    api?.terminalSource.setTimeContext(undefined);
    await mock?.close();
    sandbox?.remove();
    await restoreAccount?.();
  });

  /** Makes the first account the active one (the one whose requests hit the limit). */
  async function useFirst(): Promise<void> {
    await vscode.commands.executeCommand('claudeQuota.switchAccount', FIRST);
    await waitFor(`${FIRST} to be active`, () => api.sessions().activeAccount?.label === FIRST);
  }

  async function switchToSecond(): Promise<void> {
    await vscode.commands.executeCommand('claudeQuota.switchAccount', SECOND);
    await waitFor(`${SECOND} to be active`, () => api.sessions().activeAccount?.label === SECOND);
  }

  /** Waits for the resume to finish and checks the request the mock saw: "continue", with the second token. */
  async function expectResumedWithSecondAccount(id: string, seqBefore: number): Promise<RecordedRequest> {
    const status = await waitFor(`${id} to be resumed`, () => {
      const s = api.resume.statuses().get(id);
      return s !== undefined && s.kind !== 'resuming' ? s : undefined;
    }, 60_000);
    assert.equal(status.kind, 'resumed', `resume status ${status.kind} (${status.detail ?? ''})`);
    assert.equal(status.trigger, 'switched');
    const resumed = await waitFor('the resumed request', () => mock.messageRequests().find((r) => r.seq >= seqBefore && lastUserText(r) === 'continue'), 30_000);
    assert.equal(resumed.authorization, `Bearer ${SECOND_TOKEN}`, 'the resumed request carries the second account\'s token');
    assert.equal(resumed.status, 200);
    // One "continue": no duplicate prompt.
    assert.equal(mock.messageRequests().filter((r) => r.seq >= seqBefore && lastUserText(r) === 'continue').length, 1);
    return resumed;
  }

  describe('in a watched integrated terminal', () => {
    const scope = new TerminalScope();
    after(() => scope.close(api));

    it('is resumed with "continue" after Switch Account, and the mock sees it with the second account\'s token', async () => {
      firstLimit = { claim: 'five_hour', resetsAt: wholeHourAfter(Math.floor(Date.now() / 1000), 2 * 3600) };
      await useFirst();
      const seqBefore = mock.requests.length;
      const claude = await startClaudeInTerminal(api, { name: 'resume-claude', cwd: sandbox.dirs.cwd, env, scope });
      const session = claude.session;
      await submitPrompt(claude, 'hi');

      const blocked = await waitFor('the session to be blocked', () => api.sessions().sessions.find((s) => s.id === session.id && s.state === 'blocked'), 60_000);
      assert.equal(blocked.account?.label, FIRST);
      const limited = mock.messageRequests().filter((r) => r.seq >= seqBefore);
      assert.ok(limited.length >= 1 && limited.every((r) => r.authorization === `Bearer ${FIRST_TOKEN}` && r.status === 429), 'the first account was limited');
      // Blocked and not resumed while the account stays the same.
      assert.equal(api.resume.statuses().get(session.id), undefined);

      const typedBefore = api.resume.typed().length;
      await switchToSecond();
      await expectResumedWithSecondAccount(session.id, seqBefore);
      const typed = api.resume.typed().slice(typedBefore).filter((x) => x.sessionId === session.id);
      // Claude Code armed its own auto-continue; after a switch "continue" is typed and submitted once.
      assert.deepEqual(typed.map((x) => x.input), [{ text: 'continue' }, { key: 'Enter' }], describeTyped(typed));
      // On the session's rendered screen: the raw stream has the TUI's partial redraws.
      await waitFor('the answer in the terminal', () => api.terminalSource.screenLines(session.id)?.some((l) => l.includes(REPLY)), 30_000);
    });
  });

  describe('in a pane of a private tmux server', () => {
    let server: TmuxServer | undefined;

    before(async () => {
      server = new TmuxServer();
      server.newSession('idle', 'sleep 600');
      await vscode.workspace.getConfiguration('claudeQuota').update('tmux.socket', server.socket, vscode.ConfigurationTarget.Global);
    });

    after(async () => {
      server?.cleanup();
      await vscode.workspace.getConfiguration('claudeQuota').update('tmux.socket', undefined, vscode.ConfigurationTarget.Global);
    });

    /** Starts Claude Code in a new window, sends "hi" and waits until the pane is blocked on the first account. */
    async function hitLimitInPane(srv: TmuxServer, seqBefore: number): Promise<{ pane: string; id: string }> {
      await useFirst();
      const pane = srv
        .tmux('new-window', '-d', '-P', '-F', '#{pane_id}', '-t', 'idle:', '-c', sandbox.dirs.cwd, 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'claude')
        .trim();
      const id = `tmux:${pane}`;
      await waitFor('the pane to be watched', () => api.sessions().sessions.find((s) => s.id === id), 20_000);
      await waitFor('the input prompt', () => srv.capture(pane).includes('❯'), 60_000, 150);
      srv.tmux('send-keys', '-t', pane, '-l', 'hi');
      await waitFor('the typed prompt', () => /❯\s*hi\b/.test(srv.capture(pane)), 10_000, 150);
      srv.tmux('send-keys', '-t', pane, 'Enter');
      const blocked = await waitFor('the pane to be blocked', () => api.sessions().sessions.find((s) => s.id === id && s.state === 'blocked'), 60_000);
      assert.equal(blocked.account?.label, FIRST);
      assert.ok(mock.messageRequests().some((r) => r.seq >= seqBefore && r.authorization === `Bearer ${FIRST_TOKEN}` && r.status === 429));
      return { pane, id };
    }

    it('is resumed with "continue" after Switch Account, and the mock sees it with the second account\'s token', async () => {
      const srv = server!;
      firstLimit = { claim: 'five_hour', resetsAt: wholeHourAfter(Math.floor(Date.now() / 1000), 2 * 3600) };
      const seqBefore = mock.requests.length;
      const { pane, id } = await hitLimitInPane(srv, seqBefore);
      await waitFor('Claude Code\'s own auto-continue', () => /Continuing automatically at .* · Esc to cancel/.test(srv.capture(pane)), 15_000, 150);
      const typedBefore = api.resume.typed().length;
      await switchToSecond();
      await expectResumedWithSecondAccount(id, seqBefore);
      const typed = api.resume.typed().slice(typedBefore).filter((x) => x.sessionId === id);
      assert.deepEqual(typed.map((x) => x.input), [{ text: 'continue' }, { key: 'Enter' }], describeTyped(typed));
      const screen = await waitFor('the answer in the pane', () => (srv.capture(pane).includes(REPLY) ? srv.capture(pane) : undefined), 30_000, 150);
      // Typing "continue" disarmed Claude Code's own auto-continue, so it will not send a second prompt at the reset.
      assert.doesNotMatch(screen, /Continuing automatically at .* · Esc to cancel/);
    });

    it('at the reset, leaves a session alone whose own auto-continue is armed: Claude Code continues once, by itself', async function () {
      this.timeout(6 * 60_000);
      const srv = server!;
      // A reset a minute or two away (whole minutes, as the CLI shows them); the same account stays active.
      firstLimit = { claim: 'five_hour', resetsAt: Math.ceil((Date.now() / 1000 + 90) / 60) * 60 };
      const seqBefore = mock.requests.length;
      const typedBefore = api.resume.typed().length;
      const { pane, id } = await hitLimitInPane(srv, seqBefore);
      await waitFor('Claude Code\'s own auto-continue', () => /Continuing automatically at .* · Esc to cancel/.test(srv.capture(pane)), 15_000, 150);
      // The decision, not the attempt in progress ('resuming' comes first while the screen is read).
      const status = await waitFor('the resume decision at the reset', () => {
        const st = api.resume.statuses().get(id);
        return st !== undefined && st.kind !== 'resuming' ? st : undefined;
      }, 4 * 60_000, 250);
      assert.equal(status.kind, 'left alone', `${status.kind} (${status.detail ?? ''})`);
      assert.equal(status.trigger, 'reset');
      assert.ok(status.at.getTime() >= firstLimit.resetsAt * 1000, 'decided at the reset, not before');
      // Claude Code's own auto-continue sends the next request with the same (now reset) account.
      // It checks every 30 s once the reset passed (seen 43 s after the reset with the CLI 2.1.330).
      const own = await waitFor('Claude Code\'s own request after the reset', () => mock.messageRequests().find((r) => r.seq >= seqBefore && r.status === 200), 150_000, 250).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)}; requests: ${JSON.stringify(mock.messageRequests().filter((r) => r.seq >= seqBefore).map((r) => [new Date(r.receivedAt).toISOString(), r.status, lastUserText(r)?.slice(0, 40)]))}; reset ${new Date(firstLimit.resetsAt * 1000).toISOString()}; now ${new Date().toISOString()}; pane:\n${srv.capture(pane)}`);
      });
      assert.equal(own.authorization, `Bearer ${FIRST_TOKEN}`);
      await waitFor('the answer in the pane', () => srv.capture(pane).includes(REPLY), 30_000, 150);
      assert.deepEqual(api.resume.typed().slice(typedBefore).filter((x) => x.sessionId === id), [], 'nothing was typed into the session');
      assert.equal(mock.messageRequests().filter((r) => r.seq >= seqBefore && r.status === 200).length, 1, 'one resumed request, no duplicate');
    });

    it('with automatic resume off, Resume Blocked Sessions resumes it (and does nothing while it is still blocked)', async () => {
      const srv = server!;
      const config = vscode.workspace.getConfiguration('claudeQuota');
      await config.update('resume.automatic', false, vscode.ConfigurationTarget.Global);
      try {
        firstLimit = { claim: 'five_hour', resetsAt: wholeHourAfter(Math.floor(Date.now() / 1000), 2 * 3600) };
        const seqBefore = mock.requests.length;
        const { id } = await hitLimitInPane(srv, seqBefore);
        const whileBlocked = await vscode.commands.executeCommand<{ started: number; stillBlocked: number }>('claudeQuota.resumeBlockedSessions');
        assert.ok(whileBlocked !== undefined && whileBlocked.started === 0 && whileBlocked.stillBlocked >= 1, JSON.stringify(whileBlocked));
        await switchToSecond();
        await waitFor('the block to end with the switch', () => api.sessions().sessions.find((s) => s.id === id && s.state !== 'blocked'), 10_000);
        const result = await vscode.commands.executeCommand<{ started: number; stillBlocked: number }>('claudeQuota.resumeBlockedSessions');
        // Started by the command: with automatic resume on, the switch would have started it already.
        assert.equal(result?.started, 1, JSON.stringify(result));
        const status = await waitFor(`${id} to be resumed`, () => {
          const st = api.resume.statuses().get(id);
          return st !== undefined && st.kind !== 'resuming' ? st : undefined;
        }, 60_000);
        assert.deepEqual([status.kind, status.trigger], ['resumed', 'manual']);
        const resumed = await waitFor('the resumed request', () => mock.messageRequests().find((r) => r.seq >= seqBefore && lastUserText(r) === 'continue'), 30_000);
        assert.equal(resumed.authorization, `Bearer ${SECOND_TOKEN}`);
      } finally {
        await config.update('resume.automatic', undefined, vscode.ConfigurationTarget.Global);
      }
    });

    it('answers the weekly-limit menu with "Stop and wait" by its number, never "Upgrade", then resumes', async () => {
      const srv = server!;
      // More than a day away: Claude Code opens the "What do you want to do?" menu.
      firstLimit = { claim: 'seven_day', resetsAt: wholeHourAfter(Math.floor(Date.now() / 1000), 3 * 24 * 3600) };
      const seqBefore = mock.requests.length;
      const { pane, id } = await hitLimitInPane(srv, seqBefore);
      const menu = await waitFor('the limit menu with its options', () => {
        const text = srv.capture(pane);
        return /What do you want to do\?/.test(text) && /Upgrade your plan/.test(text) ? text : undefined;
      }, 15_000, 150);
      const number = (label: RegExp): string | undefined => menu.split('\n').map((l) => /^\s*(?:❯\s*)?(\d+)\.\s+(.*?)\s*$/.exec(l)).find((m) => m !== null && label.test(m[2]))?.[1];
      const stopNumber = number(/^Stop and wait for limit to reset$/);
      const upgradeNumber = number(/^Upgrade your plan$/);
      assert.ok(stopNumber !== undefined && upgradeNumber !== undefined, menu);
      const typedBefore = api.resume.typed().length;
      await switchToSecond();
      await expectResumedWithSecondAccount(id, seqBefore);
      const typed = api.resume.typed().slice(typedBefore).filter((x) => x.sessionId === id);
      assert.deepEqual(typed.map((x) => x.input), [{ text: stopNumber }, { text: 'continue' }, { key: 'Enter' }], describeTyped(typed));
      assert.ok(!typed.some((x) => 'text' in x.input && x.input.text === upgradeNumber), `typed the Upgrade option's number: ${describeTyped(typed)}`);
      const screen = await waitFor('the answer in the pane', () => (srv.capture(pane).includes(REPLY) ? srv.capture(pane) : undefined), 30_000, 150);
      // The CLI did not go into its upgrade flow: the menu is closed and the conversation went on.
      assert.doesNotMatch(screen, /What do you want to do\?|Upgrade your plan/);
    });
  });
});
