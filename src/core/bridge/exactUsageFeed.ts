// Claude Code's own limit figures as they arrive: watches the bridge's statusLine records (the folder,
// with a stat poll as the floor, as the live-login watcher does) and keeps the newest record.
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { Emitter, type Disposable, type Event, type ListenerErrorLog } from '../base/event';
import { backgroundTimers, type IntervalTimers } from '../base/timers';
import { readStatusLineRecords, type StatusLineRecord } from './bridgeRecords';
import type { BridgeLayout } from './bridgeShims';

export interface ExactUsageFeedOptions {
  readonly layout: Pick<BridgeLayout, 'statusLineRecords'>;
  readonly timers?: IntervalTimers;
  readonly pollMs?: number;
  readonly log?: ListenerErrorLog;
}

export class ExactUsageFeed implements Disposable {
  private readonly changed: Emitter<void>;
  /** Fires when a newer record arrived. */
  readonly onDidChange: Event<void>;
  private readonly timers: IntervalTimers;
  private watcher: FSWatcher | undefined;
  private poll: unknown;
  private newest: StatusLineRecord | null = null;
  private reading: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(private readonly opts: ExactUsageFeedOptions) {
    this.changed = new Emitter<void>(opts.log);
    this.onDidChange = this.changed.event;
    this.timers = opts.timers ?? backgroundTimers;
  }

  /** The newest record of any Claude Code process, or null. */
  get latest(): StatusLineRecord | null {
    return this.newest;
  }

  async start(): Promise<void> {
    await this.read();
    if (this.disposed) return;
    try {
      this.watcher = fsWatch(this.opts.layout.statusLineRecords, { persistent: false }, () => void this.refresh());
      this.watcher.on('error', () => undefined); // the poll still covers it
    } catch {
      // no folder yet (the bridge is not installed): the poll notices when it appears
    }
    this.poll = this.timers.setInterval(() => void this.refresh(), this.opts.pollMs ?? 1000);
  }

  /** Reads again (one read at a time). */
  refresh(): Promise<void> {
    this.reading = this.reading.then(() => this.read()).catch(() => undefined);
    return this.reading;
  }

  private async read(): Promise<void> {
    if (this.disposed) return;
    const { records } = await readStatusLineRecords(this.opts.layout);
    const top = records[0] ?? null;
    const before = this.newest;
    if (top === null || (before !== null && top.observedAt.getTime() === before.observedAt.getTime() && top.pid === before.pid)) return;
    this.newest = top;
    if (!this.disposed) this.changed.fire();
  }

  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    if (this.poll !== undefined) this.timers.clearInterval(this.poll);
    this.changed.dispose();
  }
}
