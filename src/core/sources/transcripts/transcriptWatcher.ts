// Watches <configDir>/projects for Claude Code transcripts and turns their new lines into signals.
// fs.watch with `recursive` is not reliable on Linux under Node 20, so each directory is watched on its
// own: projects/, every project (slug) directory, and recently active session directories (subagent
// transcripts live in projects/<slug>/<session>/subagents/). A periodic rescan catches what watch events
// miss (network filesystems, exhausted inotify watches).

import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { Emitter, type Disposable, type Event } from '../../base/event';
import { backgroundTimers, nodeTimers, type IntervalTimers } from '../../base/timers';
import type { TranscriptSignal } from './transcriptRecord';
import { TranscriptTail, type MalformedReport, type TailFs, type TailState } from './transcriptTail';

export interface TranscriptEvent {
  readonly signal: TranscriptSignal;
  /** The transcript file the line came from. */
  readonly path: string;
  readonly sessionId: string;
  readonly cwd: string | null;
}

export interface WatcherLog {
  warn(message: string): void;
  debug(message: string): void;
  /** A failing listener. */
  error(message: string, err?: unknown): void;
}

export interface TranscriptWatcherOptions {
  /** Claude Code's config directory (claudeConfigDir: CLAUDE_CONFIG_DIR or ~/.claude). */
  readonly configDir: string;
  /** Persisted tail states: these files resume at their offset (lines written meanwhile are emitted). */
  readonly offsets?: readonly TailState[];
  /** Files modified this recently at start are followed (from their end); older ones only once they change. */
  readonly recentMs?: number;
  /** A followed file unchanged this long drops its tail and keeps only its offset. */
  readonly idleMs?: number;
  /** A file unchanged this long is forgotten entirely. */
  readonly forgetMs?: number;
  /** At most this many files are remembered; the least recently changed go first. */
  readonly maxFiles?: number;
  /** At most this many directories are watched; the rest are only rescanned. */
  readonly maxWatchedDirs?: number;
  readonly debounceMs?: number;
  /** Interval of the safety-net rescan; 0 disables it. */
  readonly rescanMs?: number;
  /** Whether the watches and timers keep the process alive (like fs.watch's option). Default true. */
  readonly persistent?: boolean;
  /** Default: Node's timers, unref'd unless persistent. */
  readonly timers?: IntervalTimers;
  readonly log?: WatcherLog;
  readonly clock?: () => number;
  readonly tailFs?: TailFs;
}

interface FileEntry {
  tail: TranscriptTail | null;
  /** Used while tail is null. */
  offset: number;
  ino: number;
  lastChange: number;
}

/** projects/ is depth 0, project directories 1, session directories 2, subagents/ 3. */
const MAX_DEPTH = 3;
const DAY = 86_400_000;
const TIMESTAMP_SLACK_MS = 1000;

export class TranscriptWatcher implements Disposable {
  private readonly projectsDir: string;
  private readonly recentMs: number;
  private readonly idleMs: number;
  private readonly forgetMs: number;
  private readonly maxFiles: number;
  private readonly maxWatchedDirs: number;
  private readonly debounceMs: number;
  private readonly rescanMs: number;
  private readonly clock: () => number;
  private readonly persisted: Map<string, TailState>;
  private readonly resumed = new Set<string>();
  private readonly persistent: boolean;

