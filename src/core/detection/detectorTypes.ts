// What the quota detector takes in and gives out: its signals, events, per-session views and options.
import type { ListenerErrorLog } from '../base/event';
import type { Classification, LimitWindow } from './types';

export type SignalSource = 'terminal' | 'tmux' | 'transcript' | 'cli';

export interface AccountRef {
  readonly id: string;
  readonly label: string;
}

export type DetectorSignal =
  | {
      readonly kind: 'classification';
      readonly classification: Classification;
      readonly source: SignalSource;
      readonly at: Date;
      /** The reset instant is exact (e.g. an epoch from a transcript), not read off rendered text. */
      readonly exact?: boolean;
    }
  /** A normal assistant response: the account is serving requests again. */
  | { readonly kind: 'activity'; readonly source: SignalSource; readonly at: Date }
  /** Claude Code said the limit has reset. */
  | { readonly kind: 'limit-reset'; readonly source: SignalSource; readonly at: Date };

export interface Evidence {
  readonly text: string;
  readonly source: SignalSource;
  readonly at: Date;
}

export type ClearReason = 'reset-passed' | 'limit-reset' | 'activity' | 'switched';
export type DismissReason = 'expired' | 'limit-reset' | 'activity' | 'switched';
export type ErrorKind = 'server' | 'throttle' | 'auth' | 'billing';

interface EventBase {
  readonly sessionId: string;
  readonly account: AccountRef | null;
  readonly at: Date;
}

export interface SuspectedEvent extends EventBase {
  readonly type: 'suspected';
  readonly window: LimitWindow | null;
  readonly evidence: Evidence;
  /** When the suspicion lapses without confirmation. */
  readonly expiresAt: Date;
}

/** A suspicion that lapsed or was contradicted before it was confirmed. */
export interface DismissedEvent extends EventBase {
  readonly type: 'dismissed';
  readonly reason: DismissReason;
}

export interface BlockedEvent extends EventBase {
  readonly type: 'blocked';
  readonly window: LimitWindow | null;
  readonly resetsAt: Date;
  /** resetsAt is the fallback retry interval, not a time anybody stated. */
  readonly resetEstimated: boolean;
  readonly evidence: readonly Evidence[];
}

export interface UpdatedEvent extends EventBase {
  readonly type: 'updated';
  readonly window: LimitWindow | null;
  readonly resetsAt: Date;
  readonly resetEstimated: boolean;
  readonly previousResetsAt: Date;
  readonly evidence: Evidence;
}

export interface ClearedEvent extends EventBase {
  readonly type: 'cleared';
  readonly reason: ClearReason;
  /** The account the block was about (it may differ from the session's current account). */
  readonly blockedAccount: AccountRef | null;
  readonly window: LimitWindow | null;
}

export interface ErrorEvent extends EventBase {
  readonly type: 'error';
  readonly kind: ErrorKind;
  readonly evidence: Evidence;
}

export interface WarningEvent extends EventBase {
  readonly type: 'warning';
  readonly window: LimitWindow | null;
  readonly evidence: Evidence;
}

export type DetectorEvent =
  | SuspectedEvent
  | DismissedEvent
  | BlockedEvent
  | UpdatedEvent
  | ClearedEvent
  | ErrorEvent
  | WarningEvent;

export type SessionState = 'ok' | 'suspected' | 'blocked' | 'cleared';

export interface BlockView {
  readonly account: AccountRef | null;
  readonly window: LimitWindow | null;
  readonly since: Date;
  readonly resetsAt: Date;
  readonly resetEstimated: boolean;
  readonly exact: boolean;
  readonly evidence: readonly Evidence[];
}

export interface SuspicionView {
  readonly window: LimitWindow | null;
  readonly since: Date;
  readonly expiresAt: Date;
  readonly evidence: Evidence;
}

export interface SessionView {
  readonly sessionId: string;
  readonly account: AccountRef | null;
  readonly state: SessionState;
  readonly block: BlockView | null;
  readonly suspicion: SuspicionView | null;
  readonly lastCleared: { readonly reason: ClearReason; readonly at: Date } | null;
  /** End of the cooldown for the evidence of the last block or switch; null when none is running. */
  readonly cooldownUntil: Date | null;
}

export interface DetectorOptions {
  /** How long a suspicion waits for a confirming signal. */
  readonly confirmWindowMs?: number;
  /** How long, after a block or an account switch, the same evidence text cannot block again. */
  readonly cooldownMs?: number;
  /** Assumed time to reset when no reset time is known. */
  readonly fallbackRetryMs?: number;
  /** Where a failing listener is reported; the detector's state change goes on either way. */
  readonly log?: ListenerErrorLog;
}
