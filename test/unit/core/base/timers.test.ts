// The timers module: DeadlineTimer, the cap on one timer's wait, and Node's implementations.
import { strict as assert } from 'node:assert';
import { backgroundTimers, DeadlineTimer, MAX_TIMER_MS, nodeTimers, type Timers } from '../../../../src/core/base/timers';
import { FakeTimers } from '../../../support/fakeTimers';

class RecordingTimers implements Timers {
  readonly armed = new Map<number, { fn: () => void; ms: number }>();
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.armed.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.armed.delete(handle as number);
  }
  fire(): void {
    const [[id, t]] = [...this.armed];
    this.armed.delete(id);
    t.fn();
  }
}

describe('DeadlineTimer', () => {
  it('keeps one timer: arming replaces it, firing and clearing leave none', () => {
    const timers = new RecordingTimers();
    const d = new DeadlineTimer(timers);
    const fired: string[] = [];
    d.arm(1000, () => fired.push('a'));
    d.arm(500, () => fired.push('b'));
    assert.equal(timers.armed.size, 1);
    assert.equal(d.armed, true);
    timers.fire();
    assert.deepEqual(fired, ['b']);
    assert.equal(d.armed, false);
    d.arm(10, () => fired.push('c'));
    d.dispose();
    assert.equal(timers.armed.size, 0);
    assert.equal(d.armed, false);
  });

  it('caps a far deadline at what a Node timer holds and a past one at zero', () => {
    const timers = new RecordingTimers();
    const d = new DeadlineTimer(timers);
    d.arm(10 * MAX_TIMER_MS, () => undefined);
    assert.equal([...timers.armed.values()][0].ms, MAX_TIMER_MS);
    d.arm(-5, () => undefined);
    assert.equal([...timers.armed.values()][0].ms, 0);
  });

  it('with time driven by hand: a deadline past the cap fires at the cap, and the owner re-arming reaches it exactly', () => {
    const timers = new FakeTimers({ now: 0 });
    const d = new DeadlineTimer(timers);
    const deadline = 3 * MAX_TIMER_MS + 5;
    const wakes: number[] = [];
    const wake = (): void => {
      wakes.push(timers.now);
      if (timers.now < deadline) d.arm(deadline - timers.now, wake);
    };
    d.arm(deadline, wake);
    assert.deepEqual(timers.dueTimes(), [MAX_TIMER_MS]);
    timers.advance(deadline - 1);
    assert.deepEqual(wakes, [MAX_TIMER_MS, 2 * MAX_TIMER_MS, 3 * MAX_TIMER_MS]);
    assert.equal(d.armed, true);
    timers.advance(1);
    assert.deepEqual(wakes, [MAX_TIMER_MS, 2 * MAX_TIMER_MS, 3 * MAX_TIMER_MS, deadline]);
    assert.equal(d.armed, false);
    assert.equal(timers.pending.size, 0);
  });

  it('clearing before the time comes means the function never runs', () => {
    const timers = new FakeTimers({ now: 0 });
    const d = new DeadlineTimer(timers);
    let ran = 0;
    d.arm(100, () => ran++);
    timers.advance(99);
    d.clear();
    timers.advance(1000);
    assert.equal(ran, 0);
    d.clear(); // clearing twice is harmless
  });
});

describe('Node timers', () => {
  it('run timeouts and intervals and clear them', async () => {
    const seen: string[] = [];
    const cleared = nodeTimers.setTimeout(() => seen.push('cleared'), 5);
    nodeTimers.clearTimeout(cleared);
    nodeTimers.setTimeout(() => seen.push('timeout'), 5);
    const every = nodeTimers.setInterval(() => seen.push('tick'), 5);
    await new Promise((r) => setTimeout(r, 40));
    nodeTimers.clearInterval(every);
    const ticks = seen.filter((s) => s === 'tick').length;
    assert.ok(ticks >= 2, `ticks: ${ticks}`);
    assert.ok(seen.includes('timeout') && !seen.includes('cleared'));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(seen.filter((s) => s === 'tick').length, ticks, 'no tick after clearInterval');
  });

  it('background timers do not keep the process alive; Node timers do', () => {
    const fg = nodeTimers.setTimeout(() => undefined, 60_000) as NodeJS.Timeout;
    const bg = backgroundTimers.setTimeout(() => undefined, 60_000) as NodeJS.Timeout;
    const bgEvery = backgroundTimers.setInterval(() => undefined, 60_000) as NodeJS.Timeout;
    try {
      assert.equal(fg.hasRef(), true);
      assert.equal(bg.hasRef(), false);
      assert.equal(bgEvery.hasRef(), false);
    } finally {
      nodeTimers.clearTimeout(fg);
      backgroundTimers.clearTimeout(bg);
      backgroundTimers.clearInterval(bgEvery);
    }
  });
});
