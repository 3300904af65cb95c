// One watched session's screen, from raw output to verdicts: the unit every live source (VS Code
// terminals, tmux panes) feeds.
//
//  - Output is written into the session's screen (ScreenClassifier) and looked at as LookScheduler
//    says: at once after output that may draw a status row or after a quiet spell, otherwise once at
//    the end of the current interval (100 ms).
//  - Looks never overlap: a look asked for while one runs follows it, once, however often it was asked.
//  - finish(): no more output will come, so a final look counts the line the cursor was still on;
//    then the screen is disposed. dispose() drops everything at once, with no final look, and no
//    verdict is reported after it.
//  - CPU budget: hostile output (a binary printed into the session, an escape flood) costs the
//    emulator and the classifier far more per byte than Claude Code's own, and would hold the
//    thread for minutes. The time spent rendering and classifying this session is counted in a
//    leaky bucket (a burst up to `busyMs`, or more than `busyMs` per `windowMs` on average, trips
//    it). A trip logs one line, resets the screen and skips output until none has come for
//    `quietMs`; then reading resumes on the fresh screen (`onResume`, e.g. to redraw it from a
//    capture), so a limit line drawn after the burst is still seen. Claude Code's ordinary output
//    costs about 10 ms per second at 200 KB/s, and 4 MB of it at once about 100 ms, so the default
//    budget trips at neither; an escape flood renders at about 3.5 MB/s and trips it within 1 MB.
//  - A chunk the emulator throws on (xterm has such bugs) resets the screen too, with one line.
import type { ComponentLogger } from '../base/logger';
import type { Classification, TimeContext } from '../detection/types';
import { LookScheduler } from './lookScheduler';
import { nodeTimers, type Timers } from '../base/timers';
import { describeError } from '../base/errors';
import { ScreenClassifier } from './screenClassifier';
import type { TerminalScreenOptions } from './terminalScreen';

export interface CpuBudget {
  /** Time one session may keep the thread busy: in one burst, or on average per `windowMs`. */
  readonly busyMs: number;
  readonly windowMs: number;
  /** After a trip, output is skipped until none has come for this long. */
  readonly quietMs: number;
}

export const DEFAULT_CPU_BUDGET: CpuBudget = { busyMs: 250, windowMs: 1000, quietMs: 100 };

export interface ScreenWatcherOptions {
  /** Screen size and scrollback; default: the emulator's. */
  readonly screen?: TerminalScreenOptions;
  /** Now and zone each look classifies against. */
  readonly timeContext: () => TimeContext;
  /** Each look's verdict other than none, with the now it was classified against. */
  readonly onVerdict: (classification: Classification, at: Date) => void;
  /** A look failed (`final`: the last one); the watcher goes on. */
  readonly onError: (err: unknown, final: boolean) => void;
  /** Reading resumed on a fresh screen after a trip of the CPU budget. */
  readonly onResume?: () => void;
  /** Where a trip of the budget (or an emulator failure) is logged, as `name: …`. */
  readonly logger?: ComponentLogger;
  readonly name?: string;
  readonly budget?: CpuBudget;
  /** Timers of the deferred look and of the wait for quiet after a trip. */
  readonly timers?: Timers;
  /** Least time between two looks of streaming output that cannot draw a status row (LookScheduler). */
  readonly lookIntervalMs?: number;
  /** Monotonic clock in ms: look spacing, the budget's window, quiet after a trip. */
  readonly now?: () => number;
  /** Measures the time spent rendering and classifying. Default: performance.now. */
  readonly busyClock?: () => number;
}

/** What became of the output a watcher received, in bytes (UTF-16 units for strings). */
export interface ScreenWatcherCounts {
  readonly received: number;
  /** Written into the emulator. */
  readonly rendered: number;
  /** Skipped after a trip of the budget. */
  readonly skipped: number;
  readonly trips: number;
}

const DONE: Promise<void> = Promise.resolve();

export class ScreenWatcher {
  private screen: ScreenClassifier;
  private size: { cols?: number; rows?: number };
  private readonly looks: LookScheduler;
  private readonly timers: Timers;
  private readonly now: () => number;
  private readonly busyClock: () => number;
  private readonly budget: CpuBudget;
  /** The running look loop; it runs once more when `lookAgain` is set meanwhile. */
  private looking: Promise<void> | null = null;
  private lookAgain = false;
  /** finish() began: the scheduler takes no more looks. */
  private finishing = false;
  private isDisposed = false;
  /** Busy time in the bucket and when it was last drained. */
  private spent = 0;
  private spentAt: number;
  /** After a trip: output is skipped until quiet; the time of the last chunk skipped. */
  private skipping = false;
  private lastSkipped = 0;
  private quietTimer: unknown = null;
  private counts = { received: 0, rendered: 0, skipped: 0, trips: 0 };

