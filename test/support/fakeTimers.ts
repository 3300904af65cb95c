import type { Timers } from '../../src/core/base/timers';

/** Timers driven by the test: nothing fires until advance() or runUntil() passes its time. */
export class FakeTimers implements Timers {
  private seq = 0;
  readonly pending = new Map<number, { at: number; fn: () => void }>();
  /** `clock` may be shared with other fakes that read the same time. */
  constructor(readonly clock: { now: number } = { now: 0 }) {}

  get now(): number {
    return this.clock.now;
  }

  set now(value: number) {
    this.clock.now = value;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Runs the timers due by `to`, soonest first, moving the clock to each; then sets it to `to`. */
  runUntil(to: number): void {
    for (;;) {
      const next = [...this.pending.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined || next[1].at > to) break;
      this.pending.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
    }
    this.now = to;
  }

  advance(ms: number): void {
    this.runUntil(this.now + ms);
  }

  /** When the armed timers fire, soonest first. */
  dueTimes(): number[] {
    return [...this.pending.values()].map((t) => t.at).sort((a, b) => a - b);
  }
}
