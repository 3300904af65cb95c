// Auto-switch in the extension: feeds the pure policy (core/accounts/autoSwitchPolicy) with the
// detector's confirmed blocks, the user's own switches and its one timer, and performs what it decides
// through the accounts queue: the safe switch, notifications with Undo, the first-run prompt, and a
// status item while every account is exhausted.
//
// No runtime vscode import (the UI comes in as AutoSwitchUi), so the whole controller runs in plain Node tests.
import type { DetectorEvents, SwitchingAccounts } from '../ports';
import * as z from 'zod/mini';
import type { ProfileView } from '../../core/accounts/accountManager';
import {
  INITIAL_MEMORY,
  decide,
  nextWake,
  type AccountName,
  type AutoSwitchAction,
  type AutoSwitchInput,
  type AutoSwitchMemory,
  type AutoSwitchSettings,
  type SwitchReason,
} from '../../core/accounts/autoSwitchPolicy';
import type { DetectorEvent } from '../../core/detection/detector';
import { describeError } from '../../core/base/errors';
import type { ComponentLogger } from '../../core/base/logger';
import { redactSecrets } from '../../core/base/redact';
import type { ConfigurationReader } from '../configuration';
import { Disposable } from '../disposable';
import { Emitter } from '../../core/base/event';
import { DeadlineTimer, nodeTimers, type Timers } from '../../core/base/timers';
import type { ConfigChanges } from '../sessions/sessionsController';
import type { SwitchOutcome } from './accountsController';
import {
  ACTION_ENABLE,
  ACTION_NEVER,
  ACTION_UNDO,
  PROMPT_ACTIONS,
  allExhaustedMessage,
  exhaustedItemView,
  promptMessage,
  switchFailedMessage,
  switchedMessage,
  type ExhaustedItemView,
} from './autoSwitchText';

/** The status item shown while every account is exhausted. */
export interface AutoSwitchStatusItem {
  update(view: ExhaustedItemView): void;
  dispose(): void;
}

export interface AutoSwitchUi {
  showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showWarningMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showErrorMessage(message: string): Thenable<unknown>;
  /** Turns `claudeQuota.autoSwitch.enabled` on in the user settings. */
  enableAutoSwitch(): Thenable<void>;
  /** The user set `autoSwitch.enabled` themselves (on or off), so the prompt is not needed. */
  settingExplicitlySet(): boolean;
  createStatusItem(): AutoSwitchStatusItem;
}

/** Where the prompt's answer is kept (globalState in the extension). */
export interface DecisionMemento {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void>;
}

export const DECISION_KEY = 'claudeQuota.autoSwitch.decision';
const DecisionSchema = z.enum(['enabled', 'never']);

export interface AutoSwitchEvent {
  readonly from: string | null;
  readonly to: string;
  readonly reason: SwitchReason;
}

/** One decision, for the log and the test hook; labels and texts only. */
export type AutoSwitchRecord =
  | { readonly kind: 'switch'; readonly at: number; readonly from: string | null; readonly to: string; readonly reason: SwitchReason; readonly message: string; readonly actions: readonly string[] }
  | { readonly kind: 'switch-failed'; readonly at: number; readonly to: string; readonly message: string }
  | { readonly kind: 'all-exhausted'; readonly at: number; readonly earliest: string; readonly resetsAt: number; readonly message: string }
  | { readonly kind: 'prompt'; readonly at: number; readonly message: string; readonly actions: readonly string[] }
  | { readonly kind: 'note'; readonly at: number; readonly message: string };

export interface AutoSwitchControllerOptions {
  readonly accounts: SwitchingAccounts;
  readonly sessions: DetectorEvents;
  readonly config: ConfigChanges;
  readonly read: ConfigurationReader;
  readonly ui: AutoSwitchUi;
  readonly memento: DecisionMemento;
  readonly logger?: ComponentLogger;
  readonly timers?: Timers;
  readonly now?: () => number;
  readonly knownSecrets?: () => Iterable<string>;
  /** Zone of the times in messages; default the local one. */
  readonly timeZone?: string;
}

export class AutoSwitchController extends Disposable {
  private memory: AutoSwitchMemory = INITIAL_MEMORY;
  private queue: Promise<void> = Promise.resolve();
  private readonly wake: DeadlineTimer;
  private item: AutoSwitchStatusItem | undefined;
  private activeId: string | null | undefined = undefined;
  private profiles: readonly ProfileView[] = [];
  private readonly records: AutoSwitchRecord[] = [];
  private readonly timers: Timers;
  private readonly now: () => number;
  private readonly log: ComponentLogger | undefined;

