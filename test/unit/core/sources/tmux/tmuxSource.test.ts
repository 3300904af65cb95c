// TmuxSource against a real tmux on a private socket (see test/support/tmuxHarness.ts).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Logger } from '../../../../../src/core/base/logger';
import { TmuxSource, TmuxSourceOptions } from '../../../../../src/core/sources/tmux/tmuxSource';
import { escapeFlood } from '../../../../support/escapeFlood';
import { CountingTimers, EventLog, RECORDINGS, TmuxServer, sleep, until, requireTmux } from '../../../../support/tmuxHarness';

interface RecordingMeta {
  recordedAt: string;
  timeZone: string;
  expected: { verdict: string; window: string; resetsAt: string };
}

const META = JSON.parse(fs.readFileSync(path.join(RECORDINGS, 'five_hour.json'), 'utf8')) as RecordingMeta;
const BIN = path.join(RECORDINGS, 'five_hour.bin');
const ctx = (): { now: Date; timeZone: string } => ({ now: new Date(META.recordedAt), timeZone: META.timeZone });


describe('TmuxSource (real tmux)', function () {
  this.timeout(60_000);
  let server: TmuxServer;
  let source: TmuxSource | null;
  let log: EventLog;
  let timers: CountingTimers;

  before(() => requireTmux());

  beforeEach(() => {
    server = new TmuxServer();
    source = null;
    log = new EventLog();
    timers = new CountingTimers();
  });

  afterEach(() => {
    source?.dispose();
    server.cleanup();
  });

  function startSource(extra: Partial<TmuxSourceOptions> = {}): TmuxSource {
    source = new TmuxSource({ socket: { path: server.socket }, timeContext: ctx, timers, recheckMs: 200, ...extra }, log.listener);
    source.start();
    return source;
  }

  function assertFiveHour(c: { verdict: string; window: string | null; resetsAt: Date | null }): void {
    assert.equal(c.verdict, META.expected.verdict);
    assert.equal(c.window, META.expected.window);
    assert.equal(c.resetsAt?.toISOString(), META.expected.resetsAt);
  }

  it('reports a quota verdict for a Claude pane, live, and ignores a non-Claude pane showing the same screen', async () => {
    const fifo = server.fifo();
    const claudePane = server.newSession('work', server.command('claude', fifo));
    const otherFifo = server.fifo();
    const otherPane = server.newWindow('work', server.command('replay', otherFifo));
    startSource();
    const added = await log.waitFor('paneAdded');
    assert.equal(added.paneId, claudePane);
    assert.equal(added.target, 'work:0.0');
    assert.deepEqual(added.size, { cols: 120, rows: 40 });
    await sleep(300); // let the seed capture finish so the replay arrives as live output

    const data = fs.readFileSync(BIN);
    const t0 = performance.now();
    await Promise.all([fs.promises.writeFile(fifo, data), fs.promises.writeFile(otherFifo, data)]);
    const verdict = await log.waitFor('verdict', (e) => e.classification.verdict === 'quota');
    const latency = verdict.t - t0;
    console.log(`      detection latency (write → verdict): ${latency.toFixed(1)} ms`);
    assert.equal(verdict.paneId, claudePane);
    assertFiveHour(verdict.classification);
    await until(() => server.capture(otherPane).includes('Usage limit reached'), 5000, 'replay in the other pane');
    await sleep(500);
    assert.ok(log.of('paneAdded').every((e) => e.paneId !== otherPane), 'non-Claude pane was added');
    assert.ok(log.of('verdict').every((e) => e.paneId === claudePane));
    assert.deepEqual(log.of('error'), []);
  });

  it('detects a limit that was already on screen before attaching, via the capture-pane seed', async () => {
    const pane = server.newSession('early', server.command('claude', BIN));
    await until(() => server.capture(pane).includes('Usage limit reached'), 10_000, 'replay');
    startSource();
    const verdict = await log.waitFor('verdict');
    assert.equal(verdict.paneId, pane);
    assertFiveHour(verdict.classification);
  });

  it('reports a closed pane as removed, and follows a session created later', async () => {
    const first = server.newSession('one', server.command('claude', BIN));
    const second = server.splitWindow('one', server.command('claude', server.fifo()));
    const third = server.newWindow('one', server.command('claude', BIN));
    startSource();
    await log.waitFor('paneAdded', (e) => e.paneId === first);
    await log.waitFor('paneAdded', (e) => e.paneId === second);
    await log.waitFor('verdict', (e) => e.paneId === third);

    server.tmux('kill-pane', '-t', second);
    await log.waitFor('paneRemoved', (e) => e.paneId === second);
    server.tmux('kill-window', '-t', 'one:1');
    await log.waitFor('paneRemoved', (e) => e.paneId === third);
    assert.deepEqual(source?.watchedPanes(), [first]);

    const fifo = server.fifo();
    const later = server.newSession('two', server.command('claude', fifo));
    const added = await log.waitFor('paneAdded', (e) => e.paneId === later);
    assert.equal(added.target, 'two:0.0');
    await sleep(300);
    await fs.promises.writeFile(fifo, fs.readFileSync(BIN));
    assertFiveHour((await log.waitFor('verdict', (e) => e.paneId === later)).classification);

    // A new window in an existing session is followed too.
    const win = server.newWindow('two', server.command('claude', BIN));
    await log.waitFor('verdict', (e) => e.paneId === win);
    assert.deepEqual(log.of('error'), []);
  });

  it('survives the server stopping (panes removed, nothing left running) and picks up a new server', async () => {
    const a = server.newSession('a', server.command('claude', BIN));
    const b = server.newSession('b', server.command('claude', server.fifo()));
    const s = startSource();
    await log.waitFor('paneAdded', (e) => e.paneId === a);
    await log.waitFor('paneAdded', (e) => e.paneId === b);

    server.kill();
    await log.waitFor('paneRemoved', (e) => e.paneId === a);
    await log.waitFor('paneRemoved', (e) => e.paneId === b);
    await until(() => s.currentState === 'waiting', 5000, 'waiting state');
    await sleep(300);
    assert.equal(timers.active.size, 0, 'timers left running');
    assert.deepEqual(s.watchedPanes(), []);
    assert.deepEqual(log.of('error'), []);

    // The socket directory is watched: a server started later is found without polling.
    const again = server.newSession('c', server.command('claude', BIN));
    const added = await log.waitFor('paneAdded', (e) => e.paneId === again && e.target === 'c:0.0');
    assert.ok(added);
    await log.waitFor('verdict', (e) => e.paneId === again);
    assert.equal(s.currentState, 'connected');
  });

  it('waits without timers when no server runs at start', async () => {
    const s = startSource();
    await until(() => s.currentState === 'waiting', 5000, 'waiting state');
    assert.equal(timers.active.size, 0);
    const pane = server.newSession('late', server.command('claude', BIN));
    await log.waitFor('verdict', (e) => e.paneId === pane);
  });

  it('reports tmux missing as unavailable, once, with nothing left running', async () => {
    const s = startSource({ tmuxPath: path.join(server.dir, 'no-such-tmux') });
    await log.waitFor('error');
    assert.equal(s.currentState, 'unavailable');
    await sleep(200);
    assert.equal(log.of('error').length, 1);
    assert.equal(timers.active.size, 0);
  });

  it('falls back to capture-pane polling, with a backing-off interval', async () => {
    const fifo = server.fifo();
    const pane = server.newSession('poll', server.command('claude', fifo));
    startSource({ forcePolling: true, capturePollMs: { min: 50, max: 400 } });
    await log.waitFor('paneAdded', (e) => e.paneId === pane);
    await sleep(200);
    await fs.promises.writeFile(fifo, fs.readFileSync(BIN));
    assertFiveHour((await log.waitFor('verdict', (e) => e.paneId === pane)).classification);
    source?.dispose();
    assert.equal(timers.active.size, 0);
  });

  it('after a burst trips a pane\'s CPU budget, redraws its screen from a capture: a limit drawn during the burst is still seen', async () => {
    const lines: string[] = [];
    const sink = (m: string): void => void lines.push(m);
    const logger = new Logger({ trace: sink, debug: sink, info: sink, warn: sink, error: sink }).child('tmux');
    const fifo = server.fifo();
    const pane = server.newSession('flood', server.command('claude', fifo));
    // A small budget, so a flood tmux itself renders in moments is enough to trip it.
    startSource({ logger, screenBudget: { busyMs: 20, windowMs: 1000, quietMs: 100 } });
    await log.waitFor('paneAdded', (e) => e.paneId === pane);
    await sleep(300);
    // The limit screen follows the flood with no pause: it arrives while output is skipped.
    const flood = Buffer.concat([...escapeFlood(4 * 1024 * 1024, 16 * 1024)]);
    await fs.promises.writeFile(fifo, Buffer.concat([flood, Buffer.from('\x1bc'), fs.readFileSync(BIN)]));
    const verdict = await log.waitFor('verdict', (e) => e.paneId === pane && e.classification.verdict === 'quota', 30_000);
    assertFiveHour(verdict.classification);
    const trips = lines.filter((l) => l.includes(`pane ${pane}: its output took more than 20 ms of CPU`));
    assert.ok(trips.length >= 1, lines.join('\n'));
    assert.deepEqual(log.of('error'), []);
  });

  it('matches a configurable command pattern', async () => {
    const pane = server.newSession('custom', server.command('replay', BIN));
    startSource({ matcher: { commandPatterns: [/^replay$/] } });
    assert.equal((await log.waitFor('verdict')).paneId, pane);
  });
});
