// The notifier's thin boundary to VS Code; tests pass a recorder instead.
import * as vscode from 'vscode';
import type { NotifierUi } from './quotaNotifier';

export const vscodeNotifierUi: NotifierUi = {
  showWarningMessage: (message, ...items) => vscode.window.showWarningMessage(message, ...items),
  showInformationMessage: (message, ...items) => vscode.window.showInformationMessage(message, ...items),
  executeCommand: (command, ...args) => vscode.commands.executeCommand(command, ...args),
};
