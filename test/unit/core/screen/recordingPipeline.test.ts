// The whole detection core on the raw bytes recorded from the real Claude Code CLI: bytes are
// rendered into a screen, changed lines classified, and the verdicts fed to the detector, exactly as
// a watched terminal or tmux pane is processed.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { FIXTURES } from '../../../support/paths';
import { QuotaDetector } from '../../../../src/core/detection/detector';
import { LookScheduler } from '../../../../src/core/screen/lookScheduler';
import { ScreenClassifier } from '../../../../src/core/screen/screenClassifier';
import { Classification, LimitWindow, Verdict } from '../../../../src/core/detection/types';

const DIR = path.join(FIXTURES, 'recordings');

interface RecordingMeta {
  readonly cols: number;
  readonly rows: number;
  readonly timeZone: string;
  readonly recordedAt: string;
  readonly expected: { readonly verdict: Verdict; readonly window: LimitWindow | null; readonly resetsAt: string | null };
}

interface Outcome {
  /** Every verdict other than none, in order, without repeats in a row. */
  readonly verdicts: Verdict[];
  readonly blocked: { readonly window: LimitWindow | null; readonly resetsAt: string } | null;
}

const recordings = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.bin') && fs.existsSync(path.join(DIR, f.replace(/\.bin$/, '.json'))))
  .map((f) => f.replace(/\.bin$/, ''))
  .sort();

function load(name: string): { bytes: Buffer; meta: RecordingMeta } {
  return {
    bytes: fs.readFileSync(path.join(DIR, `${name}.bin`)),
    meta: JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as RecordingMeta,
  };
}

/**
 * A live source looks after every write the terminal receives; the recordings keep the bytes but
 * not the write boundaries, so small pieces stand in for them.
 */
function fineCuts(bytes: Buffer): number[] {
  const cuts: number[] = [];
  for (let at = 64; at < bytes.length; at += 64) cuts.push(at);
  return cuts;
}

/**
 * Recordings whose only limit line is a transient frame (a one-second "retrying" status that the
 * next frame overwrites): a look that falls on either side of that frame cannot see it.
 */
const TRANSIENT = new Set(['api_key_five_hour']);

/**
 * Feeds the bytes cut at `cuts` and returns what the detector concluded. Default: a look after every
 * piece and a final look. `prompt`: the sources' LookScheduler with a clock that never moves, so only
 * the looks it takes at once happen (deferred looks never run) and no final look: what a source sees
 * before any timer fires.
 */
async function run(bytes: Buffer, meta: RecordingMeta, cuts: readonly number[], prompt = false): Promise<Outcome> {
  const now = new Date(meta.recordedAt);
  const ctx = { now, timeZone: meta.timeZone };
  const session = new ScreenClassifier({ cols: meta.cols, rows: meta.rows });
  const detector = new QuotaDetector();
  const verdicts: Verdict[] = [];
  const observe = (c: Classification): void => {
    if (c.verdict === 'none') return;
    if (verdicts[verdicts.length - 1] !== c.verdict) verdicts.push(c.verdict);
    detector.observe('s', { kind: 'classification', classification: c, source: 'terminal', at: now });
  };
  let prev = 0;
  if (prompt) {
    const scheduler = new LookScheduler(() => undefined, { now: () => 0, timers: { setTimeout: () => null, clearTimeout: () => undefined } });
    for (const cut of [...cuts, bytes.length]) {
      session.write(bytes.subarray(prev, cut));
      if (scheduler.due(session.urgent)) observe(await session.look(ctx));
      prev = cut;
    }
  } else {
    for (const cut of cuts) {
      observe(await session.feed(bytes.subarray(prev, cut), ctx));
      prev = cut;
    }
    observe(await session.feed(bytes.subarray(prev), ctx, true));
  }
  session.dispose();
  const block = detector.sessionView('s')?.block ?? null;
  return { verdicts, blocked: block ? { window: block.window, resetsAt: block.resetsAt.toISOString() } : null };
}