  private readonly files = new Map<string, FileEntry>();
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private readonly depthOf = new Map<string, number>();
  private readonly dirtyFiles = new Set<string>();
  /** Followed files the rescan wants looked at; unlike dirtyFiles, these never revive a dropped tail. */
  private readonly polledFiles = new Set<string>();
  private readonly dirtyDirs = new Set<string>();
  private readonly signals: Emitter<TranscriptEvent>;
  private readonly filesChanged: Emitter<readonly string[]>;
  private readonly timers: IntervalTimers;
  private debounceTimer: unknown = null;
  private rescanTimer: unknown = null;
  private startedAt = 0;
  private disposed = false;
  private watchLimitWarned = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: TranscriptWatcherOptions) {
    this.projectsDir = path.join(options.configDir, 'projects');
    this.recentMs = options.recentMs ?? DAY;
    this.idleMs = options.idleMs ?? 30 * 60_000;
    this.forgetMs = options.forgetMs ?? 14 * DAY;
    this.maxFiles = options.maxFiles ?? 20_000;
    this.maxWatchedDirs = options.maxWatchedDirs ?? 2_000;
    this.debounceMs = options.debounceMs ?? 30;
    this.rescanMs = options.rescanMs ?? 30_000;
    this.clock = options.clock ?? Date.now;
    this.persistent = options.persistent ?? true;
    this.timers = options.timers ?? (this.persistent ? nodeTimers : backgroundTimers);
    this.persisted = new Map((options.offsets ?? []).map((s) => [s.path, s]));
    this.signals = new Emitter<TranscriptEvent>(options.log);
    this.onSignal = this.signals.event;
    this.filesChanged = new Emitter<readonly string[]>(options.log);
    this.onFilesChanged = this.filesChanged.event;
  }

  /** Each signal of each new transcript line. */
  readonly onSignal: Event<TranscriptEvent>;

  /**
   * After each batch of reads: the transcripts that changed (a watch event named them, or the rescan
   * found new bytes), so other readers of the same files (usage accounting) need not list them all.
   */
  readonly onFilesChanged: Event<readonly string[]>;

  /** Scans existing transcripts (without replaying them) and starts watching. */
  async start(): Promise<void> {
    this.startedAt = this.clock();
    // After the current task: setting up the watches takes milliseconds the caller (activation) need not wait for.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.disposed) return;
    // Watching the config dir notices projects/ appearing on a machine where Claude Code never ran.
    this.watchDir(this.options.configDir, -1);
    await this.scanDir(this.projectsDir, 0, true);
    if (this.disposed) return;
    if (this.rescanMs > 0) {
      this.rescanTimer = this.timers.setInterval(() => this.rescan(), this.rescanMs);
    }
    // Persisted offsets resume at once: lines written while we were not running are news.
    for (const p of this.resumed) this.dirtyFiles.add(p);
    this.resumed.clear();
    this.schedule();
  }

  /** Where every remembered file stands, for persisting. */
  states(): TailState[] {
    const out: TailState[] = [];
    for (const [p, e] of this.files) {
      out.push(e.tail !== null ? e.tail.state() : { path: p, offset: e.offset, ino: e.ino, size: e.offset });
    }
    return out;
  }

  /** Number of directories with an open fs.watch handle. */
  get watchedDirCount(): number {
    return this.watchers.size;
  }

  /** Files remembered, and how many of them currently hold a tail. */
  get fileCounts(): { readonly known: number; readonly followed: number } {
    let followed = 0;
    for (const e of this.files.values()) if (e.tail !== null) followed++;
    return { known: this.files.size, followed };
  }

  /** Resolves when the reads scheduled so far have finished (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.debounceTimer !== null || this.dirtyFiles.size > 0 || this.dirtyDirs.size > 0) {
      if (this.disposed) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await this.flushing;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.debounceTimer !== null) this.timers.clearTimeout(this.debounceTimer);
    if (this.rescanTimer !== null) this.timers.clearInterval(this.rescanTimer);
    this.debounceTimer = null;
    this.rescanTimer = null;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.depthOf.clear();
    this.dirtyFiles.clear();
    this.dirtyDirs.clear();
    this.polledFiles.clear();
    this.signals.dispose();
    this.filesChanged.dispose();
  }

  // ---- discovery ----

  private watchDir(dir: string, depth: number): void {
    if (this.disposed || this.watchers.has(dir)) return;
    if (this.watchers.size >= this.maxWatchedDirs) {
      this.warnWatchLimit(`more than ${this.maxWatchedDirs} transcript directories; the rest are rescanned every ${this.rescanMs} ms`);
      return;
    }
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(dir, { persistent: this.persistent }, (_event, name) => this.onDirEvent(dir, depth, name));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.warnWatchLimit(`cannot watch ${dir}: ${String(code ?? err)}`);
      return;
    }
    watcher.on('error', () => {
      // The directory went away (or the watch broke): drop it; the rescan picks it up if it returns.
      watcher.close();
      if (this.watchers.get(dir) === watcher) this.watchers.delete(dir);
    });
    this.watchers.set(dir, watcher);
    this.depthOf.set(dir, depth);
  }

  private onDirEvent(dir: string, depth: number, name: string | Buffer | null): void {
    if (this.disposed) return;
    const n = name === null ? null : name.toString();
    if (depth === -1) {
      if (n === null || n === 'projects') this.dirtyDirs.add(this.projectsDir);
    } else if (n !== null && n.endsWith('.jsonl')) {
      this.dirtyFiles.add(path.join(dir, n));
    } else if (depth < MAX_DEPTH) {
      // A new project or session directory, or an unnamed event: look at the directory again.
      this.dirtyDirs.add(dir);
    }
    this.schedule();
  }

  private async scanDir(dir: string, depth: number, initial: boolean): Promise<void> {
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (this.disposed) return;
    if (depth <= 1) this.watchDir(dir, depth);
    for (const ent of entries) {
      if (this.disposed) return;
      const p = path.join(dir, ent.name);
      if (ent.isFile() && ent.name.endsWith('.jsonl')) {
        if (!this.files.has(p)) await this.discoverFile(p, initial);
      } else if (ent.isDirectory() && depth < MAX_DEPTH) {
        if (depth + 1 <= 1) {
          await this.scanDir(p, depth + 1, initial);
        } else if (this.watchers.has(p) || (await this.recentlyModified(p))) {
          // Old session directories get no new subagent transcripts; watching them all would exhaust inotify.
          this.watchDir(p, depth + 1);
          await this.scanDir(p, depth + 1, initial);
        }
      }
    }
  }

  private async recentlyModified(p: string): Promise<boolean> {
    try {
      const st = await fsp.stat(p);
      return st.mtimeMs >= this.clock() - this.recentMs || st.mtimeMs >= this.startedAt;
    } catch {
      return false;
    }
  }

  private async discoverFile(p: string, initial: boolean): Promise<void> {
    let st: fs.Stats;
    try {
      st = await fsp.stat(p);
    } catch {
      return;
    }
    if (this.disposed || this.files.has(p)) return;
    const now = this.clock();
    const saved = this.persisted.get(p);
    if (saved !== undefined) {
      this.persisted.delete(p);
      this.resumed.add(p);
      this.files.set(p, { tail: this.newTail(p, saved.offset, saved.ino), offset: saved.offset, ino: saved.ino, lastChange: now });
      if (!initial) this.dirtyFiles.add(p);
      return;
    }
    // File timestamps come from a coarser clock than Date.now(); a second of slack absorbs that.
    const since = this.startedAt - TIMESTAMP_SLACK_MS;
    // Not followed and untouched since we started (e.g. forgotten history seen again by the rescan).
    if (!initial && st.mtimeMs < since) return;
    // History is not news: a file that existed before we started is followed from its end. Without a
    // birth time (some filesystems) a file first seen while running counts as new.
    const existedBefore = initial || (st.birthtimeMs > 0 && st.birthtimeMs < since);
    const offset = existedBefore ? st.size : 0;
    const follow = !initial || st.mtimeMs >= now - this.recentMs;
    if (initial && st.mtimeMs < now - this.forgetMs) return;
    this.files.set(p, {
      tail: follow ? this.newTail(p, offset, st.ino) : null,
      offset,
      ino: st.ino,
      // The file's own change time: seeing a file is not a change to it.
      lastChange: st.mtimeMs,
    });
    if (!initial) this.dirtyFiles.add(p);
  }

  private newTail(p: string, offset: number, ino: number): TranscriptTail {
    return new TranscriptTail(p, {
      offset,
      ino,
      fs: this.options.tailFs,
      clock: this.clock,
      onMalformed: (r: MalformedReport) =>
        this.options.log?.warn(`${r.count} malformed line(s) in ${r.path} (${r.total} in total), e.g. ${JSON.stringify(r.sample)}`),
    });
  }

  // ---- reading ----

  private schedule(): void {
    if (this.disposed || this.debounceTimer !== null) return;
    this.debounceTimer = this.timers.setTimeout(() => {
      this.debounceTimer = null;
      this.flushing = this.flushing.then(() => this.flush()).catch((err: unknown) => this.options.log?.warn(`transcript read failed: ${String(err)}`));
    }, this.debounceMs);
  }

  private async flush(): Promise<void> {
    const dirs = [...this.dirtyDirs];
    this.dirtyDirs.clear();
    for (const dir of dirs) {
      if (this.disposed) return;
      await this.scanDir(dir, dir === this.projectsDir ? 0 : (this.depthOf.get(dir) ?? 1), false);
    }
    const paths = [...this.dirtyFiles];
    this.dirtyFiles.clear();
    // Every file a watch event named counts, even when this tail read nothing new: a file first seen
    // (or forgotten and seen again) is followed from where it stands, after bytes other readers want.
    const changed: string[] = [];
    for (const p of paths) {
      if (this.disposed) return;
      let entry = this.files.get(p);
      if (entry === undefined) {
        await this.discoverFile(p, false);
        entry = this.files.get(p);
        // discoverFile marked it dirty again; this pass reads it.
        this.dirtyFiles.delete(p);
        if (entry === undefined) continue;
      }
      await this.read(p, entry);
      changed.push(p);
    }
    const polled = [...this.polledFiles];
    this.polledFiles.clear();
    for (const p of polled) {
      if (this.disposed) return;
      const entry = this.files.get(p);
      if (entry !== undefined && entry.tail !== null && !paths.includes(p) && (await this.read(p, entry))) changed.push(p);
    }
    if (changed.length > 0) this.filesChanged.fire(changed);
  }

  /** Reads what the file gained and emits its signals; true when it had new bytes (or started over). */
  private async read(p: string, entry: FileEntry): Promise<boolean> {
    if (entry.tail === null) entry.tail = this.newTail(p, entry.offset, entry.ino);
    const tail = entry.tail;
    const before = tail.bytesRead;
    const restarts = tail.restarts;
    let signals: TranscriptSignal[];
    try {
      signals = await tail.readNew();
    } catch (err) {
      this.options.log?.debug(`cannot read ${p}: ${String(err)}`);
      return false;
    }
    // Only new bytes count as a change; the rescan's empty reads must not keep a file alive.
    const grew = tail.bytesRead !== before || tail.restarts !== restarts;
    if (grew) entry.lastChange = this.clock();
    const fallback = path.basename(p, '.jsonl');
    for (const signal of signals) {
      if (this.disposed) return grew;
      const event: TranscriptEvent = { signal, path: p, sessionId: signal.sessionId ?? fallback, cwd: signal.cwd };
      this.signals.fire(event);
    }
    return grew;
  }

  // ---- safety net and memory bounds ----

  private rescan(): void {
    if (this.disposed) return;
    // Scanning projects/ walks the project directories and the watched session directories below it.
    this.dirtyDirs.add(this.projectsDir);
    this.prune();
    // Followed files are read even without an event; a read with nothing new costs one fstat.
    for (const [p, e] of this.files) if (e.tail !== null) this.polledFiles.add(p);
    this.schedule();
  }

  private prune(): void {
    const now = this.clock();
    for (const [p, e] of this.files) {
      if (e.tail !== null && now - e.lastChange >= this.idleMs) {
        const s = e.tail.state();
        e.offset = s.offset;
        e.ino = s.ino;
        e.tail = null;
      }
      if (e.tail === null && now - e.lastChange >= this.forgetMs) this.files.delete(p);
    }
    if (this.files.size > this.maxFiles) {
      const oldest = [...this.files.entries()].sort((a, b) => a[1].lastChange - b[1].lastChange);
      for (const [p] of oldest.slice(0, this.files.size - this.maxFiles)) this.files.delete(p);
    }
  }

  private warnWatchLimit(message: string): void {
    if (this.watchLimitWarned) return;
    this.watchLimitWarned = true;
    this.options.log?.warn(message);
  }
}
