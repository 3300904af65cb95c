// Claude Code's own limit figures as they arrive: watches the bridge's statusLine records (the folder,
// with a poll as the floor) and keeps the newest record.
import { Emitter, type Disposable, type Event, type ListenerErrorLog } from '../base/event';
import { FolderWatch } from '../base/folderWatch';
import type { IntervalTimers } from '../base/timers';
import { readStatusLineRecords, type RecordCache, type StatusLineRecord } from './bridgeRecords';
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
  private readonly folders: FolderWatch;
  private readonly cache: RecordCache = new Map();
  private newest: StatusLineRecord | null = null;
  private disposed = false;

  constructor(private readonly opts: ExactUsageFeedOptions) {
    this.changed = new Emitter<void>(opts.log);
    this.onDidChange = this.changed.event;
    this.folders = new FolderWatch({ dirs: [opts.layout.statusLineRecords], check: () => this.read(), timers: opts.timers, pollMs: opts.pollMs });
  }

  /** The newest record of any Claude Code process, or null. */
  get latest(): StatusLineRecord | null {
    return this.newest;
  }

  async start(): Promise<void> {
    await this.read();
    if (!this.disposed) this.folders.start();
  }

  /** A stat per record; only a file that changed is read again. */
  private async read(): Promise<void> {
    if (this.disposed) return;
    const { records } = await readStatusLineRecords(this.opts.layout, this.cache);
    const top = records[0] ?? null;
    if (top === null || top === this.newest) return;
    this.newest = top;
    if (!this.disposed) this.changed.fire();
  }

  dispose(): void {
    this.disposed = true;
    this.folders.dispose();
    this.changed.dispose();
  }
}
