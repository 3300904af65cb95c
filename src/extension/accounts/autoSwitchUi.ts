// Auto-switch's thin boundary to VS Code; tests pass a recorder instead.
import * as vscode from 'vscode';
import { CommandIds } from '../commandIds';
import { SECTION } from '../settings';
import type { AutoSwitchStatusItem, AutoSwitchUi } from './autoSwitchController';

export const EXHAUSTED_ITEM_ID = 'claudeQuota.allExhausted';

function createStatusItem(): AutoSwitchStatusItem {
  // Right of the account item (priority 100), so the two read together.
  const item = vscode.window.createStatusBarItem(EXHAUSTED_ITEM_ID, vscode.StatusBarAlignment.Right, 99);
  item.name = 'Claude Quota: All Accounts Exhausted';
  item.command = CommandIds.switchAccount;
  item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  return {
    update: (view) => {
      item.text = view.text;
      const tooltip = new vscode.MarkdownString(view.tooltipMarkdown, true);
      tooltip.isTrusted = false;
      item.tooltip = tooltip;
      item.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
      item.show();
    },
    dispose: () => item.dispose(),
  };
}

export const vscodeAutoSwitchUi: AutoSwitchUi = {
  showInformationMessage: (message, ...items) => vscode.window.showInformationMessage(message, ...items),
  showWarningMessage: (message, ...items) => vscode.window.showWarningMessage(message, ...items),
  showErrorMessage: (message) => vscode.window.showErrorMessage(message),
  enableAutoSwitch: () => vscode.workspace.getConfiguration(SECTION).update('autoSwitch.enabled', true, vscode.ConfigurationTarget.Global),
  settingExplicitlySet: () => {
    const i = vscode.workspace.getConfiguration(SECTION).inspect<boolean>('autoSwitch.enabled');
    return i?.globalValue !== undefined || i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
  },
  createStatusItem,
};
