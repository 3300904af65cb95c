// Watches Claude Code in VS Code's integrated terminals through shell integration.
//
//  - A shell execution whose command line matches claudeCommandPatterns is read from its start
//    event (data written before the first read() is lost, so read() is called inside the handler)
//    into its own screen (executionReader.ts), and its verdicts other than none are emitted. The
//    execution's end (or the terminal's close) gives a final look, then sessionRemoved.
//  - Terminals that may run Claude Code but cannot be read are reported as unwatched
//    (unwatchedTerminals.ts).
//  - A terminal running tmux is left to the tmux source. It is reported as unwatched ('runs-tmux')
//    only when the tmux source is turned off and the tmux command line itself starts Claude Code;
//    any other tmux client says nothing about Claude Code.
//  - Shell integration does not expose a terminal's size in VS Code 1.93 (terminal.dimensions and
//    onDidChangeTerminalDimensions are proposed API), so each screen keeps the screen's default
//    size, wider and taller than most terminals: a line that did not wrap on the user's terminal
//    does not wrap here either, so Claude Code's relative cursor moves land on the same rows.
//
// vscode is only a type here: the window functions come in through the options (the real ones by
// default, loaded on first use), so the logic is unit-tested in plain Node.

import type * as vscode from 'vscode';
import { Emitter } from '../../core/base/event';
import { Logger, type ComponentLogger } from '../../core/base/logger';
import { nodeTimers, type IntervalTimers } from '../../core/base/timers';
import type { KeyInput } from '../../core/resume/resumePlanner';
import { ProcReader } from '../../core/sources/tmux/discovery';
import type { TimeContext } from '../../core/detection/types';
import type { ConfigurationWatcher, Settings } from '../configuration';
import { Disposable } from '../disposable';
import { ExecutionReader } from './executionReader';
import { compileCommandPatterns, isClaudeCommand, isTmuxCommand, mentionsClaudeCommand } from '../../core/sources/claudeCommandMatcher';
import { localTimeContext } from '../../core/detection/timeZone';
import type { SessionInfo, SessionSource, SourceEvent } from './sessionSource';
import { UnwatchedTerminals, type TrackedTerminal } from './unwatchedTerminals';

/** The parts of vscode.window this source uses. */
export type TerminalWindow = Pick<
  typeof vscode.window,
  | 'terminals'
  | 'onDidOpenTerminal'
  | 'onDidCloseTerminal'
  | 'onDidChangeTerminalShellIntegration'
  | 'onDidStartTerminalShellExecution'
  | 'onDidEndTerminalShellExecution'
  | 'createTerminal'
>;

type SourceSettingKey = 'sources.terminals' | 'sources.tmux' | 'claudeCommandPatterns';
export type SourceSettings = <K extends SourceSettingKey>(key: K) => Settings[K];

export interface TerminalSourceOptions {
  /** Reads sources.terminals, sources.tmux and claudeCommandPatterns. */
  readonly settings: SourceSettings;
  /** Follows changes of those settings; without it they are read once. */
  readonly config?: Pick<ConfigurationWatcher, 'onChange'>;
  /** Default: vscode.window. */
  readonly window?: TerminalWindow;
  readonly logger?: ComponentLogger;
  /** Default: now and the zone of this process. */
  readonly timeContext?: () => TimeContext;
  /** Command lines of a process and its descendants. Default: /proc on Linux, nothing elsewhere. */
  readonly processCommandLines?: (pid: number) => readonly string[] | Promise<readonly string[]>;
  readonly timers?: IntervalTimers;
  /** How long a new terminal may take to report shell integration before it counts as without. */
  readonly shellIntegrationTimeoutMs?: number;
  /** Interval of the process-tree check of terminals that cannot be read. */
  readonly recheckMs?: number;
  /** After an execution's end, how long its stream may take to deliver the rest before it is cut. */
  readonly endGraceMs?: number;
  /** openWatchedTerminal: how long to wait for shell integration before typing the command instead. */
  readonly launchFallbackMs?: number;
}

const DEFAULT_INTEGRATION_TIMEOUT_MS = 8_000;
const DEFAULT_RECHECK_MS = 10_000;
const DEFAULT_END_GRACE_MS = 1_000;
const DEFAULT_LAUNCH_FALLBACK_MS = 10_000;

/** Loaded on first use: in plain Node (unit tests) there is no vscode module, and the options replace it. */
function realWindow(): TerminalWindow {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('vscode') as typeof vscode).window;
}

function defaultProcessCommandLines(pid: number): string[] {
  return new ProcReader().tree(pid).map((p) => (p.argv.length > 0 ? p.argv.join(' ') : p.name));
}

