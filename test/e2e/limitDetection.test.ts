// What the real Claude Code CLI prints when the API reports a usage limit (or an overload), fed
// into `claude-quota classify`: the verdict, window and reset must match what the API sent.
import * as assert from 'node:assert/strict';
import { MockAnthropicApi, type MockReply } from '../support/mockAnthropicApi';
import {
  assertQuotaCliBuilt,
  ClaudeSandbox,
  ensureClaudeInstalled,
  runQuotaCli,
  waitFor,
  wholeHourAfter,
  type RunResult,
} from './claudeCli';
import { TmuxPane, tmuxAvailable } from './tmuxPane';

interface Verdict {
  verdict: string;
  window: string | null;
  resetsAt: string | null;
  evidence: string;
}

function parseVerdict(r: RunResult): Verdict {
  assert.equal(r.code, 0, `classify exited ${String(r.code)}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Verdict;
}

const HOUR = 3600;

describe('e2e: limit detection on real Claude Code output', function () {
  this.timeout(120_000);

  let sandbox: ClaudeSandbox | undefined;
  let api: MockAnthropicApi | undefined;
  let pane: TmuxPane | undefined;

  before(async function () {
    this.timeout(15 * 60_000); // first install on a fresh machine downloads node 24 and the CLI
    assertQuotaCliBuilt();
    await ensureClaudeInstalled();
  });

  async function startMock(reply: MockReply): Promise<string> {
    api = new MockAnthropicApi({ scenario: () => reply });
    return (await api.start()).url;
  }

  afterEach(async () => {
    await pane?.kill();
    pane = undefined;
    await api?.close();
    api = undefined;
    sandbox?.remove();
    sandbox = undefined;
  });

  describe('print mode: claude -p | claude-quota classify', () => {
    it('reports a five_hour quota hit with the reset the API sent', async () => {
      const zone = 'Asia/Tokyo';
      const resetsAt = wholeHourAfter(Math.floor(Date.now() / 1000), 2 * HOUR);
      const url = await startMock({ kind: 'usageLimit', claim: 'five_hour', resetsAt });
      sandbox = ClaudeSandbox.create('alpha');

      const { claude, quota } = await sandbox.runPrintInto('hi', url, ['classify', '--tz', zone], { timeZone: zone });

      assert.equal(claude.code, 1, `claude -p should fail on a usage limit; stdout: ${claude.stdout}; stderr: ${claude.stderr}`);
      assert.match(claude.stdout, /5-hour limit/);
      assert.equal(api!.messageRequests().length, 1, 'a subscriber usage limit is not retried');
      const v = parseVerdict(quota);
      assert.equal(v.verdict, 'quota', JSON.stringify(v));
      assert.equal(v.window, 'five_hour');
      assert.equal(v.resetsAt, new Date(resetsAt * 1000).toISOString());
    });

    it('reports a 529 overload as a server error, never as quota', async () => {
      const zone = 'Europe/Paris';
      const url = await startMock({
        kind: 'overloaded',
        message: 'Overloaded: the service is under heavy load right now. This is not a rate limit on your account.',
      });
      sandbox = ClaudeSandbox.create('alpha');

      const { claude, quota } = await sandbox.runPrintInto('hi', url, ['classify', '--tz', zone], { timeZone: zone });

      assert.equal(claude.code, 1, `stdout: ${claude.stdout}; stderr: ${claude.stderr}`);
      assert.match(claude.stdout, /529/);
      // Retried (CLAUDE_CODE_MAX_RETRIES=2) before giving up.
      assert.equal(api!.messageRequests().length, 3);
      const v = parseVerdict(quota);
      assert.equal(v.verdict, 'server', JSON.stringify(v));
      assert.equal(v.window, null);
      assert.equal(v.resetsAt, null);
    });
  });

  describe('interactive TUI in tmux, raw pane bytes | claude-quota classify', () => {
    const COLS = 120;
    const ROWS = 40;

    before(function () {
      if (!tmuxAvailable()) {
        throw new Error('tmux is required for the TUI test (apt-get install tmux)');
      }
    });

    it('reports a five_hour quota hit with the reset the API sent', async () => {
      const zone = 'America/Chicago';
      const resetsAt = wholeHourAfter(Math.floor(Date.now() / 1000), 2 * HOUR);
      const url = await startMock({ kind: 'usageLimit', claim: 'five_hour', resetsAt });
      sandbox = ClaudeSandbox.create('alpha');
      const claude = await ensureClaudeInstalled();
      pane = await TmuxPane.start({
        workDir: sandbox.dirs.root,
        cwd: sandbox.dirs.cwd,
        env: sandbox.env(url, zone),
        command: [claude],
        cols: COLS,
        rows: ROWS,
      });

      await pane.waitForScreen('the input prompt', (s) => s.includes('❯'), 30_000);
      await pane.type('hi');
      // Enter only once the input box shows the text, so it is not taken as part of a paste.
      await pane.waitForScreen('the typed prompt', (s) => /❯\s*hi\b/.test(s), 10_000);
      await pane.key('Enter');
      await pane.waitForScreen('the limit message', (s) => /hit your 5-hour limit/.test(s), 60_000);
      assert.equal(api!.messageRequests().length, 1);

      // pipe-pane may lag the screen a little: classify what has arrived until it names the limit.
      const expected = new Date(resetsAt * 1000).toISOString();
      let last: Verdict | undefined;
      const v = await waitFor(
        'classify to see the limit in the raw pane bytes',
        async () => {
          last = parseVerdict(await runQuotaCli(['classify', '--tz', zone, '--cols', String(COLS), '--rows', String(ROWS)], {}, pane!.raw()));
          return last.verdict === 'quota' ? last : undefined;
        },
        15_000,
        250,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; last verdict ${JSON.stringify(last)}`);
      });
      assert.equal(v.window, 'five_hour', JSON.stringify(v));
      assert.equal(v.resetsAt, expected);
    });
  });
});
