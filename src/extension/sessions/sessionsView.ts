// The Sessions view (activity bar "Claude Quota") and the session commands: Show Sessions, Rescan
// tmux, Open Watched Terminal.
import * as vscode from 'vscode';
import { Emitter } from '../../core/base/event';
import type { ComponentLogger } from '../../core/base/logger';
import { resumeStatusText, type ResumeStatus } from '../../core/resume/resumeAttempts';
import { CommandIds } from '../commandIds';
import { Disposable } from '../disposable';
import type { SessionSource } from '../sources/sessionSource';
import { escapeThemeIcons } from '../themeIconText';
import type { SessionsController, UnwatchedTerminal, WatchedSession } from './sessionsController';
import { formatClock, formatCountdown, limitName, sourceLabel, stateLabel } from './sessionText';

export const SESSIONS_VIEW_ID = 'claudeQuota.sessions';

/** What the view needs of the terminal source beyond the contract; each member is optional. */
export interface TerminalSourceExtras {
  openWatchedTerminal?(cwd?: string | vscode.Uri): unknown;
  /** Shows the terminal of a watched session; false when it does not know the id. */
  reveal?(id: string): boolean;
}

/** Resume status per session (the resume controller), shown next to the session's state. */
export interface ResumeStatusFeed {
  status(id: string): ResumeStatus | undefined;
  readonly onDidChange: vscode.Event<void>;
}

export interface TmuxControls {
  rescan(): void;
  socketArgs(): string[];
}

type Node =
  | { readonly type: 'account'; readonly key: string; readonly label: string; readonly active: boolean; readonly sessions: readonly WatchedSession[] }
  | { readonly type: 'session'; readonly session: WatchedSession }
  | { readonly type: 'unwatchedGroup'; readonly terminals: readonly UnwatchedTerminal[] }
  | { readonly type: 'unwatched'; readonly terminal: UnwatchedTerminal };

const UNWATCHED_REASON: Record<UnwatchedTerminal['reason'], string> = {
  'no-shell-integration': 'no shell integration',
  'started-before-activation': 'started before the extension',
  'runs-tmux': 'runs tmux',
};

function sessionDescription(s: WatchedSession, now: Date): string {
  if (s.state === 'blocked' && s.resetsAt !== null) {
    return `${limitName(s.window)} · ${s.resetEstimated ? 'retry ~' : 'resets '}${formatClock(s.resetsAt, now)} (${formatCountdown(s.resetsAt.getTime() - now.getTime())})`;
  }
  return stateLabel(s.state);
}

function sessionIcon(s: WatchedSession): vscode.ThemeIcon {
  switch (s.state) {
    case 'blocked':
      return new vscode.ThemeIcon('watch', new vscode.ThemeColor('list.warningForeground'));
    case 'suspected':
      return new vscode.ThemeIcon('question', new vscode.ThemeColor('list.warningForeground'));
    default:
      return new vscode.ThemeIcon(s.kind === 'tmux' ? 'server-process' : 'terminal');
  }
}

class SessionsTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new Emitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  resume: ResumeStatusFeed | undefined;

  constructor(private readonly controller: SessionsController) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  getChildren(node?: Node): Node[] {
    if (node === undefined) {
      const snap = this.controller.snapshot();
      const groups = new Map<string, { label: string; active: boolean; sessions: WatchedSession[] }>();
      const activeKey = snap.activeAccount?.id ?? '';
      // The active account always has a group, so an empty view still says which account is used.
      groups.set(activeKey, { label: snap.activeAccount?.label ?? 'Current login (not saved)', active: true, sessions: [] });
      for (const s of snap.sessions) {
        const key = s.account?.id ?? '';
        let g = groups.get(key);
        if (g === undefined) {
          g = { label: s.account?.label ?? 'Current login (not saved)', active: key === activeKey, sessions: [] };
          groups.set(key, g);
        }
        g.sessions.push(s);
      }
      const out: Node[] = [...groups.entries()].map(([key, g]) => ({ type: 'account', key, ...g }));
      if (snap.unwatched.length > 0) out.push({ type: 'unwatchedGroup', terminals: snap.unwatched });
      return out;
    }
    if (node.type === 'account') return node.sessions.map((session) => ({ type: 'session', session }));
    if (node.type === 'unwatchedGroup') return node.terminals.map((terminal) => ({ type: 'unwatched', terminal }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const now = new Date();
    switch (node.type) {
      case 'account': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `account:${node.key}`;
        const blocked = node.sessions.filter((s) => s.state === 'blocked').length;
        item.description = [node.active ? 'active' : '', `${node.sessions.length} session${node.sessions.length === 1 ? '' : 's'}`, blocked > 0 ? `${blocked} blocked` : '']
          .filter((p) => p !== '')
          .join(' · ');
        item.iconPath = new vscode.ThemeIcon(node.active ? 'account' : 'person');
        item.contextValue = 'account';
        return item;
      }
      case 'session': {
        const s = node.session;
        const item = new vscode.TreeItem(s.where, vscode.TreeItemCollapsibleState.None);
        item.id = `session:${s.id}`;
        const resumed = this.resume?.status(s.id);
        const resumeText = resumed === undefined ? '' : resumeStatusText(resumed, (d) => formatClock(d, now));
        item.description = resumeText === '' ? sessionDescription(s, now) : `${sessionDescription(s, now)} · ${resumeText}`;
        item.iconPath = sessionIcon(s);
        const md = new vscode.MarkdownString();
        md.appendText(`${s.kind === 'tmux' ? 'tmux pane' : 'Terminal'} ${s.where}\n\n`);
        md.appendText(`Account: ${s.account?.label ?? 'current login (not saved)'} · ${stateLabel(s.state)}\n\n`);
        if (s.resetsAt !== null) md.appendText(`${limitName(s.window)}: resets ${s.resetsAt.toLocaleString()}${s.resetEstimated ? ' (estimated)' : ''}\n\n`);
        if (s.evidenceSources.length > 0) md.appendText(`Evidence: ${s.evidenceSources.map(sourceLabel).join(', ')}\n\n`);
        if (resumed !== undefined) md.appendText(`Resume: ${resumeText}${resumed.detail !== null ? ` (${resumed.detail})` : ''}`);
        item.tooltip = md;
        item.contextValue = `session.${s.kind}.${s.state}`;
        item.command = { command: CommandIds.showSessions, title: 'Show', arguments: [s.id] };
        return item;
      }
      case 'unwatchedGroup': {
        const item = new vscode.TreeItem('Not watched', vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'unwatched';
        item.description = `${node.terminals.length}`;
        item.iconPath = new vscode.ThemeIcon('eye-closed');
        item.contextValue = 'unwatchedGroup';
        return item;
      }
      case 'unwatched': {
        const t = node.terminal;
        const item = new vscode.TreeItem(t.where, vscode.TreeItemCollapsibleState.None);
        item.id = `unwatched:${t.id}`;
        item.description = UNWATCHED_REASON[t.reason];
        item.tooltip = `This terminal may run Claude Code but cannot be read (${UNWATCHED_REASON[t.reason]}). Use "Watch" to open a terminal that can be.`;
        item.iconPath = new vscode.ThemeIcon('terminal');
        item.contextValue = 'unwatchedTerminal';
        return item;
      }
    }
  }
}

interface SessionPick extends vscode.QuickPickItem {
  readonly session: WatchedSession;
}

export interface SessionsViewOptions {
  readonly sessions: SessionsController;
  readonly tmux: TmuxControls;
  /** The terminal source (it may expose openWatchedTerminal and reveal). */
  readonly terminals?: SessionSource & TerminalSourceExtras;
  /** Each session's resume status ("resuming", "resumed", "resume failed" with its time). */
  readonly resume?: ResumeStatusFeed;
  readonly logger?: ComponentLogger;
}

/** The Sessions tree view and the session commands. */
export class SessionsView extends Disposable {
  private readonly tree: SessionsTree;
  private readonly controller: SessionsController;
  private readonly tmux: TmuxControls;
  private readonly terminalSource: (SessionSource & TerminalSourceExtras) | undefined;
  private readonly log: ComponentLogger | undefined;

  constructor(opts: SessionsViewOptions) {
    super();
    const controller = (this.controller = opts.sessions);
    this.tmux = opts.tmux;
    this.terminalSource = opts.terminals;
    this.log = opts.logger;
    this.tree = this._register(new SessionsTree(controller));
    if (opts.resume) {
      this.tree.resume = opts.resume;
      this._register(opts.resume.onDidChange(() => this.tree.refresh()));
    }
    const view = this._register(vscode.window.createTreeView(SESSIONS_VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: false }));
    this._register(
      controller.onDidChange(() => {
        this.tree.refresh();
        const blocked = controller.snapshot().sessions.filter((s) => s.state === 'blocked').length;
        view.badge = blocked > 0 ? { value: blocked, tooltip: `${blocked} blocked session${blocked === 1 ? '' : 's'}` } : undefined;
      }),
    );
  }

  /** What the tree shows, row by row in order, indented by depth: "label — description". */
  rows(): string[] {
    const out: string[] = [];
    const walk = (node: Node | undefined, depth: number): void => {
      for (const child of this.tree.getChildren(node)) {
        const item = this.tree.getTreeItem(child);
        const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
        const description = typeof item.description === 'string' ? ` — ${item.description}` : '';
        out.push(`${'  '.repeat(depth)}${label}${description}`);
        walk(child, depth + 1);
      }
    };
    walk(undefined, 0);
    return out;
  }

  /** Quick pick of the watched sessions (or the one with this id); shows its terminal or tmux target. */
  async showSessions(id?: string): Promise<void> {
    const sessions = this.controller.snapshot().sessions;
    let chosen = id === undefined ? undefined : sessions.find((s) => s.id === id);
    if (chosen === undefined) {
      if (sessions.length === 0) {
        void vscode.window.showInformationMessage('Claude Quota: no Claude Code session is watched right now.');
        return;
      }
      const now = new Date();
      const picked = await vscode.window.showQuickPick<SessionPick>(
        sessions.map((s) => ({
          label: `$(${s.state === 'blocked' ? 'watch' : s.kind === 'tmux' ? 'server-process' : 'terminal'}) ${escapeThemeIcons(s.where)}`,
          description: `${escapeThemeIcons(s.account?.label ?? 'unsaved login')} · ${sessionDescription(s, now)}`,
          detail: s.kind === 'tmux' ? 'tmux pane' : 'VS Code terminal',
          session: s,
        })),
        { title: 'Claude Code sessions', placeHolder: 'Pick a session to show it' },
      );
      chosen = picked?.session;
    }
    if (chosen === undefined) return;
    if (chosen.kind === 'terminal') {
      if (this.terminalSource?.reveal?.(chosen.id) === true) return;
      // Without the source's help, a terminal is found by its name.
      const terminal = vscode.window.terminals.find((t) => t.name === chosen.where);
      if (terminal !== undefined) {
        terminal.show();
        return;
      }
      void vscode.window.showInformationMessage(`Claude Quota: the terminal "${chosen.where}" is not open in this window.`);
      return;
    }
    const attach = ['tmux', ...this.tmux.socketArgs(), 'attach', '-t', chosen.where.replace(/:.*/, '')].join(' ');
    const copy = 'Copy Attach Command';
    const answer = await vscode.window.showInformationMessage(`Claude Code runs in tmux pane ${chosen.where}. Attach with: ${attach}`, copy);
    if (answer === copy) await vscode.env.clipboard.writeText(attach);
  }

  openWatchedTerminal(arg?: unknown): unknown {
    const open = this.terminalSource?.openWatchedTerminal;
    // From a view item the argument is the tree node, which is no working directory.
    const cwd = typeof arg === 'string' || arg instanceof vscode.Uri ? arg : undefined;
    if (open !== undefined) return open.call(this.terminalSource, cwd);
    this.log?.info('Open Watched Terminal: no terminal source is running');
    void vscode.window.showInformationMessage(
      'Claude Quota: watching VS Code terminals is not available (enable "claudeQuota.sources.terminals"). Run Claude Code in a new terminal with shell integration to have it watched.',
    );
    return undefined;
  }
}
