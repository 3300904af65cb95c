// The tmux panes running Claude Code as a SessionSource: adapts the core TmuxSource, follows the
// `sources.tmux` and `tmux.socket` settings (a socket name is tmux -L, an absolute path tmux -S).
import * as path from 'node:path';
import type { ComponentLogger } from '../../core/base/logger';
import type { KeyInput } from '../../core/resume/resumePlanner';
import { compileCommandPatterns } from '../../core/sources/claudeCommandMatcher';
import { DEFAULT_MATCHER, TmuxSource, type TmuxSocket, type TmuxSourceEvent, type TmuxSourceOptions, type TmuxSourceState } from '../../core/sources/tmux';
import type { ConfigurationReader } from '../configuration';
import { Disposable } from '../disposable';
import { Emitter } from '../../core/base/event';
import type { ConfigChanges } from '../sessions/sessionsController';
import type { SessionInfo, SessionSource, SourceEvent } from './sessionSource';

export const TMUX_ID_PREFIX = 'tmux:';

/** What the adapter needs of a TmuxSource (a fake in tests). */
export interface TmuxLike {
  start(): void;
  rescan(): void;
  dispose(): void;
  /** For resuming (optional in fakes): a pane's screen, whether it runs Claude Code, typing into it. */
  paneLines?(paneId: string): string[] | undefined;
  paneRunsClaude?(paneId: string): Promise<boolean>;
  sendKeys?(paneId: string, input: KeyInput): Promise<boolean>;
}

export type TmuxFactory = (options: TmuxSourceOptions, listener: (e: TmuxSourceEvent) => void) => TmuxLike;

/** '' -> the default server; an absolute path -> -S; anything else -> a socket name (-L). */
export function parseTmuxSocket(setting: string): TmuxSocket | undefined {
  const v = setting.trim();
  if (v === '') return undefined;
  return path.isAbsolute(v) ? { path: v } : { name: v };
}

export interface TmuxSessionSourceOptions {
  readonly config: ConfigChanges;
  readonly read: ConfigurationReader;
  readonly logger?: ComponentLogger;
  /** The core source to run (tests pass a fake). */
  readonly create?: TmuxFactory;
}

export class TmuxSessionSource extends Disposable implements SessionSource {
  private readonly emitter = this._register(new Emitter<SourceEvent>(() => this.log));
  readonly onEvent = this.emitter.event;
  private source: TmuxLike | undefined;
  /** Pane id -> session; a pane's target is fixed while it is watched. */
  private readonly panes = new Map<string, SessionInfo>();
  private sourceState: TmuxSourceState | 'off' = 'off';
  private socket: TmuxSocket | undefined;

  private readonly read: ConfigurationReader;
  private readonly log: ComponentLogger | undefined;
  private readonly create: TmuxFactory;

  constructor(opts: TmuxSessionSourceOptions) {
    super();
    const { config } = opts;
    this.read = opts.read;
    this.log = opts.logger;
    this.create = opts.create ?? ((options, listener) => new TmuxSource(options, listener));
    this._register(config.onChange(['sources.tmux', 'tmux.socket', 'claudeCommandPatterns'], () => this.restart()));
    this._register({ dispose: () => this.stop() });
    this.restart();
  }

  sessions(): readonly SessionInfo[] {
    return [...this.panes.values()];
  }

  /** The visible lines of a watched pane's screen (undefined when not watched). */
  screenLines(id: string): readonly string[] | undefined {
    return this.panes.has(this.paneOf(id)) ? this.source?.paneLines?.(this.paneOf(id)) : undefined;
  }

  /** Whether the pane still runs Claude Code, asked of tmux now. */
  async sessionRunsClaude(id: string): Promise<boolean> {
    const pane = this.paneOf(id);
    return this.panes.has(pane) ? ((await this.source?.paneRunsClaude?.(pane)) ?? false) : false;
  }