  private readonly switched = this._register(new Emitter<AutoSwitchEvent>(() => this.log));
  /** Fires after each automatic switch (and Undo) succeeded. */
  readonly onDidAutoSwitch = this.switched.event;

  constructor(private readonly opts: AutoSwitchControllerOptions) {
    super();
    this.timers = opts.timers ?? nodeTimers;
    this.now = opts.now ?? Date.now;
    this.log = opts.logger;
    this.wake = this._register(new DeadlineTimer(this.timers));
    this._register({ dispose: () => this.hideItem() });
    this._register(opts.sessions.onDetectorEvent((e) => this.onDetector(e)));
    this._register(opts.accounts.onDidChangeAccounts(() => void this.enqueue(() => this.onAccountsChanged())));
    this._register(opts.config.onChange(['autoSwitch.enabled', 'autoSwitch.strategy', 'autoSwitch.cooldownMinutes'], () => void this.send({ type: 'wake' })));
    // The first account list is the baseline: the login active at startup is not a user switch.
    void this.enqueue(() => this.onAccountsChanged());
  }

  /** Every decision so far (switches, notices, the prompt), oldest first; never a secret. */
  history(): readonly AutoSwitchRecord[] {
    return [...this.records];
  }

  /** The "all exhausted" status item's text, or undefined while it is hidden. */
  get statusText(): string | undefined {
    return this.itemView?.text;
  }

  private itemView: ExhaustedItemView | undefined;

  /** Reverts the last automatic switch (the notification's Undo). */
  undo(): Promise<void> {
    return this.send({ type: 'undo' });
  }

  /** Resolves once every queued input has been handled (tests and the API wait on it). */
  settled(): Promise<void> {
    return this.queue;
  }

  private settings(): AutoSwitchSettings {
    return {
      enabled: this.opts.read('autoSwitch.enabled'),
      strategy: this.opts.read('autoSwitch.strategy'),
      cooldownMs: this.opts.read('autoSwitch.cooldownMinutes') * 60_000,
      undecided: !this.opts.ui.settingExplicitlySet() && !DecisionSchema.safeParse(this.opts.memento.get(DECISION_KEY)).success,
    };
  }

  private onDetector(e: DetectorEvent): void {
    if (e.type === 'blocked' || e.type === 'updated') {
      if (e.account !== null) void this.send({ type: 'blocked', accountId: e.account.id, until: e.resetsAt.getTime() });
    } else if (e.type === 'cleared' && e.reason !== 'switched' && e.blockedAccount !== null) {
      // Activity, "limit reset" or a passed reset: the account serves requests again. A switch does not end its limit.
      void this.send({ type: 'cleared', accountId: e.blockedAccount.id });
    }
  }

  /** Inputs run one at a time, each against a fresh account list. */
  private enqueue(fn: () => Promise<void>): Promise<void> {
    const run = this.queue.then(fn).catch((err: unknown) => this.log?.error('Auto-switch failed', err));
    this.queue = run;
    return run;
  }

  private send(input: AutoSwitchInput): Promise<void> {
    return this.enqueue(async () => {
      if (this.isDisposed) return;
      this.profiles = await this.opts.accounts.list();
      await this.apply(input);
    });
  }

  private async onAccountsChanged(): Promise<void> {
    if (this.isDisposed) return;
    this.profiles = await this.opts.accounts.list();
    const active = this.profiles.find((p) => p.active)?.id ?? null;
    const before = this.activeId;
    this.activeId = active;
    // Own switches set activeId before their change event arrives; anything else is the user's.
    if (before !== undefined && before !== active) await this.apply({ type: 'userSwitched' });
    else this.render();
  }

  private async apply(input: AutoSwitchInput): Promise<void> {
    const now = this.now();
    const settings = this.settings();
    const d = decide(this.memory, input, {
      profiles: this.profiles.map((p) => ({ id: p.id, label: p.label, state: p.state, active: p.active, usage: p.usage, tokenExpiresAt: p.tokenExpiresAt })),
      settings,
      now,
    });
    this.memory = d.memory;
    if (input.type !== 'blocked' || d.actions.length > 0) this.log?.debug(`Input ${input.type}: ${d.actions.length} action(s); next wake ${d.wakeAt === null ? 'none' : new Date(d.wakeAt).toISOString()}`);
    for (const a of d.actions) await this.perform(a);
    // From the memory after the actions: a failed switch changes it.
    this.arm(nextWake(this.memory, settings));
    this.render();
  }

