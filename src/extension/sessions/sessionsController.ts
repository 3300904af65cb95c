// Owns the quota detector for every watched Claude Code session: feeds it the sources' verdicts and
// the transcripts' signals, maps sessions to the active account, drives its expiries with one timer,
// and publishes a snapshot for the status bar, the notifier and the Sessions view.
//
// No runtime vscode import (events use the core's Emitter), so the whole controller runs in plain Node tests.
import type { AccountsFeed } from '../ports';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { ProfileView } from '../../core/accounts/accountManager';
import { claudeConfigDir } from '../../core/accounts/claudePaths';
import type { AccountState } from '../../core/accounts/schemas';
import {
  QuotaDetector,
  type AccountRef,
  type DetectorEvent,
  type ErrorKind,
  type SessionState,
  type SignalSource,
} from '../../core/detection/detector';
import { describeError } from '../../core/base/errors';
import type { ComponentLogger } from '../../core/base/logger';
import { toDetectorSignal } from '../../core/sources/transcripts/transcriptRecord';
import { TranscriptWatcher, type TranscriptEvent } from '../../core/sources/transcripts/transcriptWatcher';
import type { LimitWindow } from '../../core/detection/types';
import type { ConfigurationReader, SettingKey } from '../configuration';
import { Disposable } from '../disposable';
import type { SessionInfo, SessionKind, SessionSource, SourceEvent, UnwatchedReason } from '../sources/sessionSource';
import { Emitter } from '../../core/base/event';
import { DeadlineTimer, nodeTimers, type Timers } from '../../core/base/timers';

export interface ConfigChanges {
  onChange(keys: SettingKey[], run: () => void): vscode.Disposable;
}

/** What the controller needs of a transcript watcher (TranscriptWatcher, or a fake in tests). */
export interface TranscriptFeed {
  onSignal(listener: (event: TranscriptEvent) => void): { dispose(): void };
  /** The transcripts that changed, after each batch of reads (TranscriptWatcher.onFilesChanged). */
  onFilesChanged?(listener: (paths: readonly string[]) => void): { dispose(): void };
  start(): Promise<void>;
  dispose(): void;
}

export interface SessionsControllerOptions {
  readonly accounts: AccountsFeed;
  readonly config: ConfigChanges;
  readonly read: ConfigurationReader;
  readonly sources?: readonly SessionSource[];
  readonly logger?: ComponentLogger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly timers?: Timers;
  readonly now?: () => Date;
  readonly createTranscriptFeed?: (configDir: string) => TranscriptFeed;
  /** Records an account's state (AccountManager.setState), so Switch Account shows "exhausted until …". */
  readonly recordAccountState?: (label: string, state: AccountState) => Promise<void>;
}

export interface WatchedSession {
  readonly id: string;
  readonly kind: SessionKind;
  readonly where: string;
  readonly account: AccountRef | null;
  readonly state: SessionState;
  readonly window: LimitWindow | null;
  /** Set while blocked. */
  readonly resetsAt: Date | null;
  readonly resetEstimated: boolean;
  /** Since when the session is blocked or suspected. */
  readonly since: Date | null;
  /** Which sources gave the evidence of the block or suspicion (deduplicated, in order). */
  readonly evidenceSources: readonly SignalSource[];
  readonly lastError: { readonly kind: ErrorKind; readonly at: Date } | null;
}

export interface UnwatchedTerminal {
  readonly id: string;
  readonly where: string;
  readonly reason: UnwatchedReason;
}

export interface SessionsSnapshot {
  readonly activeAccount: AccountRef | null;
  /** Sorted by where. */
  readonly sessions: readonly WatchedSession[];
  readonly unwatched: readonly UnwatchedTerminal[];
}

interface Entry {
  readonly info: SessionInfo;
  lastError: { kind: ErrorKind; at: Date } | null;
}

export const EMPTY_SNAPSHOT: SessionsSnapshot = { activeAccount: null, sessions: [], unwatched: [] };

