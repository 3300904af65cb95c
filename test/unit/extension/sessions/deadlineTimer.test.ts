import { strict as assert } from 'node:assert';
import { DeadlineTimer, MAX_TIMER_MS, type Timers } from '../../../../src/extension/sessions/emitter';

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
});
