// Timers for every layer: one injectable interface (tests drive time by hand), Node's
// implementation, the cap on how long one Node timer can wait, and DeadlineTimer, the one timer
// for an owner's next deadline.

/** setTimeout/clearTimeout, injectable so tests drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Timers that also repeat. */
export interface IntervalTimers extends Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const nodeTimers: IntervalTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** Node timers that do not keep the process alive (unref'd), for work that must not hold off exit. */
export const backgroundTimers: IntervalTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: nodeTimers.clearTimeout,
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: nodeTimers.clearInterval,
};

/** Node's timers overflow (and fire at once) beyond 2^31-1 ms; longer waits re-arm when they fire. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A delay one Node timer can hold: negative ones are now, longer ones MAX_TIMER_MS. */
function timerDelay(ms: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, ms));
}

/**
 * One timer for an owner's next deadline: arming replaces the previous one, and a deadline beyond
 * what a Node timer holds fires early (the owner finds nothing due and re-arms).
 */
export class DeadlineTimer {
  private handle: unknown = undefined;

  constructor(private readonly timers: Timers) {}

  /** Runs `fn` after `delayMs` (within 0..MAX_TIMER_MS), instead of whatever was armed. */
  arm(delayMs: number, fn: () => void): void {
    this.clear();
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      fn();
    }, timerDelay(delayMs));
  }

  clear(): void {
    if (this.handle === undefined) return;
    this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  /** Whether a timer is armed (tests prove none runs while nothing is pending). */
  get armed(): boolean {
    return this.handle !== undefined;
  }

  dispose(): void {
    this.clear();
  }
}