  constructor(private readonly options: ScreenWatcherOptions) {
    this.screen = new ScreenClassifier(options.screen);
    this.size = { cols: options.screen?.cols, rows: options.screen?.rows };
    this.timers = options.timers ?? nodeTimers;
    this.now = options.now ?? (() => performance.now());
    this.busyClock = options.busyClock ?? (() => performance.now());
    this.budget = options.budget ?? DEFAULT_CPU_BUDGET;
    this.spentAt = this.now();
    this.looks = new LookScheduler(() => void this.look(), { timers: this.timers, intervalMs: options.lookIntervalMs, now: this.now });
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  get stats(): ScreenWatcherCounts {
    return { ...this.counts };
  }

  /** Writes a chunk and looks as the scheduler says; resolves once a look this started is done. */
  feed(chunk: Uint8Array | string): Promise<void> {
    this.write(chunk);
    return this.settle();
  }

  /** Writes a chunk without looking: for a batch of chunks, followed by settle(). */
  write(chunk: Uint8Array | string): void {
    if (this.isDisposed || this.finishing) return;
    this.counts.received += chunk.length;
    if (this.skipping) {
      this.counts.skipped += chunk.length;
      this.lastSkipped = this.now();
      return;
    }
    const start = this.busyClock();
    try {
      this.screen.write(chunk);
    } catch (err) {
      this.options.logger?.warn(`${this.options.name ?? 'screen'}: the terminal emulator failed on its output (${describeError(err)}); its screen is reset`);
      this.resetScreen();
      return;
    }
    this.counts.rendered += chunk.length;
    this.spend(this.busyClock() - start);
  }

  /** After writes: looks now when the scheduler says so (resolving when done), else one is deferred. */
  settle(): Promise<void> {
    if (this.isDisposed || this.finishing || this.skipping) return DONE;
    return this.looks.due(this.screen.urgent) ? this.look() : DONE;
  }

  /** Looks now, outside the scheduler's spacing (a redraw from a capture); resolves when done. */
  look(): Promise<void> {
    if (this.isDisposed) return DONE;
    if (this.looking !== null) {
      this.lookAgain = true;
      return this.looking;
    }
    this.looking = this.lookLoop();
    return this.looking;
  }

  /** No more output will come: waits for a running look, takes the final one, then disposes. */
  async finish(): Promise<void> {
    if (this.isDisposed || this.finishing) return;
    this.finishing = true;
    this.looks.dispose();
    this.stopQuietTimer();
    while (this.looking !== null) await this.looking;
    if (!this.isDisposed) await this.lookOnce(true);
    this.dispose();
  }

  resize(cols: number, rows: number): void {
    if (this.isDisposed) return;
    this.size = { cols, rows };
    this.screen.resize(cols, rows);
  }

  visibleLines(): string[] {
    return this.isDisposed ? [] : this.screen.visibleLines();
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.looks.dispose();
    this.stopQuietTimer();
    this.screen.dispose();
  }

  private async lookLoop(): Promise<void> {
    try {
      do {
        this.lookAgain = false;
        await this.lookOnce(false);
      } while (this.lookAgain && !this.isDisposed);
    } finally {
      this.looking = null;
    }
  }

  private async lookOnce(final: boolean): Promise<void> {
    try {
      const ctx = this.options.timeContext();
      const screen = this.screen;
      await screen.flush();
      if (this.isDisposed) return;
      const start = this.busyClock();
      const classification = screen.lookParsed(ctx, final);
      this.spend(this.busyClock() - start);
      if (!this.isDisposed && classification.verdict !== 'none') this.options.onVerdict(classification, ctx.now);
    } catch (err) {
      if (!this.isDisposed) this.options.onError(err, final);
    }
  }

  /** Adds busy time to the bucket, drained at busyMs per windowMs; over busyMs trips it. */
  private spend(ms: number): void {
    const now = this.now();
    const { busyMs, windowMs } = this.budget;
    this.spent = Math.max(0, this.spent - ((now - this.spentAt) * busyMs) / windowMs) + ms;
    this.spentAt = now;
    if (this.spent > busyMs && !this.skipping && !this.isDisposed) this.trip();
  }

  private trip(): void {
    const { busyMs, windowMs, quietMs } = this.budget;
    this.counts.trips++;
    this.skipping = true;
    this.lastSkipped = this.now();
    this.options.logger?.warn(
      `${this.options.name ?? 'screen'}: its output took more than ${busyMs} ms of CPU within ${windowMs} ms; its screen is reset and output is skipped until ${quietMs} ms pass without any`,
    );
    this.resetScreen();
    this.waitForQuiet(quietMs);
  }

  private waitForQuiet(ms: number): void {
    this.quietTimer = this.timers.setTimeout(() => {
      this.quietTimer = null;
      if (this.isDisposed || this.finishing) return;
      const idle = this.now() - this.lastSkipped;
      if (idle < this.budget.quietMs) {
        this.waitForQuiet(this.budget.quietMs - idle);
        return;
      }
      this.skipping = false;
      this.spent = 0;
      this.spentAt = this.now();
      this.options.onResume?.();
    }, ms);
  }

  private stopQuietTimer(): void {
    if (this.quietTimer !== null) this.timers.clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }

  /** A fresh screen of the same size; a look still running on the old one finds nothing more. */
  private resetScreen(): void {
    const old = this.screen;
    this.screen = new ScreenClassifier({ ...this.options.screen, ...this.size });
    old.dispose();
  }
}
