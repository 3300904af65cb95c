// Terminals that may run Claude Code but cannot be read, for the terminal source, and the fix
// offered for them.
//
//  - no-shell-integration: no shell integration within a few seconds of opening while the
//    terminal's name, creation options or process tree suggest Claude Code. Such a terminal's
//    process tree is checked on an interval, since Claude Code may be started in it at any time.
//  - started-before-activation: Claude Code already running when watching began (process tree);
//    withdrawn when that Claude Code exits or a read execution starts.
//  - runs-tmux: a tmux command line that starts Claude Code while the tmux source is off (decided
//    by the terminal source); withdrawn at that execution's end.
//  - The fix: a new terminal named "Claude Code" that starts `claude` through shell integration.
//
// vscode is only a type here, as in the terminal source.

import type * as vscode from 'vscode';
import type { ComponentLogger } from '../../core/base/logger';
import { creationOptionsSuggestClaude, isClaudeCommand, nameSuggestsClaude, processesRunClaude } from '../../core/sources/claudeCommandMatcher';
import type { IntervalTimers } from '../../core/base/timers';
import { describeError } from '../../core/base/errors';
import type { SourceEvent, UnwatchedReason } from './sessionSource';

/** A terminal the terminal source tracks, with what is known of it unread. */
export interface TrackedTerminal {
  readonly terminal: vscode.Terminal;
  readonly id: string;
  unwatched: UnwatchedReason | null;
  /** The flag came from the process tree (cleared when Claude Code is gone from it), not from a hint. */
  unwatchedByProcess: boolean;
  /** The execution the flag is about, when it came from one (runs-tmux). */
  unwatchedExecution: vscode.TerminalShellExecution | null;
  integrationTimer: unknown;
}

export type LaunchWindow = Pick<typeof vscode.window, 'createTerminal' | 'onDidChangeTerminalShellIntegration' | 'onDidCloseTerminal'>;

export interface UnwatchedTerminalsOptions {
  readonly patterns: () => readonly RegExp[];
  readonly fire: (event: SourceEvent) => void;
  readonly log: ComponentLogger;
  readonly timers: IntervalTimers;
  /** Command lines of a process and its descendants. */
  readonly processCommandLines: (pid: number) => readonly string[] | Promise<readonly string[]>;
  readonly integrationTimeoutMs: number;
  readonly recheckMs: number;
  readonly launchFallbackMs: number;
  /** The source runs and still tracks this terminal. */
  readonly isCurrent: (t: TrackedTerminal) => boolean;
  /** A Claude Code execution in it is being read. */
  readonly isWatched: (t: TrackedTerminal) => boolean;
}

const WATCHED_TERMINAL_NAME = 'Claude Code';
const CLAUDE_COMMAND = 'claude';

export class UnwatchedTerminals {
  /** Terminals whose process tree is checked on the recheck interval. */
  private readonly recheck = new Set<TrackedTerminal>();
  private recheckTimer: unknown = null;
  private rechecking = false;
  /** openWatchedTerminal launches waiting for shell integration. */
  private readonly launches = new Set<vscode.Disposable>();

  constructor(private readonly options: UnwatchedTerminalsOptions) {}

  /** A terminal opened while watching. */
  opened(t: TrackedTerminal): void {
    this.waitForIntegration(t);
  }

  /** A terminal open when watching began: Claude Code may already run in it, unread. */
  adopted(t: TrackedTerminal): void {
    this.waitForIntegration(t);
    void this.checkProcesses(t, 'started-before-activation');
  }

  integrated(t: TrackedTerminal): void {
    this.stopIntegrationTimer(t);
    if (t.unwatched === 'no-shell-integration') {
      // Late integration: from now on executions are read; a Claude Code already running stays unread.
      if (t.unwatchedByProcess) {
        this.mark(t, 'started-before-activation', true, null);
      } else {
        this.recheck.delete(t);
        this.clear(t);
      }
    } else if (t.unwatched === null) {
      this.recheck.delete(t);
    }
    this.updateRecheckTimer();
  }

  closed(t: TrackedTerminal): void {
    this.recheck.delete(t);
    this.updateRecheckTimer();
    this.forget(t);
  }

  /** Drops what is known of a terminal (closed, or the source stopping). */
  forget(t: TrackedTerminal): void {
    this.stopIntegrationTimer(t);
    this.clear(t);
  }

  /** A Claude Code execution in it is read from now on: nothing in it is unread. */
  watching(t: TrackedTerminal): void {
    this.stopIntegrationTimer(t);
    this.clear(t);
    this.recheck.delete(t);
    this.updateRecheckTimer();
  }

  /** A tmux command line that starts Claude Code, left unread (the tmux source is off). */
  runsTmux(t: TrackedTerminal, execution: vscode.TerminalShellExecution): void {
    this.mark(t, 'runs-tmux', false, execution);
  }

  /** An execution that was not read ended. */
  executionEnded(t: TrackedTerminal, execution: vscode.TerminalShellExecution): void {
    if (t.unwatched === 'runs-tmux' && t.unwatchedExecution === execution) {
      this.clear(t);
    } else if (t.unwatched === 'started-before-activation' && isClaudeCommand(execution.commandLine.value, this.options.patterns())) {
      // The Claude Code that ran before watching began has exited; the next one is read.
      this.clear(t);
      this.recheck.delete(t);
      this.updateRecheckTimer();
    }
  }

