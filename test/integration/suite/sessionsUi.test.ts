// Runs inside the extension host: a private tmux server replays recorded Claude Code screens and the
// extension must block, count down, notify once per account, and forget panes and servers that go.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClaudeQuotaApi, ClaudeQuotaTestHooks } from '../../../src/extension/api';
import { testHooks } from './testHooks';
import { useFreshAccount } from './freshAccount';
import type { WatchedSession } from '../../../src/extension/sessions/sessionsController';
import { extensionClock, resetAhead, writeRecordingResettingAt } from '../../support/recordingAt';
import { RECORDINGS, TmuxServer } from '../../support/tmuxHarness';
import { sleep, waitFor } from './wait';

const EXTENSION_ID = 'claude-quota-sentinel.claude-quota-sentinel';

describe('sessions UI over a private tmux server', function () {
  this.timeout(120_000);
  let api: ClaudeQuotaTestHooks;
  let server: TmuxServer;
  let restoreAccount: (() => Promise<void>) | undefined;
  // The 5-hour limit replayed at the real time: the recording moved to a reset ahead of now.
  const reset = resetAhead();
  let fiveHour = '';

  const tmuxSessions = (): readonly WatchedSession[] => api.sessions().sessions.filter((s) => s.kind === 'tmux');
  // Counted from this suite's start: other suites in the same extension host notify too.
  let notesBefore = 0;
  let shownBefore = 0;
  const quotaNotes = (): number => api.notifications().filter((n) => n.kind === 'quota').length - notesBefore;
  const shown = (): number => api.notificationsShown().length - shownBefore;

  before(async () => {
    const extension = vscode.extensions.getExtension<ClaudeQuotaApi>(EXTENSION_ID);
    assert.ok(extension);
    api = testHooks(await extension.activate());
    // Its own account: an earlier suite may have used up (and been notified about) the active one.
    restoreAccount = await useFreshAccount(api, 'tmux-ui');
    notesBefore = api.notifications().filter((n) => n.kind === 'quota').length;
    shownBefore = api.notificationsShown().length;
    server = new TmuxServer();
    // The replayed `claude`: a short pause so the pane is listed before it prints, then the recording.
    const script = '#!/bin/sh\nstty -echo 2>/dev/null\nsleep 0.3\ncat "$1"\nsleep 120\nexit 0\n';
    fs.writeFileSync(path.join(server.bin, 'claude'), script, { mode: 0o755 });
    fiveHour = writeRecordingResettingAt('five_hour', reset, server.dir);
    // An idle first session keeps the server up between panes.
    server.newSession('idle', 'sleep 600');
    await vscode.workspace.getConfiguration('claudeQuota').update('tmux.socket', server.socket, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    server?.cleanup();
    await restoreAccount?.();
    await vscode.workspace.getConfiguration('claudeQuota').update('tmux.socket', undefined, vscode.ConfigurationTarget.Global);
  });

  it('blocks a pane that hits the 5-hour limit, counts down and notifies once', async () => {
    const started = performance.now();
    const pane = server.newWindow('idle', server.command('claude', fiveHour));
    const blocked = await waitFor('the pane to be blocked', () => tmuxSessions().find((s) => s.id === `tmux:${pane}` && s.state === 'blocked'));
    const latency = performance.now() - started;
    console.log(`      detection latency (pane start -> blocked, incl. the script's 0.3 s pause): ${latency.toFixed(0)} ms`);
    assert.match(blocked.where, /^idle:\d+\.\d+$/);
    assert.equal(blocked.window, 'five_hour');
    assert.equal(blocked.resetsAt?.toISOString(), reset.toISOString());
    assert.deepEqual(blocked.evidenceSources, ['tmux']);
    await waitFor('the countdown in the status bar', () => /\d+h \d+m|\d+m|\d+s/.test(api.statusBarText() ?? '') && /\$\(watch\)/.test(api.statusBarText() ?? ''), 5000);
    assert.match(api.statusBarText() ?? '', /\d+h \d+m|\d+m/);
    await waitFor('the notification', () => quotaNotes() === 1, 5000);
    const note = api.notifications().filter((n) => n.kind === 'quota').at(-1);
    assert.match(note?.message ?? '', new RegExp(`hit its 5-hour limit — resets ${extensionClock(reset)} \\(in (\\d+h \\d+m|\\d+m)\\)`));
    assert.deepEqual(note?.actions, ['Switch Account', 'Remind Me at Reset', 'Show Sessions']);
    assert.equal(shown(), 1);
  });

  it('does not notify again when a second pane of the same account hits the same limit', async () => {
    const pane = server.newWindow('idle', server.command('claude', fiveHour));
    await waitFor('the second pane to be blocked', () => tmuxSessions().find((s) => s.id === `tmux:${pane}` && s.state === 'blocked'));
    await sleep(500);
    assert.equal(tmuxSessions().filter((s) => s.state === 'blocked').length, 2);
    assert.equal(quotaNotes(), 1);
  });

  it('neither blocks nor notifies for an overloaded (529) server', async () => {
    const pane = server.newWindow('idle', server.command('claude', path.join(RECORDINGS, 'overloaded.bin')));
    await waitFor('the overloaded pane to be watched', () => tmuxSessions().find((s) => s.id === `tmux:${pane}`));
    // Long enough for the replay (0.3 s pause) and its classification.
    await sleep(2500);
    const s = tmuxSessions().find((x) => x.id === `tmux:${pane}`);
    assert.ok(s);
    assert.equal(s.state, 'ok');
    assert.equal(quotaNotes(), 1);
    assert.equal(shown(), 1);
  });

  it('forgets a killed pane, then every pane of a killed server', async () => {
    const first = tmuxSessions()[0];
    assert.ok(first);
    server.tmux('kill-pane', '-t', first.id.slice('tmux:'.length));
    await waitFor('the killed pane to disappear', () => !tmuxSessions().some((s) => s.id === first.id));
    assert.ok(tmuxSessions().length >= 2);
    server.kill();
    await waitFor('every tmux session to disappear', () => tmuxSessions().length === 0);
    assert.equal(shown(), 1);
  });
});
