// Reads one Claude Code execution of a VS Code terminal: its output stream goes into the
// execution's own ScreenWatcher until the stream ends or is cut (the terminal closed, or the
// grace after the execution's end ran out); then a final look, and `onDone`, once.
// vscode is only a type here, as in the terminal source.

import type * as vscode from 'vscode';
import type { ComponentLogger } from '../../core/base/logger';
import type { Classification, TimeContext } from '../../core/detection/types';
import type { Timers } from '../../core/base/timers';
import { describeError } from '../../core/base/errors';
import { ScreenWatcher } from '../../core/screen/screenWatcher';

export interface ExecutionReaderOptions {
  readonly execution: vscode.TerminalShellExecution;
  /** The execution's read(), called in its start event (output written before it is lost). */
  readonly stream: AsyncIterable<string>;
  /** The session id, for log lines. */
  readonly id: string;
  readonly log: ComponentLogger;
  readonly timers: Timers;
  readonly timeContext: () => TimeContext;
  readonly onVerdict: (classification: Classification, at: Date) => void;
  /** Reading stopped for good (after the final look, or at dispose()): the screen is disposed. */
  readonly onDone: () => void;
}

const ABORTED = Symbol('aborted');

export class ExecutionReader {
  readonly execution: vscode.TerminalShellExecution;
  private readonly screen: ScreenWatcher;
  private readonly aborted: Promise<typeof ABORTED>;
  private abort: () => void = () => undefined;
  private torn = false;
  private graceTimer: unknown = null;

  constructor(private readonly options: ExecutionReaderOptions) {
    this.execution = options.execution;
    this.aborted = new Promise<typeof ABORTED>((resolve) => {
      this.abort = () => resolve(ABORTED);
    });
    // The screen's default size: see the note at the top of terminalSource.ts.
    this.screen = new ScreenWatcher({
      timeContext: options.timeContext,
      timers: options.timers,
      onVerdict: options.onVerdict,
      logger: options.log,
      name: options.id,
      onError: (err, final) => options.log.warn(`${options.id}: ${final ? 'final look' : 'look'} failed: ${describeError(err)}`),
    });
  }

  /** Begins reading the stream. */
  start(): void {
    void this.read(this.options.stream);
  }

  /** Reading stopped for good. */
  get done(): boolean {
    return this.torn;
  }

  visibleLines(): string[] {
    return this.screen.visibleLines();
  }

  /** The execution ended: its stream normally ends with it; the grace period only bounds a stream that does not. */
  ended(graceMs: number): void {
    if (this.torn) return;
    this.graceTimer ??= this.options.timers.setTimeout(() => this.abort(), graceMs);
  }

  /** Cuts the stream (the terminal closed); the final look follows. */
  cut(): void {
    this.abort();
  }

  /** Stops reading at once, with no final look. */
  dispose(): void {
    if (this.torn) return;
    this.torn = true;
    this.abort();
    if (this.graceTimer !== null) this.options.timers.clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.screen.dispose();
    this.options.onDone();
  }

  /** Streams the output into the screen until it ends or is cut, then takes the final look. */
  private async read(stream: AsyncIterable<string>): Promise<void> {
    let iterator: AsyncIterator<string> | null = null;
    let cut = false;
    try {
      iterator = stream[Symbol.asyncIterator]();
      for (;;) {
        const next = await Promise.race([iterator.next(), this.aborted]);
        if (next === ABORTED) {
          cut = true;
          break;
        }
        if (next.done === true || this.torn) break;
        // Parsing is synchronous: a look taken now sees this chunk, and the next is read after it.
        await this.screen.feed(next.value);
      }
    } catch (err) {
      this.options.log.warn(`${this.options.id}: reading the terminal failed: ${describeError(err)}`);
    }
    if (cut && iterator?.return) {
      const it = iterator;
      // Releases VS Code's side of the stream; its pending next() is dropped.
      void Promise.resolve()
        .then(() => it.return?.())
        .catch(() => undefined);
    }
    if (this.torn) return;
    // No more output will come: a line the cursor was still on counts now.
    await this.screen.finish();
    this.dispose();
  }
}