/**
 * Transcript rule. A transcript line names Claude Code's own session id and cwd, which neither a
 * terminal nor a tmux pane exposes, so a line cannot be pinned to one watched session. The limit is the
 * account's, though, so a quota line confirms (or gives the exact reset time of) every blocked or
 * suspected session of the active account. Activity and error lines are not applied: they could come
 * from a session that is not watched, and a watched session's own screen reports them anyway.
 */
export class SessionsController extends Disposable {
  private readonly detector: QuotaDetector;
  private readonly entries = new Map<string, Entry>();
  private readonly unwatched = new Map<string, UnwatchedTerminal>();
  private readonly timers: Timers;
  private readonly now: () => Date;
  private readonly log: ComponentLogger | undefined;
  private readonly deadline: DeadlineTimer;
  private active: AccountRef | null = null;
  /** False until the first account list arrived: the first active account is not a switch. */
  private accountsKnown = false;
  private accountsRefresh: Promise<void> = Promise.resolve();
  private transcripts: TranscriptFeed | null = null;
  private cached: SessionsSnapshot | null = null;

  private readonly changed = this._register(new Emitter<void>(() => this.log));
  /** Fires whenever the snapshot may have changed. */
  readonly onDidChange = this.changed.event;
  private readonly detected = this._register(new Emitter<DetectorEvent>(() => this.log));
  /** Every detector event (blocked, updated, cleared, error, …), after the snapshot reflects it. */
  readonly onDetectorEvent = this.detected.event;
  /** Which source each watched session came from; pruned when the session goes. */
  private readonly owners = new Map<string, SessionSource>();
  private readonly transcriptFiles = this._register(new Emitter<readonly string[]>(() => this.log));
  /**
   * The transcript files that changed (paths under <config>/projects), from whichever watcher runs
   * while transcripts are read; usage accounting scans these instead of listing every transcript.
   */
  readonly onDidChangeTranscriptFiles = this.transcriptFiles.event;

  constructor(private readonly opts: SessionsControllerOptions) {
    super();
    this.timers = opts.timers ?? nodeTimers;
    this.now = opts.now ?? (() => new Date());
    this.log = opts.logger;
    const fallbackRetryMs = (): number => opts.read('fallbackRetryMinutes') * 60_000;
    this.detector = new QuotaDetector({ fallbackRetryMs: fallbackRetryMs(), log: this.log });
    this._register(opts.config.onChange(['fallbackRetryMinutes'], () => this.detector.setFallbackRetryMs(fallbackRetryMs())));
    this._register(this.detector.onEvent((e) => this.onDetector(e)));
    this.deadline = this._register(new DeadlineTimer(this.timers));
    this._register(opts.accounts.onDidChangeAccounts(() => void this.refreshAccounts()));
    this._register(opts.config.onChange(['sources.transcripts'], () => this.applyTranscripts()));
    this._register({ dispose: () => this.stopTranscripts() });
    for (const s of opts.sources ?? []) this.addSource(s);
    void this.refreshAccounts();
    this.applyTranscripts();
  }

  /** Subscribes to a source (the composition root adds each one); its current sessions are taken over. */
  addSource(source: SessionSource): void {
    this._register(
      source.onEvent((e) => {
        if (e.type === 'sessionAdded') this.owners.set(e.session.id, source);
        else if (e.type === 'sessionRemoved') this.owners.delete(e.id);
        this.onSourceEvent(e);
      }),
    );
    for (const info of source.sessions()) {
      this.owners.set(info.id, source);
      this.onSourceEvent({ type: 'sessionAdded', session: info });
    }
  }

  /** The source that reported a session, while the session lasts. */
  sourceOf(id: string): SessionSource | undefined {
    return this.owners.get(id);
  }

  get activeAccount(): AccountRef | null {
    return this.active;
  }

  snapshot(): SessionsSnapshot {
    this.cached ??= this.buildSnapshot();
    return this.cached;
  }

