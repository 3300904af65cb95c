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
import type { Classification, TimeContext } from '../detection/types';
import { LookScheduler, type LookTimers } from './lookScheduler';
import { ScreenClassifier } from './screenClassifier';
import type { TerminalScreenOptions } from './terminalScreen';

export interface ScreenWatcherOptions {
  /** Screen size and scrollback; default: the emulator's. */
  readonly screen?: TerminalScreenOptions;
  /** Now and zone each look classifies against. */
  readonly timeContext: () => TimeContext;
  /** Each look's verdict other than none, with the now it was classified against. */
  readonly onVerdict: (classification: Classification, at: Date) => void;
  /** A look failed (`final`: the last one); the watcher goes on. */
  readonly onError: (err: unknown, final: boolean) => void;
  /** Timers of the deferred look. */
  readonly timers?: LookTimers;
  /** Least time between two looks of streaming output that cannot draw a status row (LookScheduler). */
  readonly lookIntervalMs?: number;
  /** Monotonic clock in ms. */
  readonly now?: () => number;
}

const DONE: Promise<void> = Promise.resolve();

export class ScreenWatcher {
  private readonly screen: ScreenClassifier;
  private readonly looks: LookScheduler;
  /** The running look loop; it runs once more when `lookAgain` is set meanwhile. */
  private looking: Promise<void> | null = null;
  private lookAgain = false;
  /** finish() began: the scheduler takes no more looks. */
  private finishing = false;
  private isDisposed = false;

  constructor(private readonly options: ScreenWatcherOptions) {
    this.screen = new ScreenClassifier(options.screen);
    this.looks = new LookScheduler(() => void this.look(), { timers: options.timers, intervalMs: options.lookIntervalMs, now: options.now });
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Writes a chunk and looks as the scheduler says; resolves once a look this started is done. */
  feed(chunk: Uint8Array | string): Promise<void> {
    this.write(chunk);
    return this.settle();
  }

  /** Writes a chunk without looking: for a batch of chunks, followed by settle(). */
  write(chunk: Uint8Array | string): void {
    if (this.isDisposed || this.finishing) return;
    this.screen.write(chunk);
  }

  /** After writes: looks now when the scheduler says so (resolving when done), else one is deferred. */
  settle(): Promise<void> {
    if (this.isDisposed || this.finishing) return DONE;
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
    while (this.looking !== null) await this.looking;
    if (!this.isDisposed) await this.lookOnce(true);
    this.dispose();
  }

  resize(cols: number, rows: number): void {
    if (!this.isDisposed) this.screen.resize(cols, rows);
  }

  visibleLines(): string[] {
    return this.isDisposed ? [] : this.screen.visibleLines();
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.looks.dispose();
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
      const classification = await this.screen.look(ctx, final);
      if (!this.isDisposed && classification.verdict !== 'none') this.options.onVerdict(classification, ctx.now);
    } catch (err) {
      if (!this.isDisposed) this.options.onError(err, final);
    }
  }
}
