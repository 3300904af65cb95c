// How the watched panes of a tmux server get their output: one read-only control-mode client per
// tmux session streams pane output, after a capture-pane seed of what each pane already shows;
// sessions where control mode is unavailable (tmux < 1.8, or the attach fails) are read with
// capture-pane on a backing-off interval instead.

import type { ComponentLogger } from '../../base/logger';
import type { Timers } from '../../base/timers';
import type { ScreenWatcher } from '../../screen/screenWatcher';
import type { ControlEvent } from './controlModeParser';
import type { PaneInfo } from './discovery';
import { ControlClient, type SpawnFn, type TmuxRunner } from './tmuxProcess';

export interface WatchedPane {
  info: PaneInfo;
  readonly screen: ScreenWatcher;
  /** Output before the seed capture is already part of the capture, so it is dropped until then. */
  seeding: boolean;
  /** Last capture in polling mode, to skip unchanged screens. */
  lastCapture: string | null;
}

interface SessionLink {
  readonly id: string;
  client: ControlClient | null;
  /** The attach failed before tmux answered it: read this session by polling. */
  polling: boolean;
}

export interface PaneFeedsOptions {
  readonly runner: TmuxRunner;
  readonly tmux: string;
  readonly spawn: SpawnFn;
  readonly timers: Timers;
  readonly log: ComponentLogger | undefined;
  readonly capturePollMs: { readonly min: number; readonly max: number };
  /** Never use control mode. */
  readonly forcePolling: boolean;
  /** The watched panes, by pane id (owned by the source). */
  readonly panes: ReadonlyMap<string, WatchedPane>;
  readonly disposed: () => boolean;
  /** List the panes again (the structure changed, or output came from a pane not listed). */
  readonly rescan: () => void;
  /** Output from a pane that is not watched: true when the source lists it (as not Claude Code). */
  readonly otherOutput: (paneId: string) => boolean;
  readonly error: (err: unknown) => void;
}

export class PaneFeeds {
  private readonly sessions = new Map<string, SessionLink>();
  private attachFlags: string[] | null = null;
  private controlMode: boolean;
  private captureTimer: unknown = null;
  private capturing = false;
  private captureDelay: number;
  // Marks the pane as being seeded before the command is sent, so nothing is written twice.
  private readonly seedsInFlight = new Set<WatchedPane>();

  constructor(private readonly o: PaneFeedsOptions) {
    this.controlMode = !o.forcePolling;
    this.captureDelay = o.capturePollMs.min;
  }

  /** Before the first listing (and after tmux could not be run): asks tmux its version once. */
  async prepare(): Promise<void> {
    if (this.attachFlags !== null) return;
    const v = await this.o.runner.version();
    if (v === null) {
      this.o.log?.warn('tmux -V gave no version; assuming a current tmux');
    } else if (v.major < 1 || (v.major === 1 && v.minor < 8)) {
      this.controlMode = false; // control mode arrived in 1.8
    }
    // attach -f arrived in 3.2; before it, -r is the read-only switch.
    const modern = v === null || v.major > 3 || (v.major === 3 && v.minor >= 2);
    this.attachFlags = modern ? ['-f', 'read-only,ignore-size'] : ['-r'];
  }

  /** tmux could not be run: ask its version again next time. */
  forgetVersion(): void {
    this.attachFlags = null;
  }

