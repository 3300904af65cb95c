// ScreenWatcher, the unit both live sources feed: recorded Claude Code bytes in, verdicts out, with
// the sources' look spacing on a clock and timers the test moves, coalesced looks, the final look
// and disposal; its CPU budget against an escape flood.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { escapeFlood } from '../../../support/escapeFlood';
import { FakeTimers } from '../../../support/fakeTimers';
import { FIXTURES } from '../../../support/paths';
import { Logger } from '../../../../src/core/base/logger';
import type { Classification, TimeContext } from '../../../../src/core/detection/types';
import { ScreenWatcher, DEFAULT_CPU_BUDGET, type ScreenWatcherOptions } from '../../../../src/core/screen/screenWatcher';
import { TerminalScreen } from '../../../../src/core/screen/terminalScreen';

const RECORDINGS = path.join(FIXTURES, 'recordings');

interface RecordingMeta {
  readonly cols: number;
  readonly rows: number;
  readonly recordedAt: string;
  readonly timeZone: string;
  readonly expected: { readonly verdict: string; readonly window: string | null; readonly resetsAt: string | null };
}

function recording(name: string): { bytes: Buffer; meta: RecordingMeta } {
  return {
    bytes: fs.readFileSync(path.join(RECORDINGS, `${name}.bin`)),
    meta: JSON.parse(fs.readFileSync(path.join(RECORDINGS, `${name}.json`), 'utf8')) as RecordingMeta,
  };
}

function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

const ORDINARY = 'build step ok\r\n';
const LIMIT_ROW = "\r\n  ⎿  You've hit your 5-hour limit · resets 11pm (Asia/Tokyo)\r\n";

