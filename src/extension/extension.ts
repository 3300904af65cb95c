import * as vscode from 'vscode';
import { ExactUsageFeed } from '../core/bridge/exactUsageFeed';
import { bridgeLayout } from '../core/bridge/bridgeShims';
import { describeError } from '../core/base/errors';
import { API_VERSION, type ClaudeQuotaApi, type ClaudeQuotaTestHooks } from './api';
import { AccountsController } from './accounts/accountsController';
import { AutoSwitchController } from './accounts/autoSwitchController';
import { vscodeAutoSwitchUi } from './accounts/autoSwitchUi';
import { SecretProfileStore } from './accounts/secretProfileStore';
import { ConfigurationWatcher, readSetting, type ConfigurationReader } from './configuration';
import { createOutputLog } from './outputLog';
import { vscodeNotifierUi } from './sessions/notifierUi';
import { resumeBlockedSessions } from './resume/resumeCommand';
import { registerCommands, stringArg } from './commands';
import { ResumeController, type ResumeTarget } from './resume/resumeController';
import { QuotaNotifier } from './sessions/quotaNotifier';
import { SessionsController } from './sessions/sessionsController';
import { SessionsView } from './sessions/sessionsView';
import type { SessionSource } from './sources/sessionSource';
import { TerminalSource } from './sources/terminalSource';
import { TmuxSessionSource } from './sources/tmuxSessionSource';
import { StatusBarController } from './statusBar/statusBarController';
import { claudeConfigDir, quotaHome } from '../core/accounts/claudePaths';
import { usageStateFile } from '../core/usage/usageState';
import { usageTooltipLines } from './statusBar/usageTooltip';
import { UsageController } from './usage/usageController';
import { UsagePanel } from './usage/usagePanel';

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

  const own = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  const accounts = own(
    new AccountsController({
      store: profileStore,
      logger: logger.child('accounts'),
      env: process.env,
      knownSecrets: () => profileStore.knownSecretValues(),
    }),
  );
  void accounts.recoverAtStartup();

  const config = own(new ConfigurationWatcher());
  const read: ConfigurationReader = (key) => readSetting(key);
  const terminalSource = own(new TerminalSource({ settings: read, config, window: vscode.window, logger: logger.child('terminals') }));
  const tmuxSource = own(new TmuxSessionSource({ config, read, logger: logger.child('tmux') }));

  // Sessions: every source feeds one detector; the status bar, the notifier and the view read its snapshot.
  const sessions = own(
    new SessionsController({
      accounts,
      config,
      read,
      sources: [terminalSource, tmuxSource],
      logger: logger.child('sessions'),
      env: process.env,
      // Switch Account then shows "exhausted until …" for an account that hit its limit.
      recordAccountState: (label, state) => accounts.setState(label, state),
    }),
  );
  const notifier = own(new QuotaNotifier({ sessions, read, ui: vscodeNotifierUi, logger: logger.child('notify') }));

  // Usage per account from the transcripts; the state lives next to the account layer's.
  const configDir = claudeConfigDir({ env: process.env });
  const usage = own(
    new UsageController({
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
    }),
  );
  const usagePanel = own(new UsagePanel(usage, context.extensionUri));
  // Claude Code's own figures, when the bridge is connected (claude-quota bridge install).
  const exact = own(new ExactUsageFeed({ layout: bridgeLayout(quotaHome(process.env)), log: logger.child('bridge') }));
  exact.start().catch((err: unknown) => logger.child('bridge').warn(`Not reading the bridge's records: ${describeError(err)}`));
  const statusBar = own(
    new StatusBarController({
      accounts,
      config,
      sessions,
      exact,
      extra: { tooltipLines: () => usageTooltipLines(usage.report), onDidChange: usage.onDidChange },
    }),
  );

  // Auto-switch: confirmed blocks of the active account move Claude Code to another saved account.
  const autoSwitch = own(
    new AutoSwitchController({
      accounts,
      sessions,
      config,
      read,
      ui: vscodeAutoSwitchUi,
      memento: context.globalState,
      logger: logger.child('autoswitch'),
      knownSecrets: () => profileStore.knownSecretValues(),
    }),
  );
  // Resuming: after a switch or a reset, "continue" goes into the sessions seen blocked, through
  // the source that reported each one.
  const resumeTargets = new Map<SessionSource, ResumeTarget>([
    [terminalSource, terminalSource],
    [tmuxSource, tmuxSource],
  ]);
  const resume = own(
    new ResumeController({
      sessions,
      targetFor: (id) => {
        const source = sessions.sourceOf(id);
        return source ? resumeTargets.get(source) : undefined;
      },
      read,
      logger: logger.child('resume'),
    }),
  );
  const sessionsView = own(new SessionsView({ sessions, tmux: tmuxSource, terminals: terminalSource, resume, logger: logger.child('sessions') }));

  own(
    registerCommands({
      showLog: () => channel.show(true),
      addAccount: (label) => accounts.addAccount(stringArg(label)),
      switchAccount: (label) => accounts.switchAccount(stringArg(label)),
      renameAccount: (from, to) => accounts.renameAccount(stringArg(from), stringArg(to)),
      removeAccount: (label) => accounts.removeAccount(stringArg(label)),
      showSessions: (id) => sessionsView.showSessions(typeof id === 'string' ? id : undefined),
      rescanTmux: () => tmuxSource.rescan(),
      openWatchedTerminal: (arg) => sessionsView.openWatchedTerminal(arg),
      showUsage: () => usagePanel.show(),
      resumeBlockedSessions: () => resumeBlockedSessions(resume),
    }),
  );

  const version = (context.extension.packageJSON as { version?: string }).version ?? 'unknown';
  log.info(`Claude Quota Sentinel ${version} activated in ${(performance.now() - started).toFixed(1)} ms`);

  const testing: ClaudeQuotaTestHooks = {
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
  return {
    version: API_VERSION,
    listAccounts: () => accounts.list(),
    sessions: () => sessions.snapshot(),
    onDidChangeSessions: sessions.onDidChange,
    onDidAutoSwitch: autoSwitch.onDidAutoSwitch,
    usage: () => usage.report,
    testing: context.extensionMode === vscode.ExtensionMode.Production ? undefined : testing,
  };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