  /** After a listing: one client per session listed, seeds for new panes, polling where needed. */
  sync(sessionIds: ReadonlySet<string>): void {
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

  /** Redraws a pane from a capture (its screen was reset); its live output is dropped until then. */
  reseed(pane: WatchedPane): void {
    if (this.o.panes.get(pane.info.paneId) !== pane) return;
    pane.seeding = true;
    pane.lastCapture = null;
    this.seedPending();
  }

  /** Closes every client and stops polling (the server is gone, or the source is). */
  stop(): void {
    for (const s of this.sessions.values()) this.detach(s);
    this.sessions.clear();
    if (this.captureTimer !== null) this.o.timers.clearTimeout(this.captureTimer);
    this.captureTimer = null;
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
      this.o.runner,
      this.o.tmux,
      this.o.spawn,
      link.id,
      this.attachFlags ?? ['-r'],
      (events) => {
        ready = true;
        this.onControlEvents(link, events);
      },
      (code, stderr) => {
        if (this.o.disposed() || link.client !== client) return;
        link.client = null;
        this.o.log?.debug(`control client for ${link.id} exited (${code ?? 'signal'})${stderr !== '' ? `: ${stderr}` : ''}`);
        // An attach refused outright, while the session still exists, means control mode does not work here.
        if (!ready && code !== 0 && !/can't find session|no server running|error connecting|server exited/i.test(stderr)) {
          link.polling = true;
          this.o.log?.warn(`control mode unavailable for session ${link.id}; polling it`);
        }
        this.o.rescan();
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
          const pane = this.o.panes.get(e.paneId);
          if (pane === undefined) {
            if (!this.o.otherOutput(e.paneId)) unknownOutput = true;
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
    // One look (or none yet) per pane for the whole batch, as the scheduler says.
    for (const pane of touched) void pane.screen.settle();
    if (structural || unknownOutput) this.o.rescan();
  }

  private seedPending(): void {
    for (const pane of this.o.panes.values()) {
      if (!pane.seeding) continue;
      const link = this.sessions.get(pane.info.sessionId);
      if (link === undefined || link.polling || link.client === null) continue;
      void this.seed(pane, link.client);
    }
  }

  private async seed(pane: WatchedPane, client: ControlClient): Promise<void> {
    if (this.seedsInFlight.has(pane)) return;
    this.seedsInFlight.add(pane);
    const id = pane.info.paneId;
    try {
      // One line: tmux runs both commands back to back, so the capture and the cursor match and
      // every %output after the replies is newer than the capture.
      const replies = await client.command(`capture-pane -p -e -J -t ${id} ; display-message -p -t ${id} "#{cursor_x} #{cursor_y}"`, 2);
      if (this.o.panes.get(id) !== pane) return;
      const [capture, cursor] = replies;
      if (capture?.ok === true && cursor?.ok === true) {
        const text = Buffer.concat(capture.lines.flatMap((l) => [l, Buffer.from('\n')])).toString('utf8');
        const [x, y] = Buffer.concat(cursor.lines).toString('latin1').trim().split(' ').map(Number);
        pane.screen.write(seedBytes(text, Number.isFinite(x) ? x : 0, Number.isFinite(y) ? y : 0));
      } else if (!client.isClosed) {
        this.o.log?.debug(`seed capture of ${id} failed; starting from live output`);
      }
      // A closed client leaves seeding on; the re-list after its exit attaches and seeds again.
      if (!client.isClosed) {
        pane.seeding = false;
        void pane.screen.look();
      }
    } finally {
      this.seedsInFlight.delete(pane);
    }
  }

  // ---- capture-pane fallback ----

  private updateCapturePolling(): void {
    const needed = [...this.o.panes.values()].some((p) => this.sessions.get(p.info.sessionId)?.polling === true);
    if (!needed) {
      if (this.captureTimer !== null) this.o.timers.clearTimeout(this.captureTimer);
      this.captureTimer = null;
      this.captureDelay = this.o.capturePollMs.min;
      return;
    }
    if (this.captureTimer === null && !this.capturing) {
      this.captureTimer = this.o.timers.setTimeout(() => void this.pollCaptures(), 0);
    }
  }

  private async pollCaptures(): Promise<void> {
    this.captureTimer = null;
    this.capturing = true;
    try {
      await this.captureRound();
    } catch (err) {
      this.o.error(err);
    } finally {
      this.capturing = false;
    }
    if (this.o.disposed()) return;
    // The pane list changes unnoticed without control mode, so each round lists panes again too.
    this.o.rescan();
    if (this.captureTimer === null && [...this.sessions.values()].some((s) => s.polling)) {
      this.captureTimer = this.o.timers.setTimeout(() => void this.pollCaptures(), this.captureDelay);
    }
  }

  private async captureRound(): Promise<void> {
    let changed = false;
    for (const pane of [...this.o.panes.values()]) {
      if (this.sessions.get(pane.info.sessionId)?.polling !== true) continue;
      const id = pane.info.paneId;
      const r = await this.o.runner.run(['capture-pane', '-p', '-e', '-J', '-t', id, ';', 'display-message', '-p', '-t', id, '#{cursor_x} #{cursor_y}']);
      if (this.o.disposed() || this.o.panes.get(id) !== pane || r.code !== 0) continue;
      if (r.stdout === pane.lastCapture) continue;
      pane.lastCapture = r.stdout;
      changed = true;
      const lines = r.stdout.replace(/\n$/, '').split('\n');
      const [x, y] = (lines.pop() ?? '').trim().split(' ').map(Number);
      pane.screen.write(seedBytes(lines.join('\n') + '\n', Number.isFinite(x) ? x : 0, Number.isFinite(y) ? y : 0));
      pane.seeding = false;
      void pane.screen.look();
    }
    this.captureDelay = changed ? this.o.capturePollMs.min : Math.min(this.captureDelay * 2, this.o.capturePollMs.max);
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
