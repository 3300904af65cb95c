// Watches Claude Code in VS Code's integrated terminals through shell integration.
//
//  - A shell execution whose command line matches claudeCommandPatterns is read from its start
//    event (data written before the first read() is lost, so read() is called inside the handler)
//    into the terminal's own screen; the screen is looked at at once after output that may draw a
//    limit line, otherwise at most every 100 ms while output streams (LookScheduler), and verdicts
//    other than none are emitted. The execution's end (or the terminal's close) gives a final
//    look, then sessionRemoved.
//  - Terminals that may run Claude Code but cannot be read are reported as unwatched: no shell
//    integration within a few seconds of opening while their name, creation options or process tree
//    suggest Claude Code, or Claude Code already running when watching began.
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
import { describeError } from '../../core/base/errors';
import { Emitter } from '../../core/base/event';
import { Logger, type ComponentLogger } from '../../core/base/logger';
import { nodeTimers, type IntervalTimers } from '../../core/base/timers';
import { LookScheduler } from '../../core/screen/lookScheduler';
import type { KeyInput } from '../../core/resume/resumePlanner';
import { ScreenClassifier } from '../../core/screen/screenClassifier';
import { ProcReader } from '../../core/sources/tmux/discovery';
import type { Classification, TimeContext } from '../../core/detection/types';
import type { ConfigurationWatcher, Settings } from '../configuration';
import { Disposable } from '../disposable';
import {
  compileCommandPatterns,
  creationOptionsSuggestClaude,
  isClaudeCommand,
  isTmuxCommand,
  localTimeContext,
  mentionsClaudeCommand,
  nameSuggestsClaude,
  processesRunClaude,
} from '../../core/sources/claudeCommandMatcher';
import type { SessionInfo, SessionSource, SourceEvent, UnwatchedReason } from './sessionSource';

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
export const WATCHED_TERMINAL_NAME = 'Claude Code';
const CLAUDE_COMMAND = 'claude';

/** Loaded on first use: in plain Node (unit tests) there is no vscode module, and the options replace it. */
function realWindow(): TerminalWindow {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('vscode') as typeof vscode).window;
}

function defaultProcessCommandLines(pid: number): string[] {
  return new ProcReader().tree(pid).map((p) => (p.argv.length > 0 ? p.argv.join(' ') : p.name));
}

const silentLogger = new Logger({ trace() {}, debug() {}, info() {}, warn() {}, error() {} }).child('terminals');

const ABORTED = Symbol('aborted');

/** One Claude Code execution being read. */
interface WatchedExecution {
  readonly execution: vscode.TerminalShellExecution;
  readonly screen: ScreenClassifier;
  /** Spaces the looks of streaming output; output that may draw a limit line is looked at at once. */
  readonly looks: LookScheduler;
  readonly aborted: Promise<typeof ABORTED>;
  abort(): void;
  /** Reading stopped for good: the screen is disposed and sessionRemoved was emitted. */
  torn: boolean;
  graceTimer: unknown;
}

interface TerminalState {
  readonly terminal: vscode.Terminal;
  readonly id: string;
  watched: WatchedExecution | null;
  unwatched: UnwatchedReason | null;
  /** The flag came from the process tree (cleared when Claude Code is gone from it), not from a hint. */
  unwatchedByProcess: boolean;
  /** The execution the flag is about, when it came from one (runs-tmux). */
  unwatchedExecution: vscode.TerminalShellExecution | null;
  integrationTimer: unknown;
}

export class TerminalSource extends Disposable implements SessionSource {
  private readonly emitter: Emitter<SourceEvent>;
  readonly onEvent: vscode.Event<SourceEvent>;
  private readonly settings: SourceSettings;
  private readonly log: ComponentLogger;
  private readonly timers: IntervalTimers;
  private readonly processCommandLines: (pid: number) => readonly string[] | Promise<readonly string[]>;
  private readonly integrationTimeoutMs: number;
  private readonly recheckMs: number;
  private readonly endGraceMs: number;
  private readonly launchFallbackMs: number;
  private readonly windowOption: TerminalWindow | undefined;
  private timeContextFn: () => TimeContext;
  private readonly defaultTimeContext: () => TimeContext;