  /** Types into the pane (a separate `tmux send-keys`); false when it is not watched or tmux refused. */
  async sendInput(id: string, input: KeyInput): Promise<boolean> {
    const pane = this.paneOf(id);
    return this.panes.has(pane) ? ((await this.source?.sendKeys?.(pane, input)) ?? false) : false;
  }

  private paneOf(id: string): string {
    return id.startsWith(TMUX_ID_PREFIX) ? id.slice(TMUX_ID_PREFIX.length) : '';
  }

  /** 'off' while the setting disables tmux; otherwise the core source's state. */
  get state(): TmuxSourceState | 'off' {
    return this.sourceState;
  }

  /** The tmux command-line flags that reach the watched server (for an attach hint). */
  socketArgs(): string[] {
    const s = this.socket;
    if (s === undefined) return [];
    return 'path' in s ? ['-S', s.path] : ['-L', s.name];
  }

  /** Lists the panes again; when the source stopped (tmux missing, setting changed) starts it anew. */
  rescan(): void {
    if (this.isDisposed) return;
    if (this.source === undefined || this.sourceState === 'unavailable') {
      this.restart();
      return;
    }
    this.source.rescan();
  }

  private restart(): void {
    this.stop();
    if (this.isDisposed || !this.read('sources.tmux')) return;
    this.socket = parseTmuxSocket(this.read('tmux.socket'));
    const extra = compileCommandPatterns(this.read('claudeCommandPatterns'), (p) => this.log?.warn(`Ignoring an invalid claudeCommandPatterns entry: ${p}`));
    const options: TmuxSourceOptions = {
      socket: this.socket,
      logger: this.log,
      // The setting's patterns are command-line patterns; the process-name ones stay the core's.
      matcher: { commandLinePatterns: [...DEFAULT_MATCHER.commandLinePatterns, ...extra] },
    };
    // Events of a source replaced meanwhile (a late exit of the old one) are not this source's.
    // (The core source emits nothing from its constructor, so `source` is set before the first event.)
    const source: TmuxLike = this.create(options, (e) => {
      if (this.source === source) this.onTmux(e);
    });
    this.source = source;
    this.log?.info(`Watching tmux ${this.socket === undefined ? 'default server' : 'path' in this.socket ? `socket ${this.socket.path}` : `server -L ${this.socket.name}`}`);
    source.start();
  }

  private stop(): void {
    const s = this.source;
    this.source = undefined;
    this.sourceState = 'off';
    s?.dispose();
    for (const id of [...this.panes.keys()]) this.removePane(id);
  }

  private onTmux(e: TmuxSourceEvent): void {
    if (this.isDisposed) return;
    switch (e.type) {
      case 'paneAdded': {
        if (this.panes.has(e.paneId)) return;
        const session: SessionInfo = { id: TMUX_ID_PREFIX + e.paneId, kind: 'tmux', where: e.target };
        this.panes.set(e.paneId, session);
        this.emitter.fire({ type: 'sessionAdded', session });
        return;
      }
      case 'paneRemoved':
        this.removePane(e.paneId);
        return;
      case 'verdict': {
        const session = this.panes.get(e.paneId);
        if (session === undefined) return;
        this.emitter.fire({ type: 'verdict', id: session.id, classification: e.classification, at: e.at });
        return;
      }
      case 'state':
        this.sourceState = e.state;
        this.log?.debug(`tmux source: ${e.state}`);
        // A server that went away took its panes with it.
        if (e.state === 'waiting' || e.state === 'unavailable') for (const id of [...this.panes.keys()]) this.removePane(id);
        return;
      case 'error':
        this.log?.warn(`tmux: ${e.error.message}`);
        return;
    }
  }

  private removePane(paneId: string): void {
    const session = this.panes.get(paneId);
    if (session === undefined) return;
    this.panes.delete(paneId);
    this.emitter.fire({ type: 'sessionRemoved', id: session.id });
  }
}
