import type * as vscode from 'vscode';
import type { Classification } from '../../core/detection/types';

/** Where a watched Claude Code session runs. */
export type SessionKind = 'terminal' | 'tmux';

export interface SessionInfo {
  /** Stable for the session's lifetime, unique across sources (e.g. "terminal:3", "tmux:%5"). */
  readonly id: string;
  readonly kind: SessionKind;
  /** What the user recognises: the terminal's name, or tmux "session:window.pane". */
  readonly where: string;
}

/** Why a terminal that may run Claude Code cannot be read. */
export type UnwatchedReason = 'no-shell-integration' | 'started-before-activation' | 'runs-tmux';

export type SourceEvent =
  | { readonly type: 'sessionAdded'; readonly session: SessionInfo }
  | { readonly type: 'sessionRemoved'; readonly id: string }
  /** A screen update with a verdict other than none. */
  | { readonly type: 'verdict'; readonly id: string; readonly classification: Classification; readonly at: Date }
  | { readonly type: 'unwatched'; readonly id: string; readonly where: string; readonly reason: UnwatchedReason }
  | { readonly type: 'unwatchedGone'; readonly id: string };

/**
 * A feed of sessions and their verdicts. The terminal and tmux sources implement it; the sessions
 * controller consumes them all the same way.
 */
export interface SessionSource extends vscode.Disposable {
  readonly onEvent: vscode.Event<SourceEvent>;
  /** Sessions currently watched (for a controller that subscribes late). */
  sessions(): readonly SessionInfo[];
}
