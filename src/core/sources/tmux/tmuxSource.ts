// Watches every pane of a tmux server that runs Claude Code and classifies what it shows.
//
// Life cycle:
//  - connected: one read-only control-mode client per session streams pane output; structural
//    notifications (windows, layouts, sessions) and client exits trigger a re-list. No timers,
//    except one short re-check of a non-Claude pane whose program may just have become Claude, and
//    while a pane's output streams, one deferred look (LookScheduler: output that may draw a limit
//    line is looked at at once, other output at most every 100 ms).
//  - waiting: no server answers. The socket directory is watched (fs.watch, no timers); when it does
//    not exist its parent is watched instead; only when neither can be watched does a backing-off
//    existence poll run. tmux leaves a stale socket file after kill-server, so every event leads to
//    a re-list rather than a check of the file.
//  - unavailable: tmux itself cannot be run. Nothing runs until rescan().
//  - polling fallback: sessions where control mode is unavailable (tmux < 1.8, or the attach
//    fails) are read with capture-pane on a backing-off interval.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ComponentLogger } from '../../base/logger';
import { nodeTimers, type Timers } from '../../base/timers';
import { LookScheduler } from '../../screen/lookScheduler';
import { ScreenClassifier } from '../../screen/screenClassifier';
import { Classification, TimeContext } from '../../detection/types';
import { ControlEvent } from './controlModeParser';
import { ClaudeMatcher, DEFAULT_MATCHER, LIST_PANES_FORMAT, PaneInfo, ProcReader, isClaudePane, paneTarget, parsePaneList } from './discovery';
import { ControlClient, SpawnFn, TmuxRunner, TmuxSocket, defaultSpawn, socketPath } from './tmuxProcess';

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
}

export type TmuxSourceListener = (event: TmuxSourceEvent) => void;

interface WatchedPane {
  info: PaneInfo;
  readonly screen: ScreenClassifier;
  /** Spaces the looks of streaming output; output that may draw a limit line is looked at at once. */
  readonly looks: LookScheduler;
  /** Output before the seed capture is already part of the capture, so it is dropped until then. */
  seeding: boolean;
  looking: boolean;
  lookAgain: boolean;
  /** Last capture in polling mode, to skip unchanged screens. */
  lastCapture: string | null;
}

interface SessionLink {
  readonly id: string;
  client: ControlClient | null;
  /** The attach failed before tmux answered it: read this session by polling. */
  polling: boolean;
}

function defaultTimeContext(): TimeContext {
  return { now: new Date(), timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone };
}

export class TmuxSource {
  private readonly runner: TmuxRunner;
  private readonly tmux: string;
  private readonly spawnFn: SpawnFn;
  private readonly matcher: ClaudeMatcher;
  private readonly proc: ProcReader | null;
  private readonly timers: Timers;
  private readonly timeContext: () => TimeContext;
  private readonly log: ComponentLogger | undefined;
  private readonly socketFile: string;
  private readonly recheckMs: number;
  private readonly serverPoll: { min: number; max: number };
  private readonly capturePoll: { min: number; max: number };

  private state: TmuxSourceState = 'starting';
  private readonly panes = new Map<string, WatchedPane>();
  /** Non-Claude panes and when they were last checked. */
  private readonly others = new Map<string, { info: PaneInfo; checkedAt: number }>();
  private readonly sessions = new Map<string, SessionLink>();
  private attachFlags: string[] | null = null;
  private controlMode = true;

  private scanning = false;
  private scanAgain = false;
  private recheckTimer: unknown = null;
  private watcher: fs.FSWatcher | null = null;
  private watchedDir: string | null = null;
  private serverPollTimer: unknown = null;
  private serverPollDelay: number;
  private captureTimer: unknown = null;
  private capturing = false;
  private captureDelay: number;
  /** Non-Claude panes that printed since the last re-check. */
  private readonly printed = new Set<string>();

