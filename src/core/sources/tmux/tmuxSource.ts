// Watches every pane of a tmux server that runs Claude Code and classifies what it shows.
//
// Life cycle:
//  - connected: one read-only control-mode client per session streams pane output (paneFeeds.ts)
//    into the pane's ScreenWatcher; structural notifications (windows, layouts, sessions) and client
//    exits trigger a re-list. No timers, except one short re-check of a non-Claude pane whose
//    program may just have become Claude, and while a pane's output streams, one deferred look
//    (output that may draw a limit line is looked at at once, other output at most every 100 ms).
//  - waiting: no server answers. The socket directory is watched (serverWaiter.ts), with no timers
//    where it can be.
//  - unavailable: tmux itself cannot be run. Nothing runs until rescan().
//  - polling fallback: sessions where control mode is unavailable (tmux < 1.8, or the attach
//    fails) are read with capture-pane on a backing-off interval (paneFeeds.ts).

import { localTimeContext } from '../../detection/timeZone';
import type { ComponentLogger } from '../../base/logger';
import { nodeTimers, type Timers } from '../../base/timers';
import { ScreenWatcher, type CpuBudget } from '../../screen/screenWatcher';
import type { Classification, TimeContext } from '../../detection/types';
import { ClaudeMatcher, DEFAULT_MATCHER, LIST_PANES_FORMAT, PaneInfo, ProcReader, isClaudePane, paneTarget, parsePaneList } from './discovery';
import { PaneFeeds, type WatchedPane } from './paneFeeds';
import { ServerWaiter } from './serverWaiter';
import { SpawnFn, TmuxRunner, TmuxSocket, defaultSpawn, socketPath } from './tmuxProcess';

export type TmuxSourceState = 'starting' | 'connected' | 'waiting' | 'unavailable' | 'disposed';

export type TmuxSourceEvent =
  | { readonly type: 'paneAdded'; readonly paneId: string; readonly target: string; readonly size: { readonly cols: number; readonly rows: number } }
  | { readonly type: 'paneRemoved'; readonly paneId: string }
  | { readonly type: 'verdict'; readonly paneId: string; readonly classification: Classification; readonly at: Date }
  | { readonly type: 'state'; readonly state: TmuxSourceState }
  | { readonly type: 'error'; readonly error: Error };

export interface TmuxSourceOptions {
  /** Default: the default server (`-L default`, i.e. $TMUX_TMPDIR/tmux-<uid>/default), whatever $TMUX says. */
  readonly socket?: TmuxSocket;
  readonly tmuxPath?: string;
  readonly matcher?: Partial<ClaudeMatcher>;
  readonly timeContext?: () => TimeContext;
  readonly spawn?: SpawnFn;
  readonly logger?: ComponentLogger;
  readonly timers?: Timers;
  /** Root of the process table; null disables process-tree matching (only pane_current_command is used). */
  readonly procRoot?: string | null;
  /** A non-Claude pane that prints is checked again at most this often (ms). */
  readonly recheckMs?: number;
  /** Backing-off interval of the server poll used when no directory can be watched. */
  readonly serverPollMs?: { readonly min: number; readonly max: number };
  /** Backing-off interval of capture-pane polling where control mode is unavailable. */
  readonly capturePollMs?: { readonly min: number; readonly max: number };
  /** Force the capture-pane fallback (tests, or tmux builds whose control mode misbehaves). */
  readonly forcePolling?: boolean;
  /** CPU budget of each pane's screen (ScreenWatcher); default DEFAULT_CPU_BUDGET. */
  readonly screenBudget?: CpuBudget;
}

export type TmuxSourceListener = (event: TmuxSourceEvent) => void;

export class TmuxSource {
  private readonly runner: TmuxRunner;
  private readonly matcher: ClaudeMatcher;
  private readonly proc: ProcReader | null;
  private readonly timers: Timers;
  private readonly timeContext: () => TimeContext;
  private readonly log: ComponentLogger | undefined;
  private readonly socketFile: string;
  private readonly recheckMs: number;
  private readonly screenBudget: CpuBudget | undefined;
  private readonly feeds: PaneFeeds;
  private readonly waiter: ServerWaiter;

  private state: TmuxSourceState = 'starting';
  private readonly panes = new Map<string, WatchedPane>();
  /** Non-Claude panes and when they were last checked. */
  private readonly others = new Map<string, { info: PaneInfo; checkedAt: number }>();

  private scanning = false;
  private scanAgain = false;
  private recheckTimer: unknown = null;
  /** Non-Claude panes that printed since the last re-check. */
  private readonly printed = new Set<string>();

