// Notices a change of the live login made by anything else (another window, the CLI, `/login` inside
// Claude Code) within a second. The credentials file and `.claude.json` are replaced by rename, so
// their folders are watched, not the files; a stat poll once a second is the floor where watching
// misses events (network file systems, a folder created later). The macOS Keychain item is polled
// by its modification date, read without the secret. A change is reported only when what
// the files say differs (the fingerprint the owner computes), not on every rewrite of `.claude.json`.
import type { FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { Emitter, type Disposable, type Event, type ListenerErrorLog } from '../base/event';
import { FolderWatch } from '../base/folderWatch';
import type { IntervalTimers } from '../base/timers';

export interface LiveLoginWatcherOptions {
  /** Files whose change may change the login or the saved profiles. */
  readonly files: readonly string[];
  /** What the files say now, as an opaque fingerprint (never a secret itself); null when unreadable. */
  readonly fingerprint: () => Promise<string | null>;
  /** Polled with the files: a store that is not a file (the macOS Keychain item's modification date). */
  readonly changeKey?: () => Promise<string>;
  readonly timers?: IntervalTimers;
  readonly pollMs?: number;
  /** Quiet time after an event before reading, so a writer's two renames are read as one change. */
  readonly settleMs?: number;
  readonly watch?: (dir: string, listener: (event: string, file: string | null) => void) => FSWatcher;
  readonly log?: ListenerErrorLog;
}

export const LIVE_LOGIN_POLL_MS = 1000;

export class LiveLoginWatcher implements Disposable {
  private readonly changed: Emitter<void>;
  /** Fires after the login or the saved profiles were changed by something else. */
  readonly onDidChange: Event<void>;
  private readonly folders: FolderWatch;
  private readonly stats = new Map<string, string>();
  private last: string | null = null;
  private lastChangeKey = '';
  private disposed = false;

  constructor(private readonly opts: LiveLoginWatcherOptions) {
    this.changed = new Emitter<void>(opts.log);
    this.onDidChange = this.changed.event;
    const names = new Set(opts.files.map((f) => path.basename(f)));
    this.folders = new FolderWatch({
      dirs: [...new Set(opts.files.map((f) => path.dirname(f)))],
      // The file itself, or the temp file a writer renames over it.
      matches: (name) => name === null || names.has(name) || [...names].some((n) => name.startsWith(`${n}.`)),
      check: (reason) => (reason === 'poll' ? this.pollOnce() : this.check()),
      timers: opts.timers,
      pollMs: opts.pollMs ?? LIVE_LOGIN_POLL_MS,
      settleMs: opts.settleMs,
      watch: opts.watch,
    });
  }

  /** Reads the starting point, then watches. */
  async start(): Promise<void> {
    this.last = await this.safeFingerprint();
    for (const f of this.opts.files) this.stats.set(f, await statKey(f));
    this.lastChangeKey = await this.safeChangeKey();
    if (!this.disposed) this.folders.start();
  }

  /** The poll: a stat of each file (and the Keychain item's date); the fingerprint only when one moved. */
  private async pollOnce(): Promise<void> {
    let moved = false;
    for (const f of this.opts.files) {
      const key = await statKey(f);
      if (this.stats.get(f) !== key) moved = true;
      this.stats.set(f, key);
    }
    const key = await this.safeChangeKey();
    if (key !== this.lastChangeKey) moved = true;
    this.lastChangeKey = key;
    if (moved) await this.check();
  }

  private async safeChangeKey(): Promise<string> {
    try {
      return (await this.opts.changeKey?.()) ?? '';
    } catch {
      return 'unreadable';
    }
  }

  /** Compares what the files say with what they said (checks run one at a time, in order). */
  private async check(): Promise<void> {
    const now = await this.safeFingerprint();
    if (now === this.last || this.disposed) return;
    this.last = now;
    this.changed.fire();
  }

  private async safeFingerprint(): Promise<string | null> {
    try {
      return await this.opts.fingerprint();
    } catch {
      return null;
    }
  }

  /** Resolves once the checks started so far are done (for tests and orderly shutdown). */
  idle(): Promise<void> {
    return this.folders.idle();
  }

  dispose(): void {
    this.disposed = true;
    this.folders.dispose();
    this.changed.dispose();
  }
}

async function statKey(file: string): Promise<string> {
  try {
    const st = await stat(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return 'absent';
  }
}