  /** Re-reads the accounts (the composition root calls this too after a switch it knows about). */
  refreshAccounts(): Promise<void> {
    this.accountsRefresh = this.accountsRefresh.then(async () => {
      let profiles: ProfileView[];
      try {
        profiles = await this.opts.accounts.list();
      } catch (err) {
        this.log?.warn(`Could not read the saved accounts: ${describeError(err)}`);
        return;
      }
      if (this.isDisposed) return;
      const p = profiles.find((v) => v.active);
      const next: AccountRef | null = p === undefined ? null : { id: p.id, label: p.label };
      const switched = this.accountsKnown && (next?.id ?? null) !== (this.active?.id ?? null);
      this.accountsKnown = true;
      const at = this.now();
      if (switched) this.log?.info(`Active account is now ${next?.label ?? 'an unsaved login'}; ${this.entries.size} watched session(s) follow it`);
      this.active = next;
      for (const id of this.entries.keys()) {
        // The running sessions now use the new login: their blocks end, and the old evidence on screen
        // cannot block the new account during the detector's cooldown.
        if (switched) this.detector.noteAccountSwitched(id, at);
        this.detector.setAccount(id, next);
      }
      this.afterChange();
    });
    return this.accountsRefresh;
  }

  private onSourceEvent(e: SourceEvent): void {
    if (this.isDisposed) return;
    switch (e.type) {
      case 'sessionAdded':
        if (this.entries.has(e.session.id)) return;
        this.entries.set(e.session.id, { info: e.session, lastError: null });
        this.unwatched.delete(e.session.id);
        this.detector.setAccount(e.session.id, this.active);
        this.log?.info(`Watching ${e.session.kind} session ${e.session.where} (${e.session.id})`);
        break;
      case 'sessionRemoved':
        if (!this.entries.delete(e.id)) return;
        this.detector.forget(e.id);
        this.log?.info(`Stopped watching ${e.id}`);
        break;
      case 'verdict': {
        const entry = this.entries.get(e.id);
        if (entry === undefined) return;
        const source: SignalSource = entry.info.kind;
        this.detector.observe(e.id, { kind: 'classification', classification: e.classification, source, at: e.at });
        break;
      }
      case 'unwatched':
        this.unwatched.set(e.id, { id: e.id, where: e.where, reason: e.reason });
        break;
      case 'unwatchedGone':
        if (!this.unwatched.delete(e.id)) return;
        break;
    }
    this.afterChange();
  }

  private onTranscript(e: TranscriptEvent): void {
    if (this.isDisposed || e.signal.kind !== 'quota') return;
    const signal = toDetectorSignal(e.signal);
    if (signal === null) return;
    const targets = this.detector
      .sessions()
      .filter((s) => (s.state === 'blocked' || s.state === 'suspected') && (s.account?.id ?? null) === (this.active?.id ?? null))
      .map((s) => s.sessionId)
      .filter((id) => this.entries.has(id));
    if (targets.length === 0) {
      this.log?.debug(`Transcript quota line (${e.signal.window ?? 'unknown window'}) with no blocked or suspected session to confirm`);
      return;
    }
    for (const id of targets) this.detector.observe(id, signal);
    this.afterChange();
  }

  private onDetector(e: DetectorEvent): void {
    const entry = this.entries.get(e.sessionId);
    if (e.type === 'error' && entry !== undefined) entry.lastError = { kind: e.kind, at: e.at };
    this.cached = null;
    const account = e.type === 'cleared' ? e.blockedAccount : e.account;
    if (e.type === 'blocked' || e.type === 'updated') {
      this.log?.info(`${entry?.info.where ?? e.sessionId}: ${e.type} (${e.window ?? 'unknown window'}), resets ${e.resetsAt.toISOString()}${e.resetEstimated ? ' (estimated)' : ''}`);
      if (account !== null) this.record(account, { kind: 'exhausted', until: e.resetsAt.getTime(), window: e.window ?? 'unknown' });
    } else if (e.type === 'cleared') {
      this.log?.info(`${entry?.info.where ?? e.sessionId}: cleared (${e.reason})`);
      // A switch leaves the old account exhausted; any other clear means it serves requests again.
      if (account !== null && e.reason !== 'switched' && !this.anyBlocked(account.id, e.sessionId)) this.record(account, { kind: 'available' });
    } else if (e.type === 'error') {
      this.log?.debug(`${entry?.info.where ?? e.sessionId}: ${e.kind} error`);
    }
    this.detected.fire(e);
  }

