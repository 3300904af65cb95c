// The terminal source in a real VS Code: a `claude` on PATH that prints a recording of the real
// Claude Code CLI, started the way the extension's fix does (shellIntegration.executeCommand) and
// the way a user does (typing it: sendText). The script sleeps 0.3 s before printing so that the
// start event reaches the extension first, as it always does for the real CLI, which takes far
// longer than that to start and draw anything.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClaudeQuotaApi, ClaudeQuotaTestHooks } from '../../../src/extension/api';
import { testHooks } from './testHooks';
import type { WatchedSession } from '../../../src/extension/sessions/sessionsController';
import type { SourceEvent } from '../../../src/extension/sources/sessionSource';
import { extensionClock, resetAhead, writeRecordingResettingAt } from '../../support/recordingAt';
import { useFreshAccount } from './freshAccount';
import { waitFor } from './wait';

const EXTENSION_ID = 'claude-quota-sentinel.claude-quota-sentinel';
const RECORDINGS = path.resolve(__dirname, '../../../../test/fixtures/recordings');

interface RecordingMeta {
  readonly recordedAt: string;
  readonly timeZone: string;
  readonly expected: { readonly verdict: string; readonly window: string | null; readonly resetsAt: string | null };
}

function meta(name: string): RecordingMeta {
  return JSON.parse(fs.readFileSync(path.join(RECORDINGS, `${name}.json`), 'utf8')) as RecordingMeta;
}

interface Received {
  readonly event: SourceEvent;
  readonly receivedAt: number;
}

