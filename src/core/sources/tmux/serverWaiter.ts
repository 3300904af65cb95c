// Waiting for a tmux server to answer, with no timers where possible: the socket directory is
// watched (fs.watch); when it does not exist its parent is watched instead, to see it appear; only
// when neither can be watched does a backing-off existence poll run. tmux leaves a stale socket
// file after kill-server, so every event leads to a re-list rather than a check of the file.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Timers } from '../../base/timers';

export interface ServerWaiterOptions {
  readonly socketFile: string;
  readonly timers: Timers;
  /** Backing-off interval of the poll used when no directory can be watched. */
  readonly pollMs: { readonly min: number; readonly max: number };
  /** A server may have appeared: list again. */
  readonly rescan: () => void;
  /** Whether the source is still waiting (a watch error or a poll after it has moved on does nothing). */
  readonly waiting: () => boolean;
}

export class ServerWaiter {
  private watcher: fs.FSWatcher | null = null;
  private watchedDir: string | null = null;
  private pollTimer: unknown = null;
  private pollDelay: number;

  constructor(private readonly options: ServerWaiterOptions) {
    this.pollDelay = options.pollMs.min;
  }

  /** Starts (or keeps) watching for the server's socket. */
  watch(): void {
    const socketFile = this.options.socketFile;
    const dir = path.dirname(socketFile);
    // Prefer the socket directory; without it, its parent, to see the directory appear.
    const target = fs.existsSync(dir) ? { dir, name: path.basename(socketFile) } : { dir: path.dirname(dir), name: path.basename(dir) };
    if (this.watcher !== null && this.watchedDir === target.dir) return;
    // Moving from the parent to the new socket directory: the socket may have appeared meanwhile.
    const moved = this.watcher !== null;
    this.closeWatcher();
    try {
      const w = fs.watch(target.dir, (_event, file) => {
        if (file === null || file.toString() === target.name) this.options.rescan();
      });
      w.on('error', () => {
        this.closeWatcher();
        if (this.options.waiting()) this.schedulePoll();
      });
      this.watcher = w;
      this.watchedDir = target.dir;
      this.clearPoll();
      this.pollDelay = this.options.pollMs.min;
      if (moved && fs.existsSync(socketFile)) this.options.rescan();
    } catch {
      this.schedulePoll();
    }
  }

  /** A server answered, or the source is going away. */
  stop(): void {
    this.closeWatcher();
    this.clearPoll();
    this.pollDelay = this.options.pollMs.min;
  }

  private schedulePoll(): void {
    if (this.pollTimer !== null) return;
    const delay = this.pollDelay;
    this.pollDelay = Math.min(this.pollDelay * 2, this.options.pollMs.max);
    this.pollTimer = this.options.timers.setTimeout(() => {
      this.pollTimer = null;
      // Cheap first: no socket file, no server (the list would fail anyway).
      if (!fs.existsSync(this.options.socketFile)) this.watchOrPoll();
      else this.options.rescan();
    }, delay);
  }

  private watchOrPoll(): void {
    if (!this.options.waiting()) return;
    this.watch();
    if (this.watcher === null) this.schedulePoll();
  }

  private clearPoll(): void {
    if (this.pollTimer !== null) this.options.timers.clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = null;
    this.watchedDir = null;
  }
}
