// The real Claude Code CLI (the version test/support/install-claude-code.sh pins) inside a real
// VS Code, against the mock API in this process answering a five_hour usage-limit 429. The CLI
// runs in a sandbox (temp HOME and CLAUDE_CONFIG_DIR with a fake subscriber login) and talks only
// to 127.0.0.1; the real ~/.claude is never read. Once in a watched integrated terminal, once in
// a pane of a private tmux server, each typed into as a user does: the prompt, then Enter.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClaudeQuotaApi, ClaudeQuotaTestHooks } from '../../../src/extension/api';
import { testHooks } from './testHooks';
import type { WatchedSession } from '../../../src/extension/sessions/sessionsController';
import { ClaudeSandbox, ensureClaudeInstalled, wholeHourAfter } from '../../e2e/claudeCli';
import { MockAnthropicApi } from '../../support/mockAnthropicApi';
import { TmuxServer } from '../../support/tmuxHarness';
import { useFreshAccount } from './freshAccount';
import { sleep, waitFor } from './wait';
import { plain, startClaudeInTerminal, submitPrompt, TerminalScope } from './realClaudeHost';

const EXTENSION_ID = 'claude-quota-sentinel.claude-quota-sentinel';
const PROMPT = 'hi';
// Whole-hour offset, so the "resets 3pm" the CLI prints names the exact epoch the mock sent.
const ZONE = process.env.TZ && process.env.TZ !== 'UTC' && process.env.TZ !== 'Etc/UTC' ? process.env.TZ : 'America/Chicago';
const COUNTDOWN = /\$\(watch\).*(\d+h \d+m|\d+m)/;