  constructor(
    options: TmuxSourceOptions,
    private readonly listener: TmuxSourceListener,
  ) {
    const tmux = options.tmuxPath ?? 'tmux';
    const spawn = options.spawn ?? defaultSpawn;
    const socket = options.socket ?? { name: 'default' };
    this.runner = new TmuxRunner(tmux, socket, spawn);
    this.socketFile = socketPath(socket);
    this.matcher = {
      commandPatterns: options.matcher?.commandPatterns ?? DEFAULT_MATCHER.commandPatterns,
      commandLinePatterns: options.matcher?.commandLinePatterns ?? DEFAULT_MATCHER.commandLinePatterns,
    };
    const procReader = options.procRoot === null ? null : new ProcReader(options.procRoot ?? '/proc');
    this.proc = procReader !== null && procReader.available ? procReader : null;
    this.timers = options.timers ?? nodeTimers;
    this.timeContext = options.timeContext ?? (() => localTimeContext());
    this.log = options.logger;
    this.recheckMs = options.recheckMs ?? 1000;
    this.screenBudget = options.screenBudget;
    this.feeds = new PaneFeeds({
      runner: this.runner,
      tmux,
      spawn,
      timers: this.timers,
      log: this.log,
      capturePollMs: { min: options.capturePollMs?.min ?? 500, max: options.capturePollMs?.max ?? 8000 },
      forcePolling: options.forcePolling === true,
      panes: this.panes,
      disposed: () => this.disposed(),
      rescan: () => this.rescan(),
      otherOutput: (paneId) => {
        if (!this.others.has(paneId)) return false;
        this.noteOtherOutput(paneId);
        return true;
      },
      error: (err) => this.emitError(err),
    });
    this.waiter = new ServerWaiter({
      socketFile: this.socketFile,
      timers: this.timers,
      pollMs: { min: options.serverPollMs?.min ?? 1000, max: options.serverPollMs?.max ?? 60_000 },
      rescan: () => this.rescan(),
      waiting: () => this.state === 'waiting',
    });
  }

  get currentState(): TmuxSourceState {
    return this.state;
  }

  /** Ids of the panes currently watched as Claude Code. */
  watchedPanes(): string[] {
    return [...this.panes.keys()];
  }

  /** Starts after the current task: the first listing spawns tmux, which the caller (activation) need not wait for. */
  start(): void {
    setImmediate(() => this.rescan());
  }

  /** The visible lines of a watched pane's screen; undefined when the pane is not watched. */
  paneLines(paneId: string): string[] | undefined {
    return this.panes.get(paneId)?.screen.visibleLines();
  }

  /**
   * Whether a watched pane runs Claude Code right now (listed again, not from the last scan):
   * its program may have exited back to the shell since.
   */
  async paneRunsClaude(paneId: string): Promise<boolean> {
    if (!this.panes.has(paneId)) return false;
    const r = await this.runner.run(['list-panes', '-a', '-F', LIST_PANES_FORMAT]);
    if (r.code !== 0) return false;
    const info = parsePaneList(r.stdout).find((p) => p.paneId === paneId);
    return info !== undefined && !info.dead && isClaudePane(info, this.matcher, this.proc);
  }

  /**
   * Types into a watched pane with a plain `tmux send-keys` of its own (the control clients are
   * read-only): literal text with -l, or one key by name. False when tmux refused or the pane is not watched.
   */
  async sendKeys(paneId: string, input: { readonly text: string } | { readonly key: 'Enter' }): Promise<boolean> {
    if (!this.panes.has(paneId)) return false;
    const args = 'text' in input ? ['send-keys', '-t', paneId, '-l', input.text] : ['send-keys', '-t', paneId, input.key];
    const r = await this.runner.run(args);
    return r.code === 0;
  }

  /** Lists panes again now (coalesced with a list already running). */
  rescan(): void {
    if (this.state === 'disposed') return;
    if (this.scanning) {
      this.scanAgain = true;
      return;
    }
    this.scanning = true;
    void this.scanLoop();
  }

  dispose(): void {
    if (this.state === 'disposed') return;
    this.setState('disposed');
    this.waiter.stop();
    this.clearRecheck();
    this.feeds.stop();
    for (const p of this.panes.values()) p.screen.dispose();
    this.panes.clear();
    this.others.clear();
  }

  // ---- listing ----

  private async scanLoop(): Promise<void> {
    try {
      do {
        this.scanAgain = false;
        await this.scanOnce();
      } while (this.scanAgain && this.state !== 'disposed');
    } catch (err) {
      this.emitError(err);
    } finally {
      this.scanning = false;
    }
  }

  private async scanOnce(): Promise<void> {
    await this.feeds.prepare();
    if (this.disposed()) return;
    const r = await this.runner.run(['list-panes', '-a', '-F', LIST_PANES_FORMAT]);
    if (this.disposed()) return;
    if (r.spawnError !== null) {
      this.feeds.forgetVersion();
      this.serverGone();
      this.setState('unavailable');
      this.emitError(new Error(`tmux could not be run: ${r.spawnError.message}`));
      return;
    }
    if (r.code !== 0) {
      this.log?.debug(`no tmux server at ${this.socketFile}: ${r.stderr.trim()}`);
      this.serverGone();
      this.setState('waiting');
      this.waiter.watch();
      return;
    }
    this.waiter.stop();
    this.setState('connected');
    this.apply(parsePaneList(r.stdout));
  }

