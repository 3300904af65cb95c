// When a watched session's screen is looked at while its output streams. A look reads the whole
// viewport, so looking after every chunk of a fast stream (a chunk every few ms) costs far more
// than the rendering itself. Looks are therefore spaced at least `intervalMs` apart, with two
// exceptions that keep detection immediate:
//  - output after a quiet spell is looked at at once (the first chunk of a burst, and every chunk
//    of output slower than one per interval);
//  - output that may draw a status row (ScreenClassifier.urgent: a limit, error or warning line)
//    is looked at at once, whatever the spacing.
// Any other chunk is covered by one look at the end of the current interval, so nothing written
// waits longer than `intervalMs` to be read.

import { nodeTimers, type Timers } from '../base/timers';

export interface LookSchedulerOptions {
  /** Least time between two looks of streaming output that cannot draw a status row. */
  readonly intervalMs?: number;
  /** Monotonic clock in ms. */
  readonly now?: () => number;
  readonly timers?: Timers;
}

export const DEFAULT_LOOK_INTERVAL_MS = 100;

export class LookScheduler {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly timers: Timers;
  private lastLook = -Infinity;
  private timer: unknown = null;
  private disposed = false;

  /** `lookLater` runs the deferred look (from a timer); looks due at once are the caller's, see due(). */
  constructor(
    private readonly lookLater: () => void,
    options: LookSchedulerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_LOOK_INTERVAL_MS;
    this.now = options.now ?? (() => performance.now());
    this.timers = options.timers ?? nodeTimers;
  }

  /**
   * Call after each write. True: look now (counted as done). False: a look is scheduled at the end
   * of the current interval and will run through `lookLater`.
   */
  due(urgent: boolean): boolean {
    if (this.disposed) return false;
    const now = this.now();
    const wait = this.lastLook + this.intervalMs - now;
    if (urgent || wait <= 0) {
      this.cancel();
      this.lastLook = now;
      return true;
    }
    this.timer ??= this.timers.setTimeout(() => {
      this.timer = null;
      if (this.disposed) return;
      this.lastLook = this.now();
      this.lookLater();
    }, wait);
    return false;
  }

  /** True while a deferred look is waiting. */
  get pending(): boolean {
    return this.timer !== null;
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }

  private cancel(): void {
    if (this.timer === null) return;
    this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