describe('terminal source (integrated terminal, shell integration)', function () {
  this.timeout(120_000);
  let api: ClaudeQuotaTestHooks;
  let dir: string;
  const received: Received[] = [];
  let subscription: vscode.Disposable | undefined;
  const terminals: vscode.Terminal[] = [];

  before(async () => {
    const extension = vscode.extensions.getExtension<ClaudeQuotaApi>(EXTENSION_ID);
    assert.ok(extension);
    api = testHooks(await extension.activate());
    subscription = api.terminalSource.onEvent((event) => received.push({ event, receivedAt: Date.now() }));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claude-quota-terminal-'));
    const script = [
      '#!/bin/bash',
      'sleep 0.3',
      // Milliseconds since the epoch, right before the recording is printed.
      'date +%s%3N > "$CLAUDE_FAKE_STAMP"',
      'cat "$CLAUDE_FAKE_RECORDING"',
      'sleep 30',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'claude'), script, { mode: 0o755 });
  });

  after(() => {
    subscription?.dispose();
    api?.terminalSource.setTimeContext(undefined);
    for (const t of terminals) t.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** `recording`: a name in the fixtures, or the path of a recording written by the test. */
  async function openTerminal(name: string, recording: string): Promise<{ terminal: vscode.Terminal; stamp: string }> {
    const stamp = path.join(dir, `${name}.stamp`);
    const terminal = vscode.window.createTerminal({
      name,
      cwd: dir,
      env: {
        PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        CLAUDE_FAKE_RECORDING: path.isAbsolute(recording) ? recording : path.join(RECORDINGS, `${recording}.bin`),
        CLAUDE_FAKE_STAMP: stamp,
      },
    });
    terminals.push(terminal);
    terminal.show();
    const opened = Date.now();
    await waitFor(`shell integration in ${name}`, () => terminal.shellIntegration !== undefined, 30000);
    console.log(`      shell integration in "${name}" after ${Date.now() - opened} ms`);
    return { terminal, stamp };
  }

  function sessionIdOf(name: string): string | undefined {
    for (const { event } of received) {
      if (event.type === 'sessionAdded' && event.session.where === name) return event.session.id;
    }
    return undefined;
  }

  function verdictsOf(id: string): { event: Extract<SourceEvent, { type: 'verdict' }>; receivedAt: number }[] {
    return received.flatMap((r) => (r.event.type === 'verdict' && r.event.id === id ? [{ event: r.event, receivedAt: r.receivedAt }] : []));
  }

  async function expectQuota(name: string, stamp: string): Promise<string> {
    const expected = meta('five_hour').expected;
    await waitFor(`a session for ${name}`, () => sessionIdOf(name) !== undefined);
    const id = sessionIdOf(name) as string;
    assert.ok(api.terminalSource.sessions().some((s) => s.id === id && s.kind === 'terminal' && s.where === name));
    await waitFor(`a quota verdict in ${name}`, () => verdictsOf(id).some((v) => v.event.classification.verdict === 'quota'));
    const quota = verdictsOf(id).filter((v) => v.event.classification.verdict === 'quota');
    const first = quota[0];
    assert.equal(first.event.classification.window, expected.window);
    for (const v of quota) assert.equal(v.event.classification.resetsAt?.toISOString(), expected.resetsAt);
    // The reset is "11pm" in the zone the recording was made in.
    const wall = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    assert.equal(wall.format(first.event.classification.resetsAt as Date), '23:00');
    await waitFor(`the stamp of ${name}`, () => fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() !== '');
    const printedAt = Number(fs.readFileSync(stamp, 'utf8').trim());
    console.log(`      ${name}: quota verdict ${first.receivedAt - printedAt} ms after the recording started printing (${JSON.stringify(first.event.classification.evidence)})`);
    return id;
  }

  async function closeAndExpectRemoval(terminal: vscode.Terminal, id: string): Promise<void> {
    terminal.dispose();
    await waitFor(`sessionRemoved for ${id}`, () => received.some((r) => r.event.type === 'sessionRemoved' && r.event.id === id));
    assert.ok(!api.terminalSource.sessions().some((s) => s.id === id));
  }

  it('reads claude started through shellIntegration.executeCommand and reports the 5-hour limit', async () => {
    const m = meta('five_hour');
    api.terminalSource.setTimeContext(() => ({ now: new Date(m.recordedAt), timeZone: m.timeZone }));
    const { terminal, stamp } = await openTerminal('quota-execute', 'five_hour');
    terminal.shellIntegration?.executeCommand('claude');
    const id = await expectQuota('quota-execute', stamp);
    await closeAndExpectRemoval(terminal, id);
  });

  it('reads claude typed into the terminal (sendText) and reports the 5-hour limit', async () => {
    const m = meta('five_hour');
    api.terminalSource.setTimeContext(() => ({ now: new Date(m.recordedAt), timeZone: m.timeZone }));
    const { terminal, stamp } = await openTerminal('quota-typed', 'five_hour');
    terminal.sendText('claude');
    const id = await expectQuota('quota-typed', stamp);
    await closeAndExpectRemoval(terminal, id);
  });

  it('blocks the session, counts down in the status bar and notifies once with its actions', async () => {
    // Read at the real time in the local zone, as in use; the recording shows a reset ahead of now.
    api.terminalSource.setTimeContext(undefined);
    // An account no earlier suite blocked: a block lasts until its reset and is notified once.
    const restoreAccount = await useFreshAccount(api, 'replay');
    try {
      await expectBlockedCountdownAndNotification(resetAhead());
    } finally {
      await restoreAccount();
    }
  });

  async function expectBlockedCountdownAndNotification(reset: Date): Promise<void> {
    const quota = (): number => api.notifications().filter((n) => n.kind === 'quota').length;
    const notesBefore = quota();
    const shownBefore = api.notificationsShown().length;
    const { terminal, stamp } = await openTerminal('quota-ui', writeRecordingResettingAt('five_hour', reset, dir));
    terminal.shellIntegration?.executeCommand('claude');
    await waitFor('a session for quota-ui', () => sessionIdOf('quota-ui') !== undefined);
    const id = sessionIdOf('quota-ui') as string;
    const blockedNow = (): WatchedSession | undefined => api.sessions().sessions.find((s) => s.id === id && s.state === 'blocked');
    await waitFor('the session to be blocked in the snapshot', () => blockedNow() !== undefined);
    const printedAt = Number(fs.readFileSync(stamp, 'utf8').trim());
    console.log(`      quota-ui: blocked in the snapshot ${Date.now() - printedAt} ms after the recording started printing (upper bound: polled)`);
    const blocked = blockedNow() as WatchedSession;
    assert.equal(blocked.kind, 'terminal');
    assert.equal(blocked.where, 'quota-ui');
    assert.equal(blocked.window, 'five_hour');
    assert.equal(blocked.resetsAt?.toISOString(), reset.toISOString());
    assert.deepEqual(blocked.evidenceSources, ['terminal']);

    await waitFor('the countdown in the status bar', () => /\$\(watch\).*(\d+h \d+m|\d+m)/.test(api.statusBarText() ?? ''), 5000);
    await waitFor('the notification', () => quota() > notesBefore, 5000);
    // The rest of the recording (the footer, redraws) must not notify again.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(quota() - notesBefore, 1);
    assert.equal(api.notificationsShown().length - shownBefore, 1);
    const note = api.notifications().filter((n) => n.kind === 'quota').at(-1);
    assert.match(note?.message ?? '', new RegExp(`hit its 5-hour limit — resets ${extensionClock(reset)} \\(in (\\d+h \\d+m|\\d+m)\\)`));
    assert.deepEqual(note?.actions, ['Switch Account', 'Remind Me at Reset', 'Show Sessions']);
    // The Sessions view: the account's group counts the blocked session, whose row shows the countdown.
    const rows = api.sessionsViewRows();
    const row = rows.findIndex((r) => /^\s+quota-ui — /.test(r));
    assert.ok(row > 0, rows.join('\n'));
    assert.match(rows[row], new RegExp(`5-hour limit · resets ${extensionClock(reset)} \\((\\d+h \\d+m|\\d+m|\\d+s)\\)`), rows.join('\n'));
    const group = rows.slice(0, row).reverse().find((r) => !/^\s/.test(r)) ?? '';
    assert.match(group, /^replay — .*\b1 blocked\b/, rows.join('\n'));
    await closeAndExpectRemoval(terminal, id);
    await waitFor('the countdown to leave the status bar', () => !/\$\(watch\)/.test(api.statusBarText() ?? ''), 5000);
  }

  it('reports a 529 overload as a server error, never as a quota hit', async () => {
    const m = meta('overloaded');
    api.terminalSource.setTimeContext(() => ({ now: new Date(m.recordedAt), timeZone: m.timeZone }));
    const { terminal, stamp } = await openTerminal('overloaded', 'overloaded');
    terminal.shellIntegration?.executeCommand('claude');
    await waitFor('a session for overloaded', () => sessionIdOf('overloaded') !== undefined);
    const id = sessionIdOf('overloaded') as string;
    await waitFor('a server verdict', () => verdictsOf(id).some((v) => v.event.classification.verdict === 'server'));
    await waitFor('the stamp', () => fs.existsSync(stamp));
    // Whatever else arrives from the same output.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const verdicts = verdictsOf(id).map((v) => v.event.classification.verdict);
    assert.ok(!verdicts.includes('quota'), `verdicts: ${verdicts.join(', ')}`);
    const first = verdictsOf(id).find((v) => v.event.classification.verdict === 'server');
    console.log(`      overloaded: server verdict ${(first?.receivedAt ?? 0) - Number(fs.readFileSync(stamp, 'utf8').trim())} ms after printing started (verdicts: ${verdicts.join(', ')})`);
    await closeAndExpectRemoval(terminal, id);
  });

  it('ignores other commands', async () => {
    const { terminal } = await openTerminal('other', 'five_hour');
    const before = received.length;
    terminal.shellIntegration?.executeCommand(`cat "${path.join(RECORDINGS, 'five_hour.bin')}"`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.deepEqual(received.slice(before).map((r) => r.event), []);
    terminal.dispose();
  });
});