  private apply(list: PaneInfo[]): void {
    const now = Date.now();
    const seen = new Set<string>();
    const sessionIds = new Set(list.map((p) => p.sessionId));
    for (const info of list) {
      // A window linked into several sessions lists its panes once per session; the first owns them.
      if (seen.has(info.paneId)) continue;
      seen.add(info.paneId);
      const watched = this.panes.get(info.paneId);
      if (watched !== undefined) {
        if (info.dead) {
          this.removePane(info.paneId);
          continue;
        }
        if (info.cols !== watched.info.cols || info.rows !== watched.info.rows) watched.screen.resize(info.cols, info.rows);
        watched.info = info;
        continue;
      }
      const other = this.others.get(info.paneId);
      const stale = other === undefined || now - other.checkedAt >= this.recheckMs || other.info.currentCommand !== info.currentCommand;
      if (!stale) {
        other.info = info;
        continue;
      }
      if (isClaudePane(info, this.matcher, this.proc)) {
        this.others.delete(info.paneId);
        this.addPane(info);
      } else {
        this.others.set(info.paneId, { info, checkedAt: now });
      }
    }
    for (const id of [...this.panes.keys()]) if (!seen.has(id)) this.removePane(id);
    for (const id of [...this.others.keys()]) if (!seen.has(id)) this.others.delete(id);

    this.feeds.sync(sessionIds);
  }

  private addPane(info: PaneInfo): void {
    const pane: WatchedPane = {
      info,
      screen: new ScreenWatcher({
        screen: { cols: info.cols, rows: info.rows },
        timeContext: this.timeContext,
        timers: this.timers,
        onVerdict: (classification, at) => this.emit({ type: 'verdict', paneId: info.paneId, classification, at }),
        onError: (err) => this.emitError(err),
        // The screen was reset after a burst too costly to render: redraw it from a capture.
        onResume: () => this.feeds.reseed(pane),
        logger: this.log,
        name: `pane ${info.paneId}`,
        budget: this.screenBudget,
      }),
      seeding: true,
      lastCapture: null,
    };
    this.panes.set(info.paneId, pane);
    this.log?.info(`watching ${paneTarget(info)} (${info.paneId})`);
    this.emit({ type: 'paneAdded', paneId: info.paneId, target: paneTarget(info), size: { cols: info.cols, rows: info.rows } });
  }

  private removePane(paneId: string): void {
    const pane = this.panes.get(paneId);
    if (pane === undefined) return;
    this.panes.delete(paneId);
    pane.screen.dispose();
    this.log?.info(`pane ${paneId} gone`);
    this.emit({ type: 'paneRemoved', paneId });
  }

  private serverGone(): void {
    this.feeds.stop();
    for (const id of [...this.panes.keys()]) this.removePane(id);
    this.others.clear();
    this.printed.clear();
    this.clearRecheck();
  }

  // ---- panes that are not Claude Code (yet) ----

  /** Output from a non-Claude pane: its program may have just become Claude Code. */
  private noteOtherOutput(paneId: string): void {
    this.printed.add(paneId);
    if (this.recheckTimer !== null) return;
    this.recheckTimer = this.timers.setTimeout(() => this.recheckPrinted(), this.recheckMs);
  }

  // With /proc the check costs a few file reads and no tmux call; without it, tmux's
  // pane_current_command is the only evidence, so the panes are listed again.
  private recheckPrinted(): void {
    this.recheckTimer = null;
    const ids = [...this.printed];
    this.printed.clear();
    let found = this.proc === null;
    for (const id of ids) {
      const other = this.others.get(id);
      if (other !== undefined && this.proc !== null && isClaudePane(other.info, this.matcher, this.proc)) {
        this.others.delete(id); // listed as new by the next scan
        found = true;
      }
    }
    if (found) this.rescan();
  }

  private clearRecheck(): void {
    if (this.recheckTimer !== null) this.timers.clearTimeout(this.recheckTimer);
    this.recheckTimer = null;
  }

  // ---- plumbing ----

  private disposed(): boolean {
    return this.state === 'disposed';
  }

  private setState(state: TmuxSourceState): void {
    if (this.state === state || this.state === 'disposed') return;
    this.state = state;
    this.emit({ type: 'state', state });
  }

  private emitError(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.log?.error('tmux source', error);
    this.emit({ type: 'error', error });
  }

  private emit(event: TmuxSourceEvent): void {
    try {
      this.listener(event);
    } catch (err) {
      // A failing listener must not break the source's own bookkeeping.
      this.log?.error('tmux source listener failed', err);
    }
  }
}