describe('the real Claude Code CLI hitting its 5-hour limit', function () {
  this.timeout(180_000);
  let api: ClaudeQuotaTestHooks;
  let mock: MockAnthropicApi;
  let sandbox: ClaudeSandbox;
  let bin: string;
  let resetsAt: number;
  let env: Record<string, string>;
  let restoreAccount: (() => Promise<void>) | undefined;

  const quotaNotes = (): number => api.notifications().filter((n) => n.kind === 'quota').length;

  before(async function () {
    this.timeout(15 * 60_000); // a fresh machine downloads the CLI first
    const extension = vscode.extensions.getExtension<ClaudeQuotaApi>(EXTENSION_ID);
    assert.ok(extension);
    api = testHooks(await extension.activate());
    restoreAccount = await useFreshAccount(api, 'real-cli');
    const claude = await ensureClaudeInstalled();
    resetsAt = wholeHourAfter(Math.floor(Date.now() / 1000), 2 * 3600);
    mock = new MockAnthropicApi({ scenario: () => ({ kind: 'usageLimit', claim: 'five_hour', resetsAt }) });
    const { url } = await mock.start();
    sandbox = ClaudeSandbox.create('alpha');
    // A `claude` on PATH, as a user has it: the command line the extension matches is just "claude".
    bin = path.join(sandbox.dirs.root, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(claude, path.join(bin, 'claude'));
    const base = sandbox.env(url, ZONE);
    env = { ...base, PATH: `${bin}:${base.PATH}` };
    // The screen names the zone; the extension reads the rest of the time in the same one.
    api.terminalSource.setTimeContext(() => ({ now: new Date(), timeZone: ZONE }));
  });

  after(async () => {
    api?.terminalSource.setTimeContext(undefined);
    await mock?.close();
    sandbox?.remove();
    await restoreAccount?.();
  });

  function expectReset(s: WatchedSession): void {
    assert.equal(s.window, 'five_hour');
    assert.equal(s.resetsAt?.getTime(), resetsAt * 1000, `resetsAt ${s.resetsAt?.toISOString() ?? 'null'}, the mock sent ${new Date(resetsAt * 1000).toISOString()}`);
    assert.equal(s.resetEstimated, false);
  }

  /** When the CLI got its 429: the latency is measured from there. */
  function limitAnsweredAt(after: number): number | undefined {
    return mock.messageRequests().find((r) => r.seq >= after && r.status === 429)?.receivedAt;
  }

  describe('in a watched integrated terminal', () => {
    const scope = new TerminalScope();
    after(() => scope.close(api));

    it('is read from its start, blocked with the reset the API sent, counted down and notified once', async () => {
      const name = 'real-claude';
      const notesBefore = quotaNotes();
      const shownBefore = api.notificationsShown().length;
      const seqBefore = mock.requests.length;
      const claude = await startClaudeInTerminal(api, { name, cwd: sandbox.dirs.cwd, env, scope });
      console.log(`      claude drew its prompt ${Date.now() - claude.startedAt} ms after it was started`);
      await submitPrompt(claude, PROMPT);

      const answeredAt = await waitFor('the 429', () => limitAnsweredAt(seqBefore), 60_000);
      const blocked = await waitFor('the session to be blocked', () => api.sessions().sessions.find((s) => s.kind === 'terminal' && s.where === name && s.state === 'blocked'), 30_000);
      console.log(`      terminal: blocked ${Date.now() - answeredAt} ms after the mock answered 429 (evidence: ${blocked.evidenceSources.join(', ')})`);
      expectReset(blocked);
      assert.ok(blocked.evidenceSources.includes('terminal'), blocked.evidenceSources.join(', '));
      // The CLI's own message reached the terminal (its redraws move the cursor over spaces and
      // reprint parts of words, so only a fragment is certain in the raw stream).
      assert.match(plain(claude.output()), /5-hour/);

      const text = await waitFor('the countdown in the status bar', () => {
        const s = api.statusBarText();
        return s !== undefined && COUNTDOWN.test(s) ? s : undefined;
      }, 5000);
      console.log(`      status bar: ${JSON.stringify(text)}`);
      await waitFor('the notification', () => quotaNotes() > notesBefore, 5000);
      // Later output of the same screen (the footer, redraws) must not notify again.
      await sleep(1000);
      assert.equal(quotaNotes() - notesBefore, 1);
      assert.equal(api.notificationsShown().length - shownBefore, 1);
      const note = api.notifications().filter((n) => n.kind === 'quota').at(-1);
      assert.deepEqual(note?.actions, ['Switch Account', 'Remind Me at Reset', 'Show Sessions']);
      assert.equal(mock.messageRequests().filter((r) => r.seq >= seqBefore).length, 1, 'a usage limit is not retried');
    });
  });

  describe('in a pane of a private tmux server', () => {
    let server: TmuxServer | undefined;

    after(async () => {
      server?.cleanup();
      await vscode.workspace.getConfiguration('claudeQuota').update('tmux.socket', undefined, vscode.ConfigurationTarget.Global);
    });

    it('is blocked with the reset the API sent', async () => {
      const srv = new TmuxServer();
      server = srv;
      // An idle first session keeps the server up.
      srv.newSession('idle', 'sleep 600');
      await vscode.workspace.getConfiguration('claudeQuota').update('tmux.socket', srv.socket, vscode.ConfigurationTarget.Global);
      const seqBefore = mock.requests.length;
      // Exactly the sandbox's environment (env -i): nothing of the tmux server's own reaches the CLI.
      const pane = srv
        .tmux('new-window', '-d', '-P', '-F', '#{pane_id}', '-t', 'idle:', '-c', sandbox.dirs.cwd, 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'claude')
        .trim();
      const id = `tmux:${pane}`;
      await waitFor('the pane to be watched', () => api.sessions().sessions.find((s) => s.id === id), 20_000);
      await waitFor('the input prompt', () => srv.capture(pane).includes('❯'), 60_000, 150);
      srv.tmux('send-keys', '-t', pane, '-l', PROMPT);
      await waitFor('the typed prompt', () => /❯\s*hi\b/.test(srv.capture(pane)), 10_000, 150);
      srv.tmux('send-keys', '-t', pane, 'Enter');

      const answeredAt = await waitFor('the 429', () => limitAnsweredAt(seqBefore), 60_000);
      const blocked = await waitFor('the pane to be blocked', () => api.sessions().sessions.find((s) => s.id === id && s.state === 'blocked'), 30_000);
      console.log(`      tmux: blocked ${Date.now() - answeredAt} ms after the mock answered 429 (evidence: ${blocked.evidenceSources.join(', ')})`);
      expectReset(blocked);
      assert.ok(blocked.evidenceSources.includes('tmux'), blocked.evidenceSources.join(', '));
      assert.match(srv.capture(pane), /5-hour limit/);
    });
  });
});