  private anyBlocked(accountId: string, except: string): boolean {
    return this.detector.sessions().some((s) => s.sessionId !== except && s.state === 'blocked' && s.block?.account?.id === accountId);
  }

  private record(account: AccountRef, state: AccountState): void {
    const write = this.opts.recordAccountState;
    if (write === undefined) return;
    write(account.label, state).then(
      () => undefined,
      (err: unknown) => this.log?.warn(`Could not record the state of ${account.label}: ${describeError(err)}`),
    );
  }

  private afterChange(): void {
    this.cached = null;
    this.arm();
    this.changed.fire();
  }

  // ---- the one timer: the detector's next deadline ----

  private arm(): void {
    this.deadline.clear();
    if (this.isDisposed) return;
    const deadline = this.detector.nextDeadline();
    if (deadline === null) return;
    this.deadline.arm(deadline.getTime() - this.now().getTime(), () => {
      this.detector.tick(this.now());
      this.afterChange();
    });
  }

  /** Whether a timer is armed (tests prove none runs while nothing is pending). */
  get timerArmed(): boolean {
    return this.deadline.armed;
  }

  // ---- transcripts ----

  private applyTranscripts(): void {
    if (this.isDisposed) return;
    const want = this.opts.read('sources.transcripts');
    if (!want) {
      this.stopTranscripts();
      return;
    }
    if (this.transcripts !== null) return;
    const configDir = claudeConfigDir({ env: this.opts.env ?? process.env });
    const feed = (this.opts.createTranscriptFeed ?? ((dir) => new TranscriptWatcher({ configDir: dir, persistent: false })))(configDir);
    const sub = feed.onSignal((e) => this.onTranscript(e));
    const filesSub = feed.onFilesChanged?.((paths) => {
      if (!this.isDisposed) this.transcriptFiles.fire(paths);
    });
    this.transcripts = {
      onSignal: (l) => feed.onSignal(l),
      start: () => feed.start(),
      dispose: () => {
        sub.dispose();
        filesSub?.dispose();
        feed.dispose();
      },
    };
    feed.start().then(
      () => this.log?.info(`Reading Claude Code transcripts under ${path.join(configDir, 'projects')}`),
      (err: unknown) => this.log?.warn(`Could not watch transcripts in ${configDir}: ${describeError(err)}`),
    );
  }

  private stopTranscripts(): void {
    this.transcripts?.dispose();
    this.transcripts = null;
  }

  // ---- snapshot ----

  private buildSnapshot(): SessionsSnapshot {
    const sessions: WatchedSession[] = [];
    for (const [id, entry] of this.entries) {
      const v = this.detector.sessionView(id);
      const block = v?.block ?? null;
      const sus = v?.suspicion ?? null;
      const evidence = block?.evidence ?? (sus !== null ? [sus.evidence] : []);
      sessions.push({
        id,
        kind: entry.info.kind,
        where: entry.info.where,
        account: block?.account ?? v?.account ?? null,
        state: v?.state ?? 'ok',
        window: block?.window ?? sus?.window ?? null,
        resetsAt: block?.resetsAt ?? null,
        resetEstimated: block?.resetEstimated ?? false,
        since: block?.since ?? sus?.since ?? null,
        evidenceSources: [...new Set(evidence.map((e) => e.source))],
        lastError: entry.lastError,
      });
    }
    sessions.sort((a, b) => a.where.localeCompare(b.where) || a.id.localeCompare(b.id));
    const unwatched = [...this.unwatched.values()].sort((a, b) => a.where.localeCompare(b.where));
    return { activeAccount: this.active, sessions, unwatched };
  }
}
