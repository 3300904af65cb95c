import { strict as assert } from 'node:assert';
import { LookScheduler } from '../../../../src/core/screen/lookScheduler';

/** A clock and timers the test moves by hand. */
class FakeTime {
  now = 1000;
  private next = 1;
  readonly pending = new Map<number, { at: number; fn: () => void }>();
  readonly timers = {
    setTimeout: (fn: () => void, ms: number): unknown => {
      const id = this.next++;
      this.pending.set(id, { at: this.now + ms, fn });
      return id;
    },
    clearTimeout: (h: unknown): void => void this.pending.delete(h as number),
  };

  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.pending].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at > this.now) continue;
      this.pending.delete(id);
      t.fn();
    }
  }
}

function setup(intervalMs = 100): { time: FakeTime; scheduler: LookScheduler; deferred: () => number } {
  const time = new FakeTime();
  let deferred = 0;
  const scheduler = new LookScheduler(() => deferred++, { intervalMs, now: () => time.now, timers: time.timers });
  return { time, scheduler, deferred: () => deferred };
}

describe('LookScheduler', () => {
  it('looks at once at output after a quiet spell, and at every chunk of slow output', () => {
    const { time, scheduler } = setup();
    for (let i = 0; i < 5; i++) {
      assert.equal(scheduler.due(false), true, `chunk ${i}`);
      time.advance(150);
    }
    assert.equal(time.pending.size, 0, 'no timer for slow output');
  });

  it('spaces the looks of streaming output: one deferred look per interval, none lost', () => {
    const { time, scheduler, deferred } = setup();
    assert.equal(scheduler.due(false), true);
    let immediate = 0;
    // 50 chunks 20 ms apart: one second of streaming.
    for (let i = 0; i < 50; i++) {
      time.advance(20);
      if (scheduler.due(false)) immediate++;
      assert.ok(time.pending.size <= 1, 'at most one deferred look waits');
    }
    time.advance(100);
    const looks = 1 + immediate + deferred();
    assert.ok(looks >= 9 && looks <= 12, `looks in one second of streaming: ${looks}`);
    assert.equal(scheduler.pending, false, 'the last chunk was looked at');
  });

  it('looks at once at output that may draw a status row, cancelling the deferred look', () => {
    const { time, scheduler, deferred } = setup();
    assert.equal(scheduler.due(false), true);
    time.advance(10);
    assert.equal(scheduler.due(false), false);
    assert.equal(scheduler.pending, true);
    time.advance(10);
    assert.equal(scheduler.due(true), true);
    assert.equal(scheduler.pending, false);
    time.advance(500);
    assert.equal(deferred(), 0);
  });

  it('runs the deferred look at the end of the interval', () => {
    const { time, scheduler, deferred } = setup();
    scheduler.due(false);
    time.advance(30);
    scheduler.due(false);
    time.advance(69);
    assert.equal(deferred(), 0);
    time.advance(1);
    assert.equal(deferred(), 1);
  });

  it('stops on dispose: no deferred look, no timer, no look due', () => {
    const { time, scheduler, deferred } = setup();
    scheduler.due(false);
    time.advance(10);
    scheduler.due(false);
    scheduler.dispose();
    assert.equal(time.pending.size, 0);
    time.advance(1000);
    assert.equal(deferred(), 0);
    assert.equal(scheduler.due(true), false);
  });
});