describe('ScreenWatcher', () => {
  const five = recording('five_hour');
  let timers: FakeTimers;
  let verdicts: { classification: Classification; at: Date }[];
  let errors: { err: unknown; final: boolean }[];
  /** Every look asks for the time context once: the count of looks taken. */
  let looks: number;
  let watcher: ScreenWatcher | null;

  beforeEach(() => {
    timers = new FakeTimers();
    verdicts = [];
    errors = [];
    looks = 0;
    watcher = null;
  });

  afterEach(() => watcher?.dispose());

  function create(meta: RecordingMeta = five.meta, extra: Partial<ScreenWatcherOptions> = {}): ScreenWatcher {
    const ctx: TimeContext = { now: new Date(meta.recordedAt), timeZone: meta.timeZone };
    watcher = new ScreenWatcher({
      screen: { cols: meta.cols, rows: meta.rows },
      timeContext: () => {
        looks++;
        return ctx;
      },
      onVerdict: (classification, at) => verdicts.push({ classification, at }),
      onError: (err, final) => errors.push({ err, final }),
      timers,
      now: () => timers.now,
      ...extra,
    });
    return watcher;
  }

  it('reports each limit line of a recorded session once, with its reset, as the sources feed it', async () => {
    const w = create();
    for (const piece of pieces(five.bytes, 97)) {
      await w.feed(piece);
      timers.advance(7);
    }
    await w.finish();
    const quota = verdicts.filter((v) => v.classification.verdict === 'quota');
    // The error row and the footer stay on screen; the transcript note is a frame a look may fall either side of.
    const rows = quota.map((v) => v.classification.evidence ?? '');
    assert.ok(rows.some((r) => r.includes("You've hit your 5-hour limit")), rows.join(' | '));
    assert.ok(rows.some((r) => r.includes('Usage limit reached · limit resets')), rows.join(' | '));
    assert.equal(quota[0].classification.window, five.meta.expected.window);
    for (const v of quota) {
      assert.equal(v.classification.resetsAt?.toISOString(), five.meta.expected.resetsAt);
      assert.equal(v.at.toISOString(), new Date(five.meta.recordedAt).toISOString());
    }
    const evidence = verdicts.map((v) => v.classification.evidence);
    assert.equal(new Set(evidence).size, evidence.length, `a line was reported twice: ${evidence.join(' | ')}`);
    // Far fewer looks than pieces: streaming output is looked at at most every 100 ms.
    assert.ok(looks < pieces(five.bytes, 97).length / 2, `${looks} looks`);
  });

  it('reports a 529 as server and never as quota', async () => {
    const overloaded = recording('overloaded');
    const w = create(overloaded.meta);
    for (const piece of pieces(overloaded.bytes, 64)) await w.feed(piece);
    await w.finish();
    const seen = verdicts.map((v) => v.classification.verdict);
    assert.ok(seen.includes('server'), seen.join(', '));
    assert.ok(!seen.includes('quota'));
  });

  it('looks at once after a quiet spell and defers the rest of a stream to one look at the end of the interval', async () => {
    const w = create();
    await w.feed(ORDINARY);
    assert.equal(looks, 1);
    for (let i = 0; i < 20; i++) await w.feed(ORDINARY);
    assert.equal(looks, 1, 'ordinary output within the interval waits');
    assert.equal(timers.pending.size, 1, 'one deferred look for all of it');
    timers.advance(100);
    await Promise.resolve();
    assert.equal(looks, 2);
    assert.equal(timers.pending.size, 0);
  });

  it('looks at once at output that may draw a limit line, whatever the spacing, and the verdict is there when feed resolves', async () => {
    const w = create();
    await w.feed(ORDINARY);
    await w.feed(LIMIT_ROW);
    assert.equal(looks, 2);
    assert.equal(verdicts.length, 1);
    assert.equal(verdicts[0].classification.verdict, 'quota');
    assert.equal(verdicts[0].classification.window, 'five_hour');
  });

  it('takes one look for a batch of writes followed by settle()', async () => {
    const w = create();
    for (let i = 0; i < 10; i++) w.write(ORDINARY);
    w.write(LIMIT_ROW);
    assert.equal(looks, 0, 'write() never looks');
    await w.settle();
    assert.equal(looks, 1);
    assert.equal(verdicts.length, 1);
  });

  it('never overlaps looks: however often one is asked for while one runs, one more follows', async () => {
    const w = create();
    w.write(ORDINARY);
    const all = [w.look(), w.look(), w.look(), w.look()];
    await Promise.all(all);
    assert.equal(looks, 2);
    await w.look();
    assert.equal(looks, 3);
  });

  it('finish() counts the line the cursor is still on, then disposes and leaves nothing running', async () => {
    const w = create();
    await w.feed('\u26a0 Usage limit reached \u00b7 limit resets 11pm');
    await w.feed(ORDINARY.slice(0, 5));
    timers.advance(10);
    assert.equal(verdicts.length, 0, 'the open line is held back while output may still finish it');
    await w.finish();
    assert.equal(verdicts.length, 1);
    assert.equal(verdicts[0].classification.verdict, 'quota');
    assert.equal(w.disposed, true);
    assert.equal(timers.pending.size, 0);
    await w.feed(LIMIT_ROW);
    await w.look();
    assert.equal(verdicts.length, 1, 'nothing is read after finish()');
    assert.deepEqual(w.visibleLines(), []);
  });

  it('dispose() drops a deferred look, with no final look, and reports nothing after it', async () => {
    const w = create();
    await w.feed(ORDINARY);
    await w.feed('\u26a0 Usage limit reached \u00b7 limit resets 11pm');
    const before = looks;
    w.dispose();
    assert.equal(timers.pending.size, 0);
    timers.advance(1000);
    await w.finish();
    assert.equal(looks, before);
    assert.deepEqual(verdicts, []);
  });

  it('reports a failed look and goes on', async () => {
    let fail = true;
    const ctx = { now: new Date(five.meta.recordedAt), timeZone: five.meta.timeZone };
    const w = create(five.meta, {
      timeContext: () => {
        if (fail) {
          fail = false;
          throw new Error('no clock');
        }
        return ctx;
      },
    });
    await w.feed(ORDINARY);
    assert.equal(errors.length, 1);
    assert.equal((errors[0].err as Error).message, 'no clock');
    assert.equal(errors[0].final, false);
    await w.feed(LIMIT_ROW);
    assert.equal(verdicts.length, 1);
  });

  it('keeps reading at a new size', async () => {
    const w = create();
    w.resize(60, 20);
    let text = '';
    for (let i = 0; i < 30; i++) text += `line ${i}\r\n`;
    await w.feed(text);
    const lines = w.visibleLines();
    assert.equal(lines.length, 19, 'the 20-row screen shows the last 19 lines and the cursor row');
    assert.equal(lines[0], 'line 11');
  });

  describe('CPU budget', () => {
    const MB = 1024 * 1024;
    let logLines: string[];
    let resumes: number;

    beforeEach(() => {
      logLines = [];
      resumes = 0;
    });

    function budgeted(meta: RecordingMeta = five.meta): ScreenWatcher {
      const sink = (level: string) => (m: string) => logLines.push(`${level} ${m}`);
      const logger = new Logger({ trace: sink('trace'), debug: sink('debug'), info: sink('info'), warn: sink('warn'), error: sink('error') }).child('terminals');
      return create(meta, { logger, name: 'terminal:1', onResume: () => resumes++ });
    }

    it('an escape flood trips it once, with one log line, and costs a bounded amount; a limit drawn after the next quiet moment is detected', async () => {
      const w = budgeted();
      // 40 MB as fast as it comes: the clock stands still, so no quiet moment and no draining.
      for (const chunk of escapeFlood(40 * MB)) await w.feed(chunk);
      const flood = w.stats;
      assert.equal(flood.trips, 1);
      assert.ok(flood.received >= 40 * MB);
      assert.equal(flood.rendered + flood.skipped, flood.received);
      // Bounded work: what the emulator and the classifier saw is a small part of what arrived.
      assert.ok(flood.rendered < flood.received / 10, `rendered ${flood.rendered} of ${flood.received} bytes`);
      assert.equal(logLines.length, 1, logLines.join('\n'));
      assert.match(logLines[0], /^warn \[terminals\] terminal:1: its output took more than 250 ms of CPU within 1000 ms; its screen is reset/);

      // Output just short of the quiet time keeps skipping, and starts the wait again.
      timers.advance(DEFAULT_CPU_BUDGET.quietMs - 1);
      await w.feed(ORDINARY);
      assert.equal(w.stats.skipped, flood.skipped + ORDINARY.length);
      timers.advance(DEFAULT_CPU_BUDGET.quietMs - 1);
      assert.equal(resumes, 0);
      timers.advance(1);
      assert.equal(resumes, 1, 'reading resumes after the quiet moment');

      const before = verdicts.length;
      for (const piece of pieces(five.bytes, 97)) {
        await w.feed(piece);
        timers.advance(7);
      }
      await w.finish();
      const after = verdicts.slice(before).filter((v) => v.classification.verdict === 'quota');
      assert.ok(after.length > 0, 'the limit after the burst was not detected');
      assert.equal(after[0].classification.window, 'five_hour');
      assert.equal(after[0].classification.resetsAt?.toISOString(), five.meta.expected.resetsAt);
      assert.equal(w.stats.trips, 1);
      assert.equal(w.stats.rendered, flood.rendered + five.bytes.length, 'every byte after the quiet moment was rendered');
      assert.equal(logLines.length, 1);
    });

    it('never trips on Claude Code output at 200 KB/s', async () => {
      const w = budgeted();
      const all = fs.readdirSync(RECORDINGS).filter((f) => f.endsWith('.bin')).sort().map((f) => fs.readFileSync(path.join(RECORDINGS, f)));
      const corpus = Buffer.concat(all);
      // 4 KB every 20 ms for 10 s.
      for (let sent = 0; sent < 2 * MB; sent += 4096) {
        const at = sent % corpus.length;
        await w.feed(corpus.subarray(at, at + 4096));
        timers.advance(20);
      }
      assert.equal(w.stats.trips, 0);
      assert.equal(w.stats.skipped, 0);
      assert.deepEqual(logLines, []);
    });

    it('a chunk the emulator throws on resets the screen with one line, and reading goes on', async () => {
      // xterm 6.0.0 (pinned) throws on ED 1 at the last cell of a screen without scrollback.
      const crash = `\x1b[${five.meta.rows};${five.meta.cols}H\x1b[1J`;
      const probe = new TerminalScreen({ cols: five.meta.cols, rows: five.meta.rows });
      assert.throws(() => probe.write(crash), 'the emulator no longer fails here: find another chunk it throws on');
      probe.dispose();

      const w = budgeted();
      await w.feed(crash);
      assert.equal(logLines.length, 1);
      assert.match(logLines[0], /^warn \[terminals\] terminal:1: the terminal emulator failed on its output \(.+\); its screen is reset$/);
      assert.equal(w.stats.trips, 0);
      await w.feed(LIMIT_ROW);
      assert.equal(verdicts.length, 1);
      assert.equal(verdicts[0].classification.verdict, 'quota');
    });
  });
});