  /** The source stops: no more process-tree checks. */
  stop(): void {
    this.recheck.clear();
    this.updateRecheckTimer();
  }

  dispose(): void {
    this.stop();
    for (const launch of [...this.launches]) launch.dispose();
  }

  /**
   * The fix for an unwatched terminal: a new terminal named "Claude Code" that starts `claude`
   * through shell integration, so its output is read from the first byte. Without shell
   * integration after a while the command is typed instead (it then runs, unwatched).
   */
  openWatchedTerminal(window: LaunchWindow, cwd?: string | vscode.Uri): vscode.Terminal {
    const { timers, log, launchFallbackMs } = this.options;
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
        timers.clearTimeout(timer);
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
    const timer = timers.setTimeout(() => {
      if (settled) return;
      launch.dispose();
      log.warn(`no shell integration in "${terminal.name}" after ${launchFallbackMs} ms; typing ${CLAUDE_COMMAND} instead (its output cannot be read)`);
      terminal.sendText(CLAUDE_COMMAND);
    }, launchFallbackMs);
    this.launches.add(launch);
    return terminal;
  }

  private waitForIntegration(t: TrackedTerminal): void {
    if (t.terminal.shellIntegration !== undefined || t.integrationTimer !== null) return;
    t.integrationTimer = this.options.timers.setTimeout(() => {
      t.integrationTimer = null;
      if (!this.options.isCurrent(t) || t.terminal.shellIntegration !== undefined) return;
      this.noIntegration(t);
    }, this.options.integrationTimeoutMs);
  }

  private stopIntegrationTimer(t: TrackedTerminal): void {
    if (t.integrationTimer !== null) this.options.timers.clearTimeout(t.integrationTimer);
    t.integrationTimer = null;
  }

  /** Shell integration never came: nothing in this terminal can be read. */
  private noIntegration(t: TrackedTerminal): void {
    const patterns = this.options.patterns();
    const options = t.terminal.creationOptions as { shellPath?: string; shellArgs?: string[] | string } | undefined;
    if (nameSuggestsClaude(t.terminal.name, patterns) || creationOptionsSuggestClaude(options, patterns)) {
      this.mark(t, 'no-shell-integration', false, null);
    } else if (t.unwatched === 'started-before-activation') {
      // Without integration the fix is a terminal with integration, not a restart in this one.
      this.mark(t, 'no-shell-integration', t.unwatchedByProcess, null);
    }
    // Claude Code may be started in it at any time; only the process tree can tell.
    this.recheck.add(t);
    this.updateRecheckTimer();
  }

  private mark(t: TrackedTerminal, reason: UnwatchedReason, byProcess: boolean, execution: vscode.TerminalShellExecution | null): void {
    t.unwatchedByProcess = byProcess;
    t.unwatchedExecution = execution;
    if (t.unwatched === reason) return;
    t.unwatched = reason;
    this.options.log.info(`${t.id} "${t.terminal.name}" may run Claude Code but cannot be read (${reason})`);
    this.options.fire({ type: 'unwatched', id: t.id, where: t.terminal.name, reason });
  }

  private clear(t: TrackedTerminal): void {
    if (t.unwatched === null) return;
    t.unwatched = null;
    t.unwatchedByProcess = false;
    t.unwatchedExecution = null;
    this.options.fire({ type: 'unwatchedGone', id: t.id });
  }

  // --- process tree -------------------------------------------------------------------------

  private async runsClaude(terminal: vscode.Terminal): Promise<boolean> {
    try {
      const pid = await terminal.processId;
      if (pid === undefined || !(pid > 0)) return false;
      return processesRunClaude(await this.options.processCommandLines(pid), this.options.patterns());
    } catch (err) {
      this.options.log.debug(`could not read the processes of "${terminal.name}": ${describeError(err)}`);
      return false;
    }
  }

  /** Flags the terminal when Claude Code runs in it unread, and unflags it when it no longer does. */
  private async checkProcesses(t: TrackedTerminal, reason: UnwatchedReason): Promise<void> {
    const runs = await this.runsClaude(t.terminal);
    if (!this.options.isCurrent(t) || this.options.isWatched(t)) return;
    if (runs) {
      if (t.unwatched === null || t.unwatchedByProcess) {
        this.mark(t, t.unwatched ?? reason, true, null);
      }
      this.recheck.add(t);
    } else if (t.unwatched !== null && t.unwatchedByProcess) {
      this.clear(t);
      if (t.terminal.shellIntegration !== undefined) this.recheck.delete(t);
    }
    this.updateRecheckTimer();
  }

  private updateRecheckTimer(): void {
    const wanted = this.recheck.size > 0;
    if (wanted && this.recheckTimer === null) {
      this.recheckTimer = this.options.timers.setInterval(() => void this.recheckAll(), this.options.recheckMs);
    } else if (!wanted && this.recheckTimer !== null) {
      this.options.timers.clearInterval(this.recheckTimer);
      this.recheckTimer = null;
    }
  }

  private async recheckAll(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      for (const t of [...this.recheck]) {
        const reason: UnwatchedReason = t.terminal.shellIntegration === undefined ? 'no-shell-integration' : 'started-before-activation';
        await this.checkProcesses(t, reason);
      }
    } finally {
      this.rechecking = false;
    }
  }
}
