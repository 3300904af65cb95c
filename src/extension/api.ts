// What activate() returns. Other extensions may rely on ClaudeQuotaApi (read-only, versioned, never a
// secret); the integration tests' hooks are kept apart in `testing`, present only when VS Code runs
// the extension for development or tests.
import type * as vscode from 'vscode';
import type { ProfileView } from '../core/accounts/accountManager';
import type { ResumeStatus } from '../core/resume/resumeAttempts';
import type { TimeContext } from '../core/detection/types';
import type { UsageReport } from '../core/usage/usageReport';
import type { AutoSwitchEvent, AutoSwitchRecord } from './accounts/autoSwitchController';
import type { TypedInput } from './resume/resumeController';
import type { ShownNotification } from './sessions/quotaNotifier';
import type { SessionsSnapshot } from './sessions/sessionsController';
import type { SessionInfo, SourceEvent } from './sources/sessionSource';
import type { RenderedReport } from './usage/usagePanel';
import type { PanelData } from './usage/usagePanelModel';

export const API_VERSION = 1;

export interface ClaudeQuotaApi {
  readonly version: typeof API_VERSION;
  /** Saved accounts with their state and which one is active (labels, emails, plans; no token). */
  listAccounts(): Promise<ProfileView[]>;
  /** Watched sessions with their state, account and reset time, and unwatched terminals. */
  sessions(): SessionsSnapshot;
  /** Fires when the sessions snapshot changes. */
  readonly onDidChangeSessions: vscode.Event<void>;
  /** Fires after each automatic switch (and Undo): labels and the reason only. */
  readonly onDidAutoSwitch: vscode.Event<AutoSwitchEvent>;
  /** The latest per-account usage report, or null before the first scan. */
  usage(): UsageReport | null;
  /** Only when the extension runs for development or tests. */
  readonly testing?: ClaudeQuotaTestHooks;
}

/** What the integration tests look at and drive, besides the public API; never a secret. */
export interface ClaudeQuotaTestHooks {
  readonly accounts: {
    /** Saved accounts with their state and which one is active. */
    list(): Promise<ProfileView[]>;
  };
  /** The status bar item's text, or undefined while it is turned off. */
  statusBarText(): string | undefined;
  /** This extension's log folder (context.logUri); the output channel's file is in or next to it. */
  readonly logDir: string;
  /** Watched sessions with their state, account and reset time, and unwatched terminals. */
  sessions(): SessionsSnapshot;
  /** The Sessions view's rows in order, indented by depth: "label — description". */
  sessionsViewRows(): readonly string[];
  /** Texts of the notifications shown so far (quota hits, reminders, server-error notices); never a secret. */
  notificationsShown(): readonly string[];
  /** The same notifications with their kind and action buttons. */
  notifications(): readonly ShownNotification[];
  /** Automatic account switching. */
  readonly autoSwitch: {
    /** Fires after each automatic switch (and Undo): labels and the reason only. */
    readonly onDidAutoSwitch: vscode.Event<AutoSwitchEvent>;
    /** Every auto-switch decision so far (switches, notices, the prompt), oldest first. */
    history(): readonly AutoSwitchRecord[];
    /** The "all accounts exhausted" status item's text, or undefined while it is hidden. */
    statusText(): string | undefined;
    /** What the switch notification's Undo does. */
    undo(): Promise<void>;
    /** Resolves once every pending auto-switch input has been handled. */
    settled(): Promise<void>;
  };
  /** Per-account token usage: the latest report, a fresh scan, the warnings and the panel's state. */
  readonly usage: {
    report(): UsageReport | null;
    refresh(): Promise<void>;
    warningsShown(): readonly string[];
    /** The panel: whether it is open, the data posted to it, and what its page drew. */
    panel(): { readonly open: boolean; readonly posted: PanelData | undefined; readonly rendered: RenderedReport | undefined };
  };
  /** Resuming stalled sessions: each session's latest resume status, and every input typed so far. */
  readonly resume: {
    statuses(): ReadonlyMap<string, ResumeStatus>;
    typed(): readonly TypedInput[];
  };
  /** The integrated-terminal source: what it watches and reports. */
  readonly terminalSource: {
    readonly onEvent: vscode.Event<SourceEvent>;
    sessions(): readonly SessionInfo[];
    /** The rendered screen of a watched terminal session (what the classifier and resume read). */
    screenLines(id: string): readonly string[] | undefined;
    /** A new terminal running `claude` through shell integration, so it is read from the start. */
    openWatchedTerminal(cwd?: string | vscode.Uri): vscode.Terminal;
    /** Tests replaying recordings: the time and zone reset times are read in; undefined restores now and the local zone. */
    setTimeContext(fn: (() => TimeContext) | undefined): void;
  };
}

