// Watching a few folders for changes made by other processes. fs.watch events are only hints: they
// are missed on some file systems, and a folder that does not exist yet cannot be watched, so a poll
// is the floor (and retries attaching). Events settle first, so a writer's temp file and rename come
// as one call. The owner decides what changed; its checks never overlap.
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import type { Disposable } from './event';
import { backgroundTimers, type IntervalTimers } from './timers';

export type FolderWatchReason = 'event' | 'poll';

export interface FolderWatchOptions {
  readonly dirs: readonly string[];
  /** Which names in the folders matter (null: the platform did not say); default: every name. */
  readonly matches?: (name: string | null) => boolean;
  /** Runs after events settle, and on every poll tick. */
  readonly check: (reason: FolderWatchReason) => Promise<void>;
  readonly timers?: IntervalTimers;
  readonly pollMs?: number;
  readonly settleMs?: number;
  readonly watch?: (dir: string, listener: (event: string, name: string | null) => void) => FSWatcher;
}

export class FolderWatch implements Disposable {
  private readonly timers: IntervalTimers;
  private readonly watchers = new Map<string, FSWatcher>();
  private poll: unknown;
  private settle: unknown;
  private running: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(private readonly opts: FolderWatchOptions) {
    this.timers = opts.timers ?? backgroundTimers;
  }

  start(): void {
    if (this.disposed || this.poll !== undefined) return;
    this.attach();
    this.poll = this.timers.setInterval(() => {
      this.attach();
      this.run('poll');
    }, this.opts.pollMs ?? 1000);
  }

  /** Resolves once the checks started so far are done. */
  idle(): Promise<void> {
    return this.running;
  }

  private attach(): void {
    const watch = this.opts.watch ?? ((dir, listener) => fsWatch(dir, { persistent: false }, listener));
    for (const dir of this.opts.dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, (_event, name) => {
          if (this.opts.matches?.(name) ?? true) this.schedule();
        });
        w.on('error', () => {
          w.close();
          this.watchers.delete(dir); // attached again at the next poll
        });
        this.watchers.set(dir, w);
      } catch {
        // not there (yet): the poll covers it and tries again
      }
    }
  }

  private schedule(): void {
    if (this.disposed) return;
    if (this.settle !== undefined) this.timers.clearTimeout(this.settle);
    this.settle = this.timers.setTimeout(() => {
      this.settle = undefined;
      this.run('event');
    }, this.opts.settleMs ?? 100);
  }

  private run(reason: FolderWatchReason): void {
    this.running = this.running.then(async () => {
      if (!this.disposed) await this.opts.check(reason);
    }).catch(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    if (this.poll !== undefined) this.timers.clearInterval(this.poll);
    if (this.settle !== undefined) this.timers.clearTimeout(this.settle);
  }
}
