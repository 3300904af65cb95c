// ScreenWatcher, the unit both live sources feed: recorded Claude Code bytes in, verdicts out, with
// the sources' look spacing on a clock and timers the test moves, coalesced looks, the final look
// and disposal.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeTimers } from '../../../support/fakeTimers';
import { FIXTURES } from '../../../support/paths';
import type { Classification, TimeContext } from '../../../../src/core/detection/types';
import { ScreenWatcher, type ScreenWatcherOptions } from '../../../../src/core/screen/screenWatcher';

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
});