const silentLogger = new Logger({ trace() {}, debug() {}, info() {}, warn() {}, error() {} }).child('terminals');

interface TerminalState extends TrackedTerminal {
  /** The Claude Code execution being read. */
  watched: ExecutionReader | null;
}

export class TerminalSource extends Disposable implements SessionSource {
  private readonly emitter: Emitter<SourceEvent>;
  readonly onEvent: vscode.Event<SourceEvent>;
  private readonly settings: SourceSettings;
  private readonly log: ComponentLogger;
  private readonly timers: IntervalTimers;
  private readonly endGraceMs: number;
  private readonly windowOption: TerminalWindow | undefined;
  private timeContextFn: () => TimeContext;
  private readonly defaultTimeContext: () => TimeContext;
  private readonly unwatched: UnwatchedTerminals;

  private patterns: RegExp[] = [];
  private running = false;
  /** Window subscriptions while running; dropped when the setting turns the source off. */
  private live: vscode.Disposable[] = [];
  private readonly states = new Map<vscode.Terminal, TerminalState>();
  private nextNumber = 1;

  constructor(options: TerminalSourceOptions) {
    super();
    this.settings = options.settings;
    this.windowOption = options.window;
    this.log = options.logger ?? silentLogger;
    this.timers = options.timers ?? nodeTimers;
    this.endGraceMs = options.endGraceMs ?? DEFAULT_END_GRACE_MS;
    this.defaultTimeContext = options.timeContext ?? (() => localTimeContext());
    this.timeContextFn = this.defaultTimeContext;
    this.emitter = new Emitter<SourceEvent>(this.log);
    this.onEvent = this.emitter.event;
    this.unwatched = new UnwatchedTerminals({
      patterns: () => this.patterns,
      fire: (e) => this.emitter.fire(e),
      log: this.log,
      timers: this.timers,
      processCommandLines: options.processCommandLines ?? defaultProcessCommandLines,
      integrationTimeoutMs: options.shellIntegrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS,
      recheckMs: options.recheckMs ?? DEFAULT_RECHECK_MS,
      launchFallbackMs: options.launchFallbackMs ?? DEFAULT_LAUNCH_FALLBACK_MS,
      isCurrent: (t) => this.running && this.states.get(t.terminal) === t,
      isWatched: (t) => (t as TerminalState).watched !== null,
    });

    this._register({ dispose: () => this.emitter.dispose() });
    // Registered after the emitter: disposal runs in reverse, so stopping still reports its removals.
    this._register({ dispose: () => this.stop() });
    this._register(this.unwatched);
    if (options.config) {
      this._register(options.config.onChange(['sources.terminals'], () => this.applyEnabled()));
      this._register(options.config.onChange(['claudeCommandPatterns'], () => this.compilePatterns()));
    }
    this.compilePatterns();
    this.applyEnabled();
  }

  private get window(): TerminalWindow {
    return this.windowOption ?? realWindow();
  }

  get enabled(): boolean {
    return this.running;
  }

  sessions(): readonly SessionInfo[] {
    const out: SessionInfo[] = [];
    for (const state of this.states.values()) {
      if (state.watched !== null && !state.watched.done) out.push(this.info(state));
    }
    return out;
  }

  /** The visible lines of a watched session's screen; undefined when the id is not read now. */
  screenLines(id: string): readonly string[] | undefined {
    const state = this.watchedState(id);
    return state?.watched?.visibleLines();
  }

  /** Whether the session still runs Claude Code: its execution is being read until it ends. */
  sessionRunsClaude(id: string): Promise<boolean> {
    return Promise.resolve(this.watchedState(id) !== undefined);
  }

  /** Types into a watched session's terminal: literal text, or Enter as a carriage return. */
  sendInput(id: string, input: KeyInput): Promise<boolean> {
    const state = this.watchedState(id);
    if (state === undefined) return Promise.resolve(false);
    state.terminal.sendText('text' in input ? input.text : '\r', false);
    return Promise.resolve(true);
  }

  private watchedState(id: string): TerminalState | undefined {
    for (const state of this.states.values()) if (state.id === id && state.watched !== null && !state.watched.done) return state;
    return undefined;
  }

  /** Replaces the time context classification uses (integration tests replay recordings made at another time and zone); undefined restores the default. */
  setTimeContext(fn: (() => TimeContext) | undefined): void {
    this.timeContextFn = fn ?? this.defaultTimeContext;
  }

  /** The fix for an unwatched terminal: a new terminal that starts `claude` read from its first byte. */
  openWatchedTerminal(cwd?: string | vscode.Uri): vscode.Terminal {
    return this.unwatched.openWatchedTerminal(this.window, cwd);
  }

  // --- settings -----------------------------------------------------------------------------

