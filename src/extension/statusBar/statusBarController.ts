import * as vscode from 'vscode';
import type { StatusLineRecord } from '../../core/bridge/bridgeRecords';
import type { AccountsFeed, SessionsSnapshotFeed } from '../ports';
import type { ProfileView } from '../../core/accounts/accountManager';
import { DeadlineTimer, nodeTimers } from '../../core/base/timers';
import { CommandIds } from '../commandIds';
import { ConfigurationWatcher, readSetting } from '../configuration';
import { Disposable } from '../disposable';
import { describeWatch, WatchView } from './statusView';

export const STATUS_ITEM_ID = 'claudeQuota.status';

export interface StatusBarControllerOptions {
  readonly accounts: AccountsFeed;
  readonly config: ConfigurationWatcher;
  /** The watched sessions, when the sessions controller runs. */
  readonly sessions?: SessionsSnapshotFeed;
  /** The usage section of the tooltip. */
  readonly extra?: StatusBarExtra;
  /** Claude Code's own limit figures (the bridge's statusLine records). */
  readonly exact?: { readonly latest: StatusLineRecord | null; readonly onDidChange: vscode.Event<void> };
  readonly createItem?: () => vscode.StatusBarItem;
  readonly enabled?: () => boolean;
}

/** Markdown lines for the tooltip (the usage section) and when they change. */
export interface StatusBarExtra {
  tooltipLines(): readonly string[];
  readonly onDidChange: vscode.Event<void>;
}

const NO_SESSIONS: SessionsSnapshotFeed = {
  snapshot: () => ({ activeAccount: null, sessions: [], unwatched: [] }),
  onDidChange: () => ({ dispose: () => undefined }),
};

/**
 * The status bar item: shows the active account and opens Switch Account. While a session of the
 * active account is blocked it counts down to the reset (each minute, each second in the last one)
 * on the warning background. It exists only while `claudeQuota.statusBar.enabled` is on.
 */
export class StatusBarController extends Disposable {
  private item: vscode.StatusBarItem | undefined;
  private refreshing: Promise<void> = Promise.resolve();
  private profiles: readonly ProfileView[] = [];
  private readonly countdown = new DeadlineTimer(nodeTimers);

  private readonly source: AccountsFeed;
  private readonly createItem: () => vscode.StatusBarItem;
  private readonly enabled: () => boolean;
  private readonly sessions: SessionsSnapshotFeed;
  private readonly extra: StatusBarExtra | undefined;
  private readonly exact: StatusBarControllerOptions['exact'];
  /** A record is the active account's only when written after it became active (records do not name it). */
  private activeId: string | null | undefined = undefined;
  private activeSince = Date.now();

  constructor(opts: StatusBarControllerOptions) {
    super();
    const { config } = opts;
    const source = (this.source = opts.accounts);
    this.createItem = opts.createItem ?? (() => vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Right, 100));
    this.enabled = opts.enabled ?? (() => readSetting('statusBar.enabled'));
    const sessions = (this.sessions = opts.sessions ?? NO_SESSIONS);
    const extra = (this.extra = opts.extra);
    this._register(config.onChange(['statusBar.enabled'], () => this.apply()));
    this._register(source.onDidChangeAccounts(() => void this.refresh()));
    this._register(sessions.onDidChange(() => this.render()));
    if (extra) this._register(extra.onDidChange(() => this.render()));
    this.exact = opts.exact;
    if (opts.exact) this._register(opts.exact.onDidChange(() => this.render()));
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
    this.countdown.clear();
    this.item?.dispose();
    this.item = undefined;
  }

  /** Serialised so a slow list never overwrites a newer one. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      if (!this.item) return;
      try {
        this.profiles = await this.source.list();
      } catch {
        this.profiles = [];
      }
      const active = this.profiles.find((p) => p.active)?.id ?? null;
      if (this.activeId !== undefined && active !== this.activeId) this.activeSince = Date.now();
      this.activeId = active;
      this.render();
    });
    return this.refreshing;
  }

  /** Applies the current accounts and sessions; re-arms the countdown while one runs. */
  private render(): void {
    this.countdown.clear();
    const item = this.item;
    if (!item || this.isDisposed) return;
    const record = this.exact?.latest ?? null;
    const exact = record !== null && record.observedAt.getTime() >= this.activeSince ? record.windows : [];
    const view: WatchView = describeWatch(this.profiles, this.sessions.snapshot(), new Date(), undefined, this.extra?.tooltipLines() ?? [], exact);
    item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltipMarkdown, true);
    tooltip.isTrusted = false;
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
    item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    if (view.nextUpdateMs !== null) this.countdown.arm(view.nextUpdateMs, () => this.render());
  }
}