  constructor(
    options: TmuxSourceOptions,
    private readonly listener: TmuxSourceListener,
  ) {
    this.tmux = options.tmuxPath ?? 'tmux';
    this.spawnFn = options.spawn ?? defaultSpawn;
    const socket = options.socket ?? { name: 'default' };
    this.runner = new TmuxRunner(this.tmux, socket, this.spawnFn);
    this.socketFile = socketPath(socket);
    this.matcher = {
      commandPatterns: options.matcher?.commandPatterns ?? DEFAULT_MATCHER.commandPatterns,
      commandLinePatterns: options.matcher?.commandLinePatterns ?? DEFAULT_MATCHER.commandLinePatterns,
    };
    const procReader = options.procRoot === null ? null : new ProcReader(options.procRoot ?? '/proc');
    this.proc = procReader !== null && procReader.available ? procReader : null;
    this.timers = options.timers ?? nodeTimers;
    this.timeContext = options.timeContext ?? defaultTimeContext;
    this.log = options.logger;
    this.recheckMs = options.recheckMs ?? 1000;
    this.serverPoll = { min: options.serverPollMs?.min ?? 1000, max: options.serverPollMs?.max ?? 60_000 };
    this.capturePoll = { min: options.capturePollMs?.min ?? 500, max: options.capturePollMs?.max ?? 8000 };
    this.serverPollDelay = this.serverPoll.min;
    this.captureDelay = this.capturePoll.min;
    if (options.forcePolling === true) this.controlMode = false;
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
    this.stopWaiting();
    this.clearTimer('recheckTimer');
    this.clearTimer('captureTimer');
    for (const s of this.sessions.values()) this.detach(s);
    this.sessions.clear();
    for (const p of this.panes.values()) {
      p.looks.dispose();
      p.screen.dispose();
    }
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
    if (this.attachFlags === null) {
      const v = await this.runner.version();
      if (this.state === 'disposed') return;
      if (v === null) {
        this.log?.warn('tmux -V gave no version; assuming a current tmux');
      } else if (v.major < 1 || (v.major === 1 && v.minor < 8)) {
        this.controlMode = false; // control mode arrived in 1.8
      }
      // attach -f arrived in 3.2; before it, -r is the read-only switch.
      const modern = v === null || v.major > 3 || (v.major === 3 && v.minor >= 2);
      this.attachFlags = modern ? ['-f', 'read-only,ignore-size'] : ['-r'];
    }
    const r = await this.runner.run(['list-panes', '-a', '-F', LIST_PANES_FORMAT]);
    if (this.state === 'disposed') return;
    if (r.spawnError !== null) {
      this.attachFlags = null;
      this.serverGone();
      this.setState('unavailable');
      this.emitError(new Error(`tmux could not be run: ${r.spawnError.message}`));
      return;
    }
    if (r.code !== 0) {
      this.log?.debug(`no tmux server at ${this.socketFile}: ${r.stderr.trim()}`);
      this.serverGone();
      this.enterWaiting();
      return;
    }
    this.stopWaiting();
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

    for (const [id, link] of this.sessions) {
      if (!sessionIds.has(id)) {
        this.detach(link);
        this.sessions.delete(id);
      }
    }
    for (const id of sessionIds) {
      let link = this.sessions.get(id);
      if (link === undefined) {
        link = { id, client: null, polling: !this.controlMode };
        this.sessions.set(id, link);
      }
      if (!link.polling && (link.client === null || link.client.isClosed)) this.attach(link);
    }
    this.seedPending();
    this.updateCapturePolling();
  }

