// Notices a change of the live login made by anything else (another window, the CLI, `/login` inside
// Claude Code) within a second. The credentials file and `.claude.json` are replaced by rename, so
// their folders are watched, not the files; a stat poll once a second is the floor where watching
// misses events (network file systems, a folder created later). The macOS Keychain item is polled
// by its modification date, read without the secret. A change is reported only when what
// the files say differs (the fingerprint the owner computes), not on every rewrite of `.claude.json`.
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { Emitter, type Disposable, type Event, type ListenerErrorLog } from '../base/event';
import { backgroundTimers, type IntervalTimers } from '../base/timers';

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
  private readonly timers: IntervalTimers;
  private readonly watchers: FSWatcher[] = [];
  private readonly stats = new Map<string, string>();
  private poll: unknown;
  private settle: unknown;
  private last: string | null = null;
  private lastChangeKey = '';
  private checking: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(private readonly opts: LiveLoginWatcherOptions) {
    this.changed = new Emitter<void>(opts.log);
    this.onDidChange = this.changed.event;
    this.timers = opts.timers ?? backgroundTimers;
  }

  /** Reads the starting point, then watches. */
  async start(): Promise<void> {
    this.last = await this.safeFingerprint();
    for (const f of this.opts.files) this.stats.set(f, await statKey(f));
    this.lastChangeKey = await this.safeChangeKey();
    if (this.disposed) return;
    const names = new Set(this.opts.files.map((f) => path.basename(f)));
    const watch = this.opts.watch ?? ((dir, listener) => fsWatch(dir, { persistent: false }, listener));
    for (const dir of new Set(this.opts.files.map((f) => path.dirname(f)))) {
      try {
        const w = watch(dir, (_event, file) => {
          if (file === null || names.has(file) || [...names].some((n) => file.startsWith(`${n}.`))) this.schedule();
        });
        w.on('error', () => undefined); // the poll still covers it
        this.watchers.push(w);
      } catch {
        // a missing folder: the poll notices when the file appears
      }
    }
    this.poll = this.timers.setInterval(() => void this.pollOnce(), this.opts.pollMs ?? LIVE_LOGIN_POLL_MS);
  }

  private schedule(): void {
    if (this.disposed) return;
    if (this.settle !== undefined) this.timers.clearTimeout(this.settle);
    this.settle = this.timers.setTimeout(() => {
      this.settle = undefined;
      this.check();
    }, this.opts.settleMs ?? 100);
  }

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
    if (moved) this.check();
  }

  private async safeChangeKey(): Promise<string> {
    try {
      return (await this.opts.changeKey?.()) ?? '';
    } catch {
      return 'unreadable';
    }
  }

  /** One check at a time, in order, so two quick changes are both compared against what came before. */
  private check(): void {
    this.checking = this.checking.then(async () => {
      if (this.disposed) return;
      const now = await this.safeFingerprint();
      if (now === this.last) return;
      this.last = now;
      if (!this.disposed) this.changed.fire();
    });
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
    return this.checking;
  }

  dispose(): void {
    this.disposed = true;
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
    if (this.poll !== undefined) this.timers.clearInterval(this.poll);
    if (this.settle !== undefined) this.timers.clearTimeout(this.settle);
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
