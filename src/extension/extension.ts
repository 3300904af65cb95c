import * as vscode from 'vscode';
import type { ProfileView } from '../core/accounts/accountManager';
import { AccountsController } from './accounts/accountsController';
import { SecretProfileStore } from './accounts/secretProfileStore';
import { CommandIds } from './commandIds';
import { ConfigurationWatcher } from './configuration';
import { createOutputLog } from './outputLog';
import { StatusBarController } from './statusBar/statusBarController';

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
  const statusBar = new StatusBarController(accounts, config);
  context.subscriptions.push(config, statusBar);

  const version = (context.extension.packageJSON as { version?: string }).version ?? 'unknown';
  log.info(`Claude Quota Sentinel ${version} activated in ${(performance.now() - started).toFixed(1)} ms`);

  return {
    accounts: { list: () => accounts.list() },
    statusBarText: () => statusBar.text,
    logDir: context.logUri.fsPath,
  };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
