import * as vscode from 'vscode';
import type { ProfileView } from '../../core/accounts/accountManager';
import { CommandIds } from '../commandIds';
import { ConfigurationWatcher, readSetting } from '../configuration';
import { Disposable } from '../disposable';
import { describeStatus, StatusView } from './statusView';

export const STATUS_ITEM_ID = 'claudeQuota.status';

export interface StatusBarSource {
  list(): Promise<ProfileView[]>;
  readonly onDidChangeAccounts: vscode.Event<void>;
}

/**
 * The status bar item: shows the active account and opens Switch Account. It exists only while
 * `claudeQuota.statusBar.enabled` is on; turning the setting off disposes it.
 */
export class StatusBarController extends Disposable {
  private item: vscode.StatusBarItem | undefined;
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    private readonly source: StatusBarSource,
    config: ConfigurationWatcher,
    private readonly createItem: () => vscode.StatusBarItem = () => vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Right, 100),
    private readonly enabled: () => boolean = () => readSetting('statusBar.enabled'),
  ) {
    super();
    this._register(config.onChange(['statusBar.enabled'], () => this.apply()));
    this._register(source.onDidChangeAccounts(() => void this.refresh()));
    this._register({ dispose: () => this.hide() });
    this.apply();
  }

  /** The item's current text, for tests and diagnostics. */
  get text(): string | undefined {
    return this.item?.text;
  }

  private apply(): void {
    if (this.enabled()) {
      if (!this.item) {
        const item = this.createItem();
        item.name = 'Claude Quota';
        item.command = CommandIds.switchAccount;
        item.text = '$(account) Claude';
        item.accessibilityInformation = { label: 'Claude account. Activate to switch account.', role: 'button' };
        item.show();
        this.item = item;
      }
      void this.refresh();
    } else {
      this.hide();
    }
  }

  private hide(): void {
    this.item?.dispose();
    this.item = undefined;
  }

  /** Serialised so a slow list never overwrites a newer one. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      if (!this.item) return;
      let view: StatusView;
      try {
        view = describeStatus(await this.source.list());
      } catch {
        view = describeStatus([]);
      }
      if (!this.item) return;
      this.item.text = view.text;
      this.item.tooltip = view.tooltip;
      this.item.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
    });
    return this.refreshing;
  }
}