  private async perform(a: AutoSwitchAction): Promise<void> {
    const now = this.now();
    switch (a.type) {
      case 'log':
        this.log?.info(a.message);
        this.records.push({ kind: 'note', at: now, message: a.message });
        return;
      case 'switch':
        await this.doSwitch(a.from, a.to, a.reason);
        return;
      case 'notifyAllExhausted': {
        const message = allExhaustedMessage(a.earliest, new Date(a.at), this.activeId ?? null, new Date(now), this.opts.timeZone);
        this.log?.info(`All accounts exhausted; earliest reset ${a.earliest.label} at ${new Date(a.at).toISOString()}`);
        this.records.push({ kind: 'all-exhausted', at: now, earliest: a.earliest.label, resetsAt: a.at, message });
        this.opts.ui.showWarningMessage(this.safe(message)).then(
          () => undefined,
          () => undefined,
        );
        return;
      }
      case 'askToEnable': {
        const message = promptMessage(a.blocked, a.next);
        this.log?.info(`Asking whether to switch automatically (${a.blocked.label} blocked, ${a.next.label} usable)`);
        this.records.push({ kind: 'prompt', at: now, message, actions: PROMPT_ACTIONS });
        this.opts.ui.showInformationMessage(this.safe(message), ...PROMPT_ACTIONS).then(
          (choice) => void this.onPromptAnswer(choice),
          () => undefined,
        );
        return;
      }
    }
  }

  private async onPromptAnswer(choice: string | undefined): Promise<void> {
    if (this.isDisposed) return;
    try {
      if (choice === ACTION_ENABLE) {
        await this.opts.memento.update(DECISION_KEY, 'enabled');
        await this.opts.ui.enableAutoSwitch();
        this.log?.info('Auto-switch enabled from the prompt');
      } else if (choice === ACTION_NEVER) {
        await this.opts.memento.update(DECISION_KEY, 'never');
        this.log?.info('Auto-switch declined for good from the prompt');
      } else {
        this.log?.info('Auto-switch prompt: not now');
      }
    } catch (err) {
      this.log?.warn(`Could not store the auto-switch answer: ${describeError(err)}`);
    }
  }

  private async doSwitch(from: AccountName | null, to: AccountName, reason: SwitchReason): Promise<void> {
    const now = this.now();
    this.log?.info(`Switching from ${from?.label ?? 'an unsaved login'} to ${to.label} (${reason})`);
    let outcome: SwitchOutcome;
    try {
      outcome = await this.opts.accounts.switchQuietly(to.label);
    } catch (err) {
      const why = redactSecrets(describeError(err), this.opts.knownSecrets?.() ?? []).replace(/\s*\(see `accounts list`\)/, '');
      const message = switchFailedMessage(to, why);
      this.log?.warn(message);
      this.records.push({ kind: 'switch-failed', at: now, to: to.label, message });
      this.memory = decide(this.memory, { type: 'switchFailed' }, { profiles: [], settings: this.settings(), now }).memory;
      this.opts.ui.showErrorMessage(this.safe(message)).then(
        () => undefined,
        () => undefined,
      );
      return;
    }
    // Before the accounts' change event is handled, so it is not taken for the user's own switch.
    this.activeId = to.id;
    const actions = reason === 'undo' ? [] : [ACTION_UNDO];
    const message = switchedMessage(from, to, reason);
    this.records.push({ kind: 'switch', at: now, from: outcome.from, to: outcome.to, reason, message, actions });
    this.switched.fire({ from: outcome.from, to: outcome.to, reason });
    this.opts.ui.showInformationMessage(this.safe(message), ...actions).then(
      (choice) => {
        if (choice === ACTION_UNDO) void this.undo();
      },
      () => undefined,
    );
  }

  private safe(text: string): string {
    return redactSecrets(text, this.opts.knownSecrets?.() ?? []);
  }

  // ---- the one timer: the policy's next wake-up ----

  private arm(at: number | null): void {
    this.wake.clear();
    if (at === null || this.isDisposed) return;
    // An early wake (a wait longer than one Node timer holds) finds nothing due and re-arms.
    this.wake.arm(at - this.now(), () => void this.send({ type: 'wake' }));
  }

  /** Whether a timer is armed (tests prove none runs while nothing is pending). */
  get timerArmed(): boolean {
    return this.wake.armed;
  }

  // ---- the "all exhausted" status item ----

  private render(): void {
    const ep = this.memory.allExhausted;
    const earliest = ep === null ? undefined : this.profiles.find((p) => p.id === ep.earliestId);
    if (ep === null || earliest === undefined || this.isDisposed) {
      this.hideItem();
      return;
    }
    const now = this.now();
    this.itemView = exhaustedItemView({ id: earliest.id, label: earliest.label }, new Date(ep.at), new Date(now), this.opts.timeZone);
    this.item ??= this.opts.ui.createStatusItem();
    this.item.update(this.itemView);
  }

  private hideItem(): void {
    this.item?.dispose();
    this.item = undefined;
    this.itemView = undefined;
  }
}
