import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { QuotaDetector } from '../../../src/core/detection/detector';
import { ScreenClassifier } from '../../../src/core/screen/screenClassifier';
import { RECORDINGS } from '../../support/tmuxHarness';
import { claudeClock, resetAhead, withReset } from '../../support/recordingAt';

async function blockOf(bytes: Buffer, now: Date, timeZone: string): Promise<{ window: string | null; resetsAt: string } | null> {
  const meta = JSON.parse(fs.readFileSync(path.join(RECORDINGS, 'five_hour.json'), 'utf8')) as { cols: number; rows: number };
  const session = new ScreenClassifier({ cols: meta.cols, rows: meta.rows });
  const detector = new QuotaDetector();
  for (let at = 0; at < bytes.length; at += 64) {
    const c = await session.feed(bytes.subarray(at, at + 64), { now, timeZone }, at + 64 >= bytes.length);
    if (c.verdict !== 'none') detector.observe('s', { kind: 'classification', classification: c, source: 'terminal', at: now });
  }
  session.dispose();
  const block = detector.sessionView('s')?.block;
  return block ? { window: block.window, resetsAt: block.resetsAt.toISOString() } : null;
}

describe('recordings moved to another reset (for replays at the real time)', () => {
  it('writes clock times as Claude Code does', () => {
    assert.equal(claudeClock(new Date('2026-11-23T14:00:00Z'), 'Asia/Tokyo'), '11pm');
    assert.equal(claudeClock(new Date('2026-11-23T03:00:00Z'), 'Asia/Tokyo'), '12pm');
    assert.equal(claudeClock(new Date('2026-11-23T15:30:00Z'), 'Asia/Tokyo'), '12:30am');
    assert.equal(claudeClock(new Date('2026-11-25T12:15:00Z'), 'America/Argentina/Cordoba', true), 'Nov 25, 9:15am');
  });

  it('picks the first whole hour far enough ahead', () => {
    assert.equal(resetAhead(90 * 60_000, Date.parse('2026-11-23T10:20:00Z')).toISOString(), '2026-11-23T12:00:00.000Z');
    assert.equal(resetAhead(90 * 60_000, Date.parse('2026-11-23T10:30:00Z')).toISOString(), '2026-11-23T12:00:00.000Z');
    assert.equal(resetAhead(90 * 60_000, Date.parse('2026-11-23T10:31:00Z')).toISOString(), '2026-11-23T13:00:00.000Z');
  });

  for (const [name, window, ahead] of [['five_hour', 'five_hour', 2], ['seven_day', 'weekly', 50]] as const) {
    it(`${name}: the moved recording blocks with exactly the chosen reset, at any hour of the day`, async () => {
      const bytes = fs.readFileSync(path.join(RECORDINGS, `${name}.bin`));
      for (const hour of [0, 5, 13, 14, 21]) {
        const now = new Date(Date.UTC(2027, 1, 27, hour, 17));
        const reset = resetAhead(ahead * 3_600_000, now.getTime());
        for (const zone of ['UTC', 'Asia/Kolkata', 'America/Chicago']) {
          assert.deepEqual(await blockOf(withReset(bytes, reset, zone), now, zone), { window, resetsAt: reset.toISOString() }, `${hour}h UTC, read in ${zone}`);
        }
      }
    });
  }

  it('refuses a recording without a clock time', () => {
    assert.throws(() => withReset(fs.readFileSync(path.join(RECORDINGS, 'overloaded.bin')), new Date(), 'UTC'), /no clock time/);
  });
});