describe('recorded Claude Code sessions through screen, classifier and detector', () => {
  it('has the recordings of every family', () => {
    const verdicts = new Set(recordings.map((n) => load(n).meta.expected.verdict));
    for (const v of ['quota', 'throttle', 'server', 'auth', 'billing', 'warning', 'none'] as const) {
      assert.ok(verdicts.has(v), `no recording expects ${v}`);
    }
  });

  for (const name of recordings) {
    it(`${name}: the detector reaches the recorded outcome`, async () => {
      const { bytes, meta } = load(name);
      const outcome = await run(bytes, meta, fineCuts(bytes));
      const { expected } = meta;
      if (expected.verdict === 'quota') {
        assert.ok(outcome.blocked, `not blocked; verdicts seen: ${outcome.verdicts.join(', ')}`);
        assert.equal(outcome.blocked.window, expected.window);
        assert.equal(outcome.blocked.resetsAt, expected.resetsAt && new Date(expected.resetsAt).toISOString());
      } else {
        assert.equal(outcome.blocked, null, `blocked on a ${expected.verdict} recording`);
        assert.ok(outcome.verdicts.includes(expected.verdict) || (expected.verdict === 'none' && outcome.verdicts.length === 0), `expected ${expected.verdict}, saw ${outcome.verdicts.join(', ') || 'nothing'}`);
      }
    });
  }

  it('reaches the same outcome however the bytes are split, and never a wrong reset time', async () => {
    const loaded = await Promise.all(
      recordings.map(async (name) => {
        const { bytes, meta } = load(name);
        return { name, bytes, meta, reference: await run(bytes, meta, fineCuts(bytes)), whole: await run(bytes, meta, []) };
      }),
    );
    for (const r of loaded) {
      if (!TRANSIENT.has(r.name)) assert.deepEqual(r.whole.blocked, r.reference.blocked, `${r.name}: whole vs fine pieces`);
    }
    await fc.assert(
      fc.asyncProperty(fc.nat(loaded.length - 1), fc.array(fc.nat(), { maxLength: 40 }), async (which, raw) => {
        const { name, bytes, meta, reference } = loaded[which];
        const cuts = [...new Set(raw.map((r) => r % bytes.length))].filter((c) => c > 0).sort((a, b) => a - b);
        const split = await run(bytes, meta, cuts);
        if (TRANSIENT.has(name) && split.blocked === null) return;
        assert.deepEqual(split.blocked, reference.blocked, name);
      }),
      { numRuns: 80 },
    );
  });

  it('reaches the same outcome with one cut at any byte of a line that names a reset', async () => {
    // Random splits rarely land inside the few bytes that matter; this tries every one of them.
    for (const name of recordings.filter((n) => !TRANSIENT.has(n))) {
      const { bytes, meta } = load(name);
      const reference = await run(bytes, meta, []);
      const text = bytes.toString('latin1');
      for (let at = text.indexOf('resets'); at >= 0; at = text.indexOf('resets', at + 1)) {
        for (let cut = at; cut < Math.min(bytes.length, at + 80); cut++) {
          assert.deepEqual((await run(bytes, meta, [cut])).blocked, reference.blocked, `${name} cut at ${cut}`);
          assert.deepEqual((await run(bytes, meta, [cut], true)).blocked, meta.expected.verdict === 'quota' ? reference.blocked : null, `${name} cut at ${cut}, prompt looks only`);
        }
      }
    }
  });

  it('sees a limit at once, without waiting for a deferred look, however the bytes are split', async () => {
    const quota = recordings.filter((n) => load(n).meta.expected.verdict === 'quota' && !TRANSIENT.has(n));
    const loaded = await Promise.all(
      quota.map(async (name) => {
        const { bytes, meta } = load(name);
        return { name, bytes, meta, reference: await run(bytes, meta, fineCuts(bytes)) };
      }),
    );
    for (const r of loaded) assert.deepEqual((await run(r.bytes, r.meta, fineCuts(r.bytes), true)).blocked, r.reference.blocked, `${r.name}: fine pieces`);
    await fc.assert(
      fc.asyncProperty(fc.nat(loaded.length - 1), fc.array(fc.nat(), { maxLength: 40 }), async (which, raw) => {
        const { name, bytes, meta, reference } = loaded[which];
        const cuts = [...new Set(raw.map((r) => r % bytes.length))].filter((c) => c > 0).sort((a, b) => a - b);
        assert.deepEqual((await run(bytes, meta, cuts, true)).blocked, reference.blocked, name);
      }),
      { numRuns: 80 },
    );
  });

  it('reads a limit line that scrolls out of the screen in the same chunk that drew it', async () => {
    const { meta } = load('five_hour');
    const ctx = { now: new Date(meta.recordedAt), timeZone: meta.timeZone };
    const session = new ScreenClassifier({ cols: meta.cols, rows: meta.rows, scrollback: 500 });
    let ordinary = '';
    for (let i = 0; i < 300; i++) ordinary += `ordinary line ${i}\r\n`;
    assert.equal((await session.feed(ordinary, ctx)).verdict, 'none');
    // Out of the TUI's region, then the limit row, then more output than the screen holds, all at once.
    const limitRow = "\x1b[0m\r\n  ⎿ \u00a0You've hit your 5-hour limit · resets 11pm (Asia/Tokyo)\r\n";
    assert.equal((await session.feed(limitRow + ordinary, ctx)).verdict, 'quota');
    session.dispose();
  });

  it('never reports a limit again once it has scrolled away', async () => {
    const { bytes, meta } = load('five_hour');
    const ctx = { now: new Date(meta.recordedAt), timeZone: meta.timeZone };
    const session = new ScreenClassifier({ cols: meta.cols, rows: meta.rows, scrollback: 200 });
    assert.equal((await session.feed(bytes, ctx)).verdict, 'quota');
    // Leave the TUI's alternate-screen-free region and print far more than the scrollback holds.
    let filler = '\x1b[0m\r\n';
    for (let i = 0; i < 6000; i++) filler += `build step ${i} ok\r\n`;
    assert.equal((await session.feed(filler, ctx)).verdict, 'none');
    assert.equal((await session.feed('$ echo done\r\ndone\r\n', ctx)).verdict, 'none');
    session.dispose();
  });
});