  private addPane(info: PaneInfo): void {
    const pane: WatchedPane = {
      info,
      screen: new ScreenClassifier({ cols: info.cols, rows: info.rows }),
      looks: new LookScheduler(() => this.lookAt(pane), { timers: this.timers }),
      seeding: true,
      looking: false,
      lookAgain: false,
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
    pane.looks.dispose();
    pane.screen.dispose();
    this.log?.info(`pane ${paneId} gone`);
    this.emit({ type: 'paneRemoved', paneId });
  }

  private serverGone(): void {
    for (const s of this.sessions.values()) this.detach(s);
    this.sessions.clear();
    for (const id of [...this.panes.keys()]) this.removePane(id);
    this.others.clear();
    this.printed.clear();
    this.clearTimer('recheckTimer');
    this.clearTimer('captureTimer');
  }

  // ---- control mode ----

  private detach(link: SessionLink): void {
    const client = link.client;
    link.client = null; // its exit is expected, not a reason to list again
    client?.close();
  }

  private attach(link: SessionLink): void {
    let ready = false;
    const client = new ControlClient(
      this.runner,
      this.tmux,
      this.spawnFn,
      link.id,
      this.attachFlags ?? ['-r'],
      (events) => {
        ready = true;
        this.onControlEvents(link, events);
      },
      (code, stderr) => {
        if (this.state === 'disposed' || link.client !== client) return;
        link.client = null;
        this.log?.debug(`control client for ${link.id} exited (${code ?? 'signal'})${stderr !== '' ? `: ${stderr}` : ''}`);
        // An attach refused outright, while the session still exists, means control mode does not work here.
        if (!ready && code !== 0 && !/can't find session|no server running|error connecting|server exited/i.test(stderr)) {
          link.polling = true;
          this.log?.warn(`control mode unavailable for session ${link.id}; polling it`);
        }
        this.rescan();
      },
    );
    link.client = client;
  }

  private onControlEvents(link: SessionLink, events: ControlEvent[]): void {
    const touched = new Set<WatchedPane>();
    let structural = false;
    let unknownOutput = false;
    for (const e of events) {
      switch (e.type) {
        case 'output': {
          const pane = this.panes.get(e.paneId);
          if (pane === undefined) {
            if (this.others.has(e.paneId)) this.noteOtherOutput(e.paneId);
            else unknownOutput = true;
            break;
          }
          if (pane.info.sessionId !== link.id || pane.seeding) break;
          pane.screen.write(e.data);
          touched.add(pane);
          break;
        }
        case 'window-add':
        case 'window-close':
        case 'unlinked-window-close':
        case 'layout-change':
        case 'sessions-changed':
        case 'session-changed':
          structural = true;
          break;
        case 'exit':
          // The close handler re-lists once the process has gone.
          break;
        default:
          break;
      }
    }
    for (const pane of touched) if (pane.looks.due(pane.screen.urgent)) this.lookAt(pane);
    if (structural || unknownOutput) this.rescan();
  }

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

  private seedPending(): void {
    for (const pane of this.panes.values()) {
      if (!pane.seeding) continue;
      const link = this.sessions.get(pane.info.sessionId);
      if (link === undefined || link.polling || link.client === null) continue;
      void this.seed(pane, link.client);
    }
  }

  // Marks the pane as being seeded before the command is sent, so nothing is written twice.
  private readonly seedsInFlight = new Set<WatchedPane>();

  private async seed(pane: WatchedPane, client: ControlClient): Promise<void> {
    if (this.seedsInFlight.has(pane)) return;
    this.seedsInFlight.add(pane);
    const id = pane.info.paneId;
    try {
      // One line: tmux runs both commands back to back, so the capture and the cursor match and
      // every %output after the replies is newer than the capture.
      const replies = await client.command(
        `capture-pane -p -e -J -t ${id} ; display-message -p -t ${id} "#{cursor_x} #{cursor_y}"`,
        2,
      );
      if (this.panes.get(id) !== pane) return;
      const [capture, cursor] = replies;
      if (capture?.ok === true && cursor?.ok === true) {
        const text = Buffer.concat(capture.lines.flatMap((l) => [l, Buffer.from('\n')])).toString('utf8');
        const [x, y] = Buffer.concat(cursor.lines).toString('latin1').trim().split(' ').map(Number);
        pane.screen.write(seedBytes(text, Number.isFinite(x) ? x : 0, Number.isFinite(y) ? y : 0));
      } else if (!client.isClosed) {
        this.log?.debug(`seed capture of ${id} failed; starting from live output`);
      }
      // A closed client leaves seeding on; the re-list after its exit attaches and seeds again.
      if (!client.isClosed) {
        pane.seeding = false;
        this.lookAt(pane);
      }
    } finally {
      this.seedsInFlight.delete(pane);
    }
  }

  private lookAt(pane: WatchedPane): void {
    if (pane.looking) {
      pane.lookAgain = true;
      return;
    }
    pane.looking = true;
    void this.lookLoop(pane);
  }

  private async lookLoop(pane: WatchedPane): Promise<void> {
    try {
      do {
        pane.lookAgain = false;
        const ctx = this.timeContext();
        const c = await pane.screen.look(ctx);
        if (this.panes.get(pane.info.paneId) !== pane) return;
        if (c.verdict !== 'none') this.emit({ type: 'verdict', paneId: pane.info.paneId, classification: c, at: ctx.now });
      } while (pane.lookAgain);
    } catch (err) {
      this.emitError(err);
    } finally {
      pane.looking = false;
    }
  }

  // ---- capture-pane fallback ----

  private updateCapturePolling(): void {
    const needed = [...this.panes.values()].some((p) => this.sessions.get(p.info.sessionId)?.polling === true);
    if (!needed) {
      this.clearTimer('captureTimer');
      this.captureDelay = this.capturePoll.min;
      return;
    }
    if (this.captureTimer === null && !this.capturing) {
      this.captureTimer = this.timers.setTimeout(() => void this.pollCaptures(), 0);
    }
  }

  private async pollCaptures(): Promise<void> {
    this.captureTimer = null;
    this.capturing = true;
    try {
      await this.captureRound();
    } catch (err) {
      this.emitError(err);
    } finally {
      this.capturing = false;
    }
    if (this.state === 'disposed') return;
    // The pane list changes unnoticed without control mode, so each round lists panes again too.
    this.rescan();
    if (this.captureTimer === null && [...this.sessions.values()].some((s) => s.polling)) {
      this.captureTimer = this.timers.setTimeout(() => void this.pollCaptures(), this.captureDelay);
    }
  }

  private async captureRound(): Promise<void> {
    let changed = false;
    for (const pane of [...this.panes.values()]) {
      if (this.sessions.get(pane.info.sessionId)?.polling !== true) continue;
      const id = pane.info.paneId;
      const r = await this.runner.run(['capture-pane', '-p', '-e', '-J', '-t', id, ';', 'display-message', '-p', '-t', id, '#{cursor_x} #{cursor_y}']);
      if (this.state === 'disposed' || this.panes.get(id) !== pane || r.code !== 0) continue;
      if (r.stdout === pane.lastCapture) continue;
      pane.lastCapture = r.stdout;
      changed = true;
      const lines = r.stdout.replace(/\n$/, '').split('\n');
      const [x, y] = (lines.pop() ?? '').trim().split(' ').map(Number);
      pane.screen.write(seedBytes(lines.join('\n') + '\n', Number.isFinite(x) ? x : 0, Number.isFinite(y) ? y : 0));
      pane.seeding = false;
      this.lookAt(pane);
    }
    this.captureDelay = changed ? this.capturePoll.min : Math.min(this.captureDelay * 2, this.capturePoll.max);
  }

  // ---- waiting for a server ----

  private enterWaiting(): void {
    this.setState('waiting');
    const dir = path.dirname(this.socketFile);
    // Prefer the socket directory; without it, its parent, to see the directory appear.
    const target = fs.existsSync(dir) ? { dir, name: path.basename(this.socketFile) } : { dir: path.dirname(dir), name: path.basename(dir) };
    if (this.watcher !== null && this.watchedDir === target.dir) return;
    // Moving from the parent to the new socket directory: the socket may have appeared meanwhile.
    const moved = this.watcher !== null;
    this.closeWatcher();
    try {
      const w = fs.watch(target.dir, (_event, file) => {
        if (file === null || file.toString() === target.name) this.rescan();
      });
      w.on('error', () => {
        this.closeWatcher();
        if (this.state === 'waiting') this.scheduleServerPoll();
      });
      this.watcher = w;
      this.watchedDir = target.dir;
      this.clearTimer('serverPollTimer');
      this.serverPollDelay = this.serverPoll.min;
      if (moved && fs.existsSync(this.socketFile)) this.rescan();
    } catch {
      this.scheduleServerPoll();
    }
  }

  private scheduleServerPoll(): void {
    if (this.serverPollTimer !== null) return;
    const delay = this.serverPollDelay;
    this.serverPollDelay = Math.min(this.serverPollDelay * 2, this.serverPoll.max);
    this.serverPollTimer = this.timers.setTimeout(() => {
      this.serverPollTimer = null;
      // Cheap first: no socket file, no server (the list would fail anyway).
      if (!fs.existsSync(this.socketFile)) this.enterWaitingOrPoll();
      else this.rescan();
    }, delay);
  }

  private enterWaitingOrPoll(): void {
    if (this.state !== 'waiting') return;
    this.enterWaiting();
    if (this.watcher === null) this.scheduleServerPoll();
  }

  private stopWaiting(): void {
    this.closeWatcher();
    this.clearTimer('serverPollTimer');
    this.serverPollDelay = this.serverPoll.min;
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = null;
    this.watchedDir = null;
  }

  // ---- plumbing ----

  private clearTimer(name: 'recheckTimer' | 'captureTimer' | 'serverPollTimer'): void {
    const h = this[name];
    if (h !== null) this.timers.clearTimeout(h);
    this[name] = null;
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

/**
 * Bytes that redraw a screen from a capture: capture-pane ends rows with LF and the terminal needs
 * CR LF; the last row gets no line end (it would scroll), and the cursor goes where tmux has it.
 */
export function seedBytes(capture: string, cursorX: number, cursorY: number): string {
  const rows = capture.replace(/\n$/, '').split('\n').map((l) => l.replace(/ +$/, ''));
  while (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
  return `\x1b[0m\x1b[H\x1b[2J${rows.join('\x1b[0m\r\n')}\x1b[0m\x1b[${cursorY + 1};${cursorX + 1}H`;
}