  private compilePatterns(): void {
    this.patterns = compileCommandPatterns(this.settings('claudeCommandPatterns'), (pattern, error) =>
      this.log.warn(`claudeCommandPatterns: skipping invalid pattern ${JSON.stringify(pattern)}: ${error}`),
    );
  }

  private applyEnabled(): void {
    if (this.isDisposed) return;
    if (this.settings('sources.terminals')) this.start();
    else this.stop();
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    const window = this.window;
    this.live.push(
      window.onDidStartTerminalShellExecution((e) => this.onExecutionStart(e)),
      window.onDidEndTerminalShellExecution((e) => this.onExecutionEnd(e)),
      window.onDidOpenTerminal((t) => this.unwatched.opened(this.stateFor(t))),
      window.onDidCloseTerminal((t) => this.onClose(t)),
      window.onDidChangeTerminalShellIntegration((e) => {
        const state = this.states.get(e.terminal);
        if (state !== undefined) this.unwatched.integrated(state);
      }),
    );
    const existing = window.terminals;
    for (const terminal of existing) this.unwatched.adopted(this.stateFor(terminal));
    this.log.info(`watching integrated terminals (${existing.length} open)`);
  }

  /** Stops every read, disposes every screen and reports every session and flag as gone. */
  private stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const d of this.live.splice(0)) d.dispose();
    // No final look: the source is going away.
    for (const state of [...this.states.values()]) {
      state.watched?.dispose();
      this.unwatched.forget(state);
    }
    this.states.clear();
    this.unwatched.stop();
    this.log.info('stopped watching integrated terminals');
  }

  // --- terminals ----------------------------------------------------------------------------

  private stateFor(terminal: vscode.Terminal): TerminalState {
    let state = this.states.get(terminal);
    if (state === undefined) {
      state = {
        terminal,
        id: `terminal:${this.nextNumber++}`,
        watched: null,
        unwatched: null,
        unwatchedByProcess: false,
        unwatchedExecution: null,
        integrationTimer: null,
      };
      this.states.set(terminal, state);
    }
    return state;
  }

  private info(state: TerminalState): SessionInfo {
    return { id: state.id, kind: 'terminal', where: state.terminal.name };
  }

  private onClose(terminal: vscode.Terminal): void {
    const state = this.states.get(terminal);
    if (state === undefined) return;
    this.states.delete(terminal);
    this.unwatched.closed(state);
    // The reader takes its final look and reports the removal.
    state.watched?.cut();
  }

  // --- executions ---------------------------------------------------------------------------

  private onExecutionStart(e: vscode.TerminalShellExecutionStartEvent): void {
    const commandLine = e.execution.commandLine.value;
    if (isClaudeCommand(commandLine, this.patterns)) {
      // At once: output written before the first read() is not delivered.
      const stream = e.execution.read();
      this.watch(this.stateFor(e.terminal), e.execution, stream);
      return;
    }
    if (isTmuxCommand(commandLine) && !this.settings('sources.tmux') && mentionsClaudeCommand(commandLine, this.patterns)) {
      const state = this.stateFor(e.terminal);
      if (state.watched === null) this.unwatched.runsTmux(state, e.execution);
    }
  }

  private onExecutionEnd(e: vscode.TerminalShellExecutionEndEvent): void {
    const state = this.states.get(e.terminal);
    if (state === undefined) return;
    const watched = state.watched;
    if (watched !== null && watched.execution === e.execution) {
      watched.ended(this.endGraceMs);
      return;
    }
    this.unwatched.executionEnded(state, e.execution);
  }

  private watch(state: TerminalState, execution: vscode.TerminalShellExecution, stream: AsyncIterable<string>): void {
    // A new command in the same terminal ends the previous one (shell integration does the same).
    state.watched?.dispose();
    this.unwatched.watching(state);
    const reader: ExecutionReader = new ExecutionReader({
      execution,
      stream,
      id: state.id,
      log: this.log,
      timers: this.timers,
      timeContext: () => this.timeContextFn(),
      onVerdict: (classification, at) => {
        this.log.debug(`${state.id}: ${classification.verdict}${classification.window ? ` (${classification.window})` : ''}`);
        this.emitter.fire({ type: 'verdict', id: state.id, classification, at });
      },
      onDone: () => {
        if (state.watched === reader) state.watched = null;
        this.emitter.fire({ type: 'sessionRemoved', id: state.id });
      },
    });
    state.watched = reader;
    this.log.info(`${state.id} "${state.terminal.name}": reading ${JSON.stringify(execution.commandLine.value)}`);
    this.emitter.fire({ type: 'sessionAdded', session: this.info(state) });
    reader.start();
  }
}
