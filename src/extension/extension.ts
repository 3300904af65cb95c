import * as vscode from 'vscode';
import { CommandIds } from './commandIds';
import { createOutputLog } from './outputLog';

/**
 * Composition root: builds the controllers and hands everything they own to
 * context.subscriptions, so deactivation disposes every listener, command and timer.
 */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const { channel, logger } = createOutputLog();
  context.subscriptions.push(channel);
  const log = logger.child('activate');

  context.subscriptions.push(
    vscode.commands.registerCommand(CommandIds.showLog, () => channel.show(true)),
  );

  const version = (context.extension.packageJSON as { version?: string }).version ?? 'unknown';
  log.info(`Claude Quota Sentinel ${version} activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