  private patterns: RegExp[] = [];
  private running = false;
  /** Window subscriptions while running; dropped when the setting turns the source off. */
  private live: vscode.Disposable[] = [];
  private readonly states = new Map<vscode.Terminal, TerminalState>();
  private nextNumber = 1;
  /** Terminals whose process tree is checked on the recheck interval. */
  private readonly recheck = new Set<TerminalState>();
  private recheckTimer: unknown = null;
  private rechecking = false;
  /** openWatchedTerminal launches waiting for shell integration. */
  private readonly launches = new Set<vscode.Disposable>();

  constructor(options: TerminalSourceOptions) {
    super();
    this.settings = options.settings;
    this.windowOption = options.window;
    this.log = options.logger ?? silentLogger;
    this.timers = options.timers ?? nodeTimers;
    this.processCommandLines = options.processCommandLines ?? defaultProcessCommandLines;
    this.integrationTimeoutMs = options.shellIntegrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;
    this.recheckMs = options.recheckMs ?? DEFAULT_RECHECK_MS;
    this.endGraceMs = options.endGraceMs ?? DEFAULT_END_GRACE_MS;
    this.launchFallbackMs = options.launchFallbackMs ?? DEFAULT_LAUNCH_FALLBACK_MS;
    this.defaultTimeContext = options.timeContext ?? (() => localTimeContext());
    this.timeContextFn = this.defaultTimeContext;
    this.emitter = new Emitter<SourceEvent>(this.log);
    this.onEvent = this.emitter.event;

    this._register({ dispose: () => this.emitter.dispose() });
    // Registered after the emitter: disposal runs in reverse, so stopping still reports its removals.
    this._register({ dispose: () => this.stop() });
    this._register({
      dispose: () => {
        for (const launch of [...this.launches]) launch.dispose();
      },
    });
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
      if (state.watched !== null && !state.watched.torn) out.push(this.info(state));
    }
    return out;
  }

  /** The visible lines of a watched session's screen; undefined when the id is not read now. */
  screenLines(id: string): readonly string[] | undefined {
    const state = this.watchedState(id);
    return state?.watched?.screen.visibleLines();
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
    for (const state of this.states.values()) if (state.id === id && state.watched !== null && !state.watched.torn) return state;
    return undefined;
  }

  /** Replaces the time context classification uses (integration tests replay recordings made at another time and zone); undefined restores the default. */
  setTimeContext(fn: (() => TimeContext) | undefined): void {
    this.timeContextFn = fn ?? this.defaultTimeContext;
  }

  /**
   * The fix for an unwatched terminal: a new terminal named "Claude Code" that starts `claude`
   * through shell integration, so its output is read from the first byte. Without shell
   * integration after a while the command is typed instead (it then runs, unwatched).
   */
  openWatchedTerminal(cwd?: string | vscode.Uri): vscode.Terminal {
    const window = this.window;
    const terminal = window.createTerminal({ name: WATCHED_TERMINAL_NAME, cwd });
    terminal.show();
    if (terminal.shellIntegration) {
      terminal.shellIntegration.executeCommand(CLAUDE_COMMAND);
      return terminal;
    }
    let settled = false;
    const subscriptions: vscode.Disposable[] = [];
    const launch: vscode.Disposable = {
      dispose: () => {
        settled = true;
        for (const s of subscriptions.splice(0)) s.dispose();
        this.timers.clearTimeout(timer);
        this.launches.delete(launch);
      },
    };
    subscriptions.push(
      window.onDidChangeTerminalShellIntegration((e) => {
        if (e.terminal !== terminal || settled) return;
        launch.dispose();
        e.shellIntegration.executeCommand(CLAUDE_COMMAND);
      }),
      window.onDidCloseTerminal((t) => {
        if (t === terminal) launch.dispose();
      }),
    );
    const timer = this.timers.setTimeout(() => {
      if (settled) return;
      launch.dispose();
      this.log.warn(`no shell integration in "${terminal.name}" after ${this.launchFallbackMs} ms; typing ${CLAUDE_COMMAND} instead (its output cannot be read)`);
      terminal.sendText(CLAUDE_COMMAND);
    }, this.launchFallbackMs);
    this.launches.add(launch);
    return terminal;
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
      window.onDidOpenTerminal((t) => this.onOpen(t)),
      window.onDidCloseTerminal((t) => this.onClose(t)),
      window.onDidChangeTerminalShellIntegration((e) => this.onIntegration(e.terminal)),
    );
    const existing = window.terminals;
    for (const terminal of existing) this.adoptExisting(terminal);
    this.log.info(`watching integrated terminals (${existing.length} open)`);
  }

  /** Stops every read, disposes every screen and reports every session and flag as gone. */
  private stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const d of this.live.splice(0)) d.dispose();
    for (const state of [...this.states.values()]) this.forget(state);
    this.states.clear();
    this.recheck.clear();
    this.updateRecheckTimer();
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

  private onOpen(terminal: vscode.Terminal): void {
    this.waitForIntegration(this.stateFor(terminal));
  }

  /** A terminal open when watching began: Claude Code may already run in it, unread. */
  private adoptExisting(terminal: vscode.Terminal): void {
    const state = this.stateFor(terminal);
    this.waitForIntegration(state);
    void this.checkProcesses(state, 'started-before-activation');
  }

  private waitForIntegration(state: TerminalState): void {
    if (state.terminal.shellIntegration !== undefined || state.integrationTimer !== null) return;
    state.integrationTimer = this.timers.setTimeout(() => {
      state.integrationTimer = null;
      if (!this.isCurrent(state) || state.terminal.shellIntegration !== undefined) return;
      this.noIntegration(state);
    }, this.integrationTimeoutMs);
  }

  /** Shell integration never came: nothing in this terminal can be read. */
  private noIntegration(state: TerminalState): void {
    const options = state.terminal.creationOptions as { shellPath?: string; shellArgs?: string[] | string } | undefined;
    if (nameSuggestsClaude(state.terminal.name, this.patterns) || creationOptionsSuggestClaude(options, this.patterns)) {
      this.markUnwatched(state, 'no-shell-integration', false, null);
    } else if (state.unwatched === 'started-before-activation') {
      // Without integration the fix is a terminal with integration, not a restart in this one.
      this.markUnwatched(state, 'no-shell-integration', state.unwatchedByProcess, null);
    }
    // Claude Code may be started in it at any time; only the process tree can tell.
    this.recheck.add(state);
    this.updateRecheckTimer();
  }

  private onIntegration(terminal: vscode.Terminal): void {
    const state = this.states.get(terminal);
    if (state === undefined) return;
    if (state.integrationTimer !== null) {
      this.timers.clearTimeout(state.integrationTimer);
      state.integrationTimer = null;
    }
    if (state.unwatched === 'no-shell-integration') {
      // Late integration: from now on executions are read; a Claude Code already running stays unread.
      if (state.unwatchedByProcess) {
        this.markUnwatched(state, 'started-before-activation', true, null);
      } else {
        this.recheck.delete(state);
        this.clearUnwatched(state);
      }
    } else if (state.unwatched === null) {
      this.recheck.delete(state);
    }
    this.updateRecheckTimer();
  }

  private onClose(terminal: vscode.Terminal): void {
    const state = this.states.get(terminal);
    if (state === undefined) return;
    this.states.delete(terminal);
    this.recheck.delete(state);
    this.updateRecheckTimer();
    if (state.integrationTimer !== null) this.timers.clearTimeout(state.integrationTimer);
    state.integrationTimer = null;
    this.clearUnwatched(state);
    // The reader takes its final look and reports the removal.
    state.watched?.abort();
  }

  /** Drops a terminal at once (source stopping): no final look. */
  private forget(state: TerminalState): void {
    if (state.integrationTimer !== null) this.timers.clearTimeout(state.integrationTimer);
    state.integrationTimer = null;
    if (state.watched !== null) this.teardown(state, state.watched);
    this.clearUnwatched(state);
  }

  private isCurrent(state: TerminalState): boolean {
    return this.running && this.states.get(state.terminal) === state;
  }

  private markUnwatched(state: TerminalState, reason: UnwatchedReason, byProcess: boolean, execution: vscode.TerminalShellExecution | null): void {
    state.unwatchedByProcess = byProcess;
    state.unwatchedExecution = execution;
    if (state.unwatched === reason) return;
    state.unwatched = reason;
    this.log.info(`${state.id} "${state.terminal.name}" may run Claude Code but cannot be read (${reason})`);
    this.emitter.fire({ type: 'unwatched', id: state.id, where: state.terminal.name, reason });
  }

  private clearUnwatched(state: TerminalState): void {
    if (state.unwatched === null) return;
    state.unwatched = null;
    state.unwatchedByProcess = false;
    state.unwatchedExecution = null;
    this.emitter.fire({ type: 'unwatchedGone', id: state.id });
  }

  // --- process tree -------------------------------------------------------------------------

  private async runsClaude(terminal: vscode.Terminal): Promise<boolean> {
    try {
      const pid = await terminal.processId;
      if (pid === undefined || !(pid > 0)) return false;
      return processesRunClaude(await this.processCommandLines(pid), this.patterns);
    } catch (err) {
      this.log.debug(`could not read the processes of "${terminal.name}": ${describeError(err)}`);
      return false;
    }
  }

  /** Flags the terminal when Claude Code runs in it unread, and unflags it when it no longer does. */
  private async checkProcesses(state: TerminalState, reason: UnwatchedReason): Promise<void> {
    const runs = await this.runsClaude(state.terminal);
    if (!this.isCurrent(state) || state.watched !== null) return;
    if (runs) {
      if (state.unwatched === null || state.unwatchedByProcess) {
        this.markUnwatched(state, state.unwatched ?? reason, true, null);
      }
      this.recheck.add(state);
    } else if (state.unwatched !== null && state.unwatchedByProcess) {
      this.clearUnwatched(state);
      if (state.terminal.shellIntegration !== undefined) this.recheck.delete(state);
    }
    this.updateRecheckTimer();
  }

  private updateRecheckTimer(): void {
    const wanted = this.running && this.recheck.size > 0;
    if (wanted && this.recheckTimer === null) {
      this.recheckTimer = this.timers.setInterval(() => void this.recheckAll(), this.recheckMs);
    } else if (!wanted && this.recheckTimer !== null) {
      this.timers.clearInterval(this.recheckTimer);
      this.recheckTimer = null;
    }
  }

  private async recheckAll(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      for (const state of [...this.recheck]) {
        const reason: UnwatchedReason = state.terminal.shellIntegration === undefined ? 'no-shell-integration' : 'started-before-activation';
        await this.checkProcesses(state, reason);
      }
    } finally {
      this.rechecking = false;
    }
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
      if (state.watched === null) this.markUnwatched(state, 'runs-tmux', false, e.execution);
    }
  }

  private onExecutionEnd(e: vscode.TerminalShellExecutionEndEvent): void {
    const state = this.states.get(e.terminal);
    if (state === undefined) return;
    const watched = state.watched;
    if (watched !== null && watched.execution === e.execution) {
      // The stream normally ends with the execution; the grace period only bounds a stream that does not.
      watched.graceTimer ??= this.timers.setTimeout(() => watched.abort(), this.endGraceMs);
      return;
    }
    if (state.unwatched === 'runs-tmux' && state.unwatchedExecution === e.execution) {
      this.clearUnwatched(state);
    } else if (state.unwatched === 'started-before-activation' && isClaudeCommand(e.execution.commandLine.value, this.patterns)) {
      // The Claude Code that ran before watching began has exited; the next one is read.
      this.clearUnwatched(state);
      this.recheck.delete(state);
      this.updateRecheckTimer();
    }
  }

  private watch(state: TerminalState, execution: vscode.TerminalShellExecution, stream: AsyncIterable<string>): void {
    // A new command in the same terminal ends the previous one (shell integration does the same).
    if (state.watched !== null) this.teardown(state, state.watched);
    if (state.integrationTimer !== null) {
      this.timers.clearTimeout(state.integrationTimer);
      state.integrationTimer = null;
    }
    this.clearUnwatched(state);
    this.recheck.delete(state);
    this.updateRecheckTimer();

    let abort: () => void = () => undefined;
    const aborted = new Promise<typeof ABORTED>((resolve) => {
      abort = () => resolve(ABORTED);
    });
    const watched: WatchedExecution = {
      execution,
      // The screen's default size: see the note at the top of this file.
      screen: new ScreenClassifier(),
      looks: new LookScheduler(() => void this.lookLater(state, watched), { timers: this.timers }),
      aborted,
      abort,
      torn: false,
      graceTimer: null,
    };
    state.watched = watched;
    this.log.info(`${state.id} "${state.terminal.name}": reading ${JSON.stringify(execution.commandLine.value)}`);
    this.emitter.fire({ type: 'sessionAdded', session: this.info(state) });
    void this.read(state, watched, stream);
  }

  /** A look the scheduler deferred while output streamed. */
  private async lookLater(state: TerminalState, watched: WatchedExecution): Promise<void> {
    if (watched.torn) return;
    try {
      const ctx = this.timeContextFn();
      const classification = await watched.screen.look(ctx);
      if (!watched.torn) this.report(state, classification, ctx);
    } catch (err) {
      this.log.warn(`${state.id}: look failed: ${describeError(err)}`);
    }
  }

  /** Streams the execution's output into its screen, looking as the scheduler says, until it ends or is cut. */
  private async read(state: TerminalState, watched: WatchedExecution, stream: AsyncIterable<string>): Promise<void> {
    let iterator: AsyncIterator<string> | null = null;
    let cut = false;
    try {
      iterator = stream[Symbol.asyncIterator]();
      for (;;) {
        const next = await Promise.race([iterator.next(), watched.aborted]);
        if (next === ABORTED) {
          cut = true;
          break;
        }
        if (next.done === true || watched.torn) break;
        watched.screen.write(next.value);
        // Parsing is synchronous: a look now sees this chunk; otherwise one is scheduled shortly.
        if (!watched.looks.due(watched.screen.urgent)) continue;
        const ctx = this.timeContextFn();
        const classification = await watched.screen.look(ctx);
        if (watched.torn) break;
        this.report(state, classification, ctx);
      }
    } catch (err) {
      this.log.warn(`${state.id}: reading the terminal failed: ${describeError(err)}`);
    }
    if (cut && iterator?.return) {
      const it = iterator;
      // Releases VS Code's side of the stream; its pending next() is dropped.
      void Promise.resolve()
        .then(() => it.return?.())
        .catch(() => undefined);
    }
    if (watched.torn) return;
    watched.looks.dispose();
    try {
      const ctx = this.timeContextFn();
      // No more output will come: a line the cursor was still on counts now.
      const classification = await watched.screen.look(ctx, true);
      if (!watched.torn) this.report(state, classification, ctx);
    } catch (err) {
      this.log.warn(`${state.id}: final look failed: ${describeError(err)}`);
    }
    this.teardown(state, watched);
  }

  private report(state: TerminalState, classification: Classification, ctx: TimeContext): void {
    if (classification.verdict === 'none') return;
    this.log.debug(`${state.id}: ${classification.verdict}${classification.window ? ` (${classification.window})` : ''}`);
    this.emitter.fire({ type: 'verdict', id: state.id, classification, at: ctx.now });
  }

  /** Stops reading for good: disposes the screen and reports the session as removed, once. */
  private teardown(state: TerminalState, watched: WatchedExecution): void {
    if (watched.torn) return;
    watched.torn = true;
    watched.abort();
    watched.looks.dispose();
    if (watched.graceTimer !== null) this.timers.clearTimeout(watched.graceTimer);
    watched.graceTimer = null;
    watched.screen.dispose();
    if (state.watched === watched) state.watched = null;
    this.emitter.fire({ type: 'sessionRemoved', id: state.id });
  }
}
