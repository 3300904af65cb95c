// Timers for the controllers, injectable so tests drive time.

/** setTimeout/clearTimeout, injectable so tests drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const nodeTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Node's timers overflow (and fire at once) beyond 2^31-1 ms; longer waits re-arm when they fire. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * One timer for the next deadline of a controller: arming replaces the previous one, and a
 * deadline beyond what a Node timer holds fires early (the owner finds nothing due and re-arms).
 */
export class DeadlineTimer {
  private handle: unknown = undefined;

  constructor(private readonly timers: Timers) {}

  /** Runs `fn` after `delayMs` (capped at MAX_TIMER_MS), instead of whatever was armed. */
  arm(delayMs: number, fn: () => void): void {
    this.clear();
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      fn();
    }, Math.min(MAX_TIMER_MS, Math.max(0, delayMs)));
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
