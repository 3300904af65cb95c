import * as vscode from 'vscode';
import type { ProfileView } from '../core/accounts/accountManager';
import type { ResumeStatus } from '../core/resume/resumeAttempts';
import type { TimeContext } from '../core/detection/types';
import { AccountsController } from './accounts/accountsController';
import { AutoSwitchController, type AutoSwitchEvent, type AutoSwitchRecord } from './accounts/autoSwitchController';
import { vscodeAutoSwitchUi } from './accounts/autoSwitchUi';
import { SecretProfileStore } from './accounts/secretProfileStore';
import { CommandIds } from './commandIds';
import { ConfigurationWatcher, readSetting, type ConfigurationReader } from './configuration';
import { createOutputLog } from './outputLog';
import { vscodeNotifierUi } from './sessions/notifierUi';
import { registerResumeCommand } from './resume/resumeCommand';
import { ResumeController, type TypedInput } from './resume/resumeController';
import { QuotaNotifier, type ShownNotification } from './sessions/quotaNotifier';
import { SessionsController, type SessionsSnapshot } from './sessions/sessionsController';
import { SessionsView } from './sessions/sessionsView';
import type { SessionInfo, SourceEvent } from './sources/sessionSource';
import { TerminalSource } from './sources/terminalSource';
import { TmuxSessionSource } from './sources/tmuxSessionSource';
import { StatusBarController } from './statusBar/statusBarController';
import { claudeConfigDir, quotaHome } from '../core/accounts/claudePaths';
import type { UsageReport } from '../core/usage/usageReport';
import { usageStateFile } from '../core/usage/usageState';
import { usageTooltipLines } from './statusBar/usageTooltip';
import { UsageController } from './usage/usageController';
import { UsagePanel, type RenderedReport } from './usage/usagePanel';
import type { PanelData } from './usage/usagePanelModel';

/** What activate() returns to other extensions and the integration tests; never a secret. */
export interface ClaudeQuotaApi {
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

/**
 * Composition root: builds the controllers and hands everything they own to
 * context.subscriptions, so deactivation disposes every listener, command and timer.
 */
export function activate(context: vscode.ExtensionContext): ClaudeQuotaApi {
  const started = performance.now();
  // Built before the logger so every token the store loads is masked in the log from the start.
  const profileStore = new SecretProfileStore({ secrets: context.secrets, memento: context.globalState });
  const { channel, logger } = createOutputLog(undefined, { knownSecrets: () => profileStore.knownSecretValues() });
  context.subscriptions.push(channel);
  const log = logger.child('activate');

  context.subscriptions.push(
    vscode.commands.registerCommand(CommandIds.showLog, () => channel.show(true)),
  );

  const accounts = new AccountsController({
    store: profileStore,
    logger: logger.child('accounts'),
    env: process.env,
    knownSecrets: () => profileStore.knownSecretValues(),
  });
  context.subscriptions.push(accounts);
  void accounts.recoverAtStartup();

  const config = new ConfigurationWatcher();
  context.subscriptions.push(config);

  const terminalSource = new TerminalSource({
    settings: (key) => readSetting(key),
    config,
    window: vscode.window,
    logger: logger.child('terminals'),
  });
  context.subscriptions.push(terminalSource);

  // Sessions: every source feeds one detector; the status bar, the notifier and the view read its snapshot.
  const read: ConfigurationReader = (key) => readSetting(key);
  const tmuxSource = new TmuxSessionSource(config, read, logger.child('tmux'));
  const sessions = new SessionsController({
    accounts,
    config,
    read,
    sources: [terminalSource, tmuxSource],
    logger: logger.child('sessions'),
    env: process.env,
    // Switch Account then shows "exhausted until …" for an account that hit its limit.
    recordAccountState: (label, state) => accounts.setState(label, state),
  });
  const notifier = new QuotaNotifier(sessions, read, vscodeNotifierUi, { logger: logger.child('notify') });
  const sessionsView = new SessionsView(sessions, tmuxSource, logger.child('sessions'));
  sessionsView.setTerminalSource(terminalSource);
  // Usage per account from the transcripts; the state lives next to the account layer's.
  const configDir = claudeConfigDir({ env: process.env });
  const usage = new UsageController({
    accounts,
    sessions,
    read,
    ui: vscodeNotifierUi,
    configDir,
    stateFile: usageStateFile(quotaHome(process.env), configDir),
    recordUsage: (label, snapshot) => accounts.setUsage(label, snapshot),
    // New transcript lines are counted as the sessions' watcher sees them, not on a timer.
    transcriptChanges: sessions.onDidChangeTranscriptFiles,
    config,
    logger: logger.child('usage'),
  });
  const usagePanel = new UsagePanel(usage, context.extensionUri);
  context.subscriptions.push(usage, usagePanel, vscode.commands.registerCommand(CommandIds.showUsage, () => usagePanel.show()));
  const statusBar = new StatusBarController(accounts, config, undefined, undefined, sessions, {
    tooltipLines: () => usageTooltipLines(usage.report),
    onDidChange: usage.onDidChange,
  });
  context.subscriptions.push(tmuxSource, sessions, notifier, sessionsView, statusBar);

  // Auto-switch: confirmed blocks of the active account move Claude Code to another saved account.
  const autoSwitch = new AutoSwitchController({
    accounts,
    sessions,
    config,
    read,
    ui: vscodeAutoSwitchUi,
    memento: context.globalState,
    logger: logger.child('autoswitch'),
    knownSecrets: () => profileStore.knownSecretValues(),
  });
  context.subscriptions.push(autoSwitch);
  // Resuming: after a switch or a reset, "continue" goes into the sessions seen blocked.
  const resume = new ResumeController({
    sessions,
    targetFor: (id) => (id.startsWith('tmux:') ? tmuxSource : id.startsWith('terminal:') ? terminalSource : undefined),
    read,
    logger: logger.child('resume'),
  });
  sessionsView.setResumeStatus(resume);
  context.subscriptions.push(resume, registerResumeCommand(resume));

  const version = (context.extension.packageJSON as { version?: string }).version ?? 'unknown';
  log.info(`Claude Quota Sentinel ${version} activated in ${(performance.now() - started).toFixed(1)} ms`);

  return {
    accounts: { list: () => accounts.list() },
    statusBarText: () => statusBar.text,
    logDir: context.logUri.fsPath,
    sessions: () => sessions.snapshot(),
    sessionsViewRows: () => sessionsView.rows(),
    notificationsShown: () => notifier.shown.map((n) => n.message),
    notifications: () => [...notifier.shown],
    autoSwitch: {
      onDidAutoSwitch: autoSwitch.onDidAutoSwitch,
      history: () => autoSwitch.history(),
      statusText: () => autoSwitch.statusText,
      undo: () => autoSwitch.undo(),
      settled: () => autoSwitch.settled(),
    },
    usage: {
      report: () => usage.report,
      refresh: () => usage.refresh(),
      warningsShown: () => usage.warningsShown,
      panel: () => ({ open: usagePanel.isOpen, posted: usagePanel.posted, rendered: usagePanel.rendered }),
    },
    resume: { statuses: () => resume.allStatuses(), typed: () => resume.typed() },
    terminalSource: {
      onEvent: terminalSource.onEvent,
      sessions: () => terminalSource.sessions(),
      screenLines: (id) => terminalSource.screenLines(id),
      openWatchedTerminal: (cwd) => terminalSource.openWatchedTerminal(cwd),
      setTimeContext: (fn) => terminalSource.setTimeContext(fn),
    },
  };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
