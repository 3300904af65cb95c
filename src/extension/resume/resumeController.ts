// Resumes Claude Code sessions stalled by a usage limit: after the active account changed (a
// manual or automatic switch) or the limit's reset passed, and on the Resume Blocked Sessions
// command. The decisions (which keys, when to leave a session alone) are the core's
// (src/core/resume); this controller reads the sessions' screens, sends the keys, bounds the
// attempts with backoff, logs every step and publishes each session's resume status.
//
// No runtime vscode import (events use the core's Emitter), so it runs in plain Node tests.
import { localTimeContext } from '../../core/detection/timeZone';
import type { SessionsFeed } from '../ports';
import type { DetectorEvent } from '../../core/detection/detector';
import { describeError } from '../../core/base/errors';
import type { ComponentLogger } from '../../core/base/logger';
import { backoffDelayMs, DEFAULT_RESUME_POLICY, isBenignSkip, skipDetail, type ResumePolicy, type ResumeStatus, type ResumeStatusKind } from '../../core/resume/resumeAttempts';
import { CONTINUE_TEXT, nextResumeStep, type KeyInput, type PlanContext, type ResumeTrigger, type SkipReason } from '../../core/resume/resumePlanner';
import { readResumeScreen } from '../../core/resume/resumeScreen';
import type { TimeContext } from '../../core/detection/types';
import type { ConfigurationReader } from '../configuration';
import { Disposable } from '../disposable';
import { Emitter } from '../../core/base/event';
import { nodeTimers, type Timers } from '../../core/base/timers';

/** What resuming needs of a source: its session's screen, whether Claude Code still runs there, and typing. */
export interface ResumeTarget {
  screenLines(id: string): readonly string[] | undefined;
  sessionRunsClaude(id: string): Promise<boolean>;
  sendInput(id: string, input: KeyInput): Promise<boolean>;
}

export interface ResumeControllerOptions {
  readonly sessions: SessionsFeed;
  /** The source that owns a session id ("terminal:…" or "tmux:…"). */
  readonly targetFor: (id: string) => ResumeTarget | undefined;
  readonly read: ConfigurationReader;
  readonly logger?: ComponentLogger;
  readonly timers?: Timers;
  readonly now?: () => Date;
  /** The time and zone the screens' reset times are read in. */
  readonly timeContext?: () => TimeContext;
  readonly policy?: Partial<ResumePolicy>;
  /** How often the screen is looked at while waiting for it to react to keys. */
  readonly pollMs?: number;
}

/** One input sent to a session, for the log and for tests that check what was typed. */
export interface TypedInput {
  readonly sessionId: string;
  readonly input: KeyInput;
  readonly purpose: string;
  readonly at: Date;
}

/** Inputs kept for typed(); older ones are dropped (the output log keeps them all). */
const MAX_TYPED_LOG = 200;

type AttemptOutcome = { kind: 'done' } | { kind: 'skip'; reason: SkipReason } | { kind: 'gone' } | { kind: 'not-claude' } | { kind: 'no-effect'; what: string };

interface Run {
  cancelled: boolean;
  /** "continue" was typed and not submitted: a later attempt finding it in the input box submits it. */
  typedContinue?: boolean;
}

export class ResumeController extends Disposable {
  private readonly timers: Timers;
  private readonly now: () => Date;
  private readonly log: ComponentLogger | undefined;
  private readonly policy: ResumePolicy;
  private readonly pollMs: number;
  /** Sessions this extension saw blocked, until they are resumed, left alone or gone. */
  private readonly seenBlocked = new Set<string>();
  private readonly statuses = new Map<string, ResumeStatus>();
  private readonly runs = new Map<string, Run>();
  private readonly typedLog: TypedInput[] = [];
  private readonly pending = new Set<{ handle: unknown; resolve: () => void }>();

  private readonly changed = this._register(new Emitter<void>(() => this.log));
  /** Fires when a session's resume status changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly opts: ResumeControllerOptions) {
    super();
    this.timers = opts.timers ?? nodeTimers;
    this.now = opts.now ?? (() => new Date());
    this.log = opts.logger;
    this.policy = { ...DEFAULT_RESUME_POLICY, ...opts.policy };
    this.pollMs = opts.pollMs ?? 100;
    this._register(opts.sessions.onDetectorEvent((e) => this.onDetector(e)));
    this._register({
      dispose: () => {
        for (const run of this.runs.values()) run.cancelled = true;
        for (const p of [...this.pending]) {
          this.timers.clearTimeout(p.handle);
          p.resolve();
        }
        this.pending.clear();
      },
    });
  }

  /** The latest resume status of a session, if it was ever resumed. */
  status(id: string): ResumeStatus | undefined {
    return this.statuses.get(id);
  }

  allStatuses(): ReadonlyMap<string, ResumeStatus> {
    return this.statuses;
  }

  /** Every input sent so far, in order (text and Enter, never anything secret). */
  typed(): readonly TypedInput[] {
    return this.typedLog;
  }

  /** Whether a resume of the session is running. */
  isResuming(id: string): boolean {
    return this.runs.has(id);
  }

  /**
   * The command: resumes every session seen blocked whose block is over (switched away or reset).
   * Returns how many were started; sessions still blocked on the active account are not typed into
   * (Claude Code would only hit the same limit again).
   */
  resumeBlocked(): { started: number; stillBlocked: number } {
    const snap = this.opts.sessions.snapshot();
    let started = 0;
    let stillBlocked = 0;
    for (const s of snap.sessions) {
      if (!this.seenBlocked.has(s.id)) continue;
      if (s.state === 'blocked') {
        stillBlocked++;
        continue;
      }
      if (this.start(s.id, 'manual')) started++;
    }
    return { started, stillBlocked };
  }

  private onDetector(e: DetectorEvent): void {
    if (this.isDisposed) return;
    if (e.type === 'blocked') {
      this.seenBlocked.add(e.sessionId);
      const run = this.runs.get(e.sessionId);
      if (run !== undefined) run.cancelled = true;
      const status = this.statuses.get(e.sessionId);
      if (status !== undefined && (status.kind === 'resuming' || status.kind === 'resumed')) {
        // The resumed request hit a limit again: stop typing; the next switch or reset tries anew.
        this.setStatus(e.sessionId, 'resume failed', status.trigger, status.attempt, 'the limit was reached again');
      }
      return;
    }
    if (e.type !== 'cleared' || !this.seenBlocked.has(e.sessionId)) return;
    if (e.reason === 'activity') {
      // It runs again by itself (or the user went on): nothing to resume.
      if (!this.runs.has(e.sessionId)) this.seenBlocked.delete(e.sessionId);
      return;
    }
    const trigger: ResumeTrigger = e.reason === 'switched' ? 'switched' : 'reset';
    if (!this.opts.read('resume.automatic')) {
      this.log?.info(`${this.where(e.sessionId)}: ${trigger === 'switched' ? 'account switched' : 'limit reset'}; automatic resume is off`);
      return;
    }
    this.start(e.sessionId, trigger);
  }

  private start(id: string, trigger: ResumeTrigger): boolean {
    if (this.runs.has(id) || this.isDisposed) return false;
    const run: Run = { cancelled: false };
    this.runs.set(id, run);
    void this.runResume(id, trigger, run)
      .catch((err: unknown) => {
        this.log?.error(`${this.where(id)}: resume failed`, err);
        this.setStatus(id, 'resume failed', trigger, 1, describeError(err));
      })
      .finally(() => {
        if (this.runs.get(id) === run) this.runs.delete(id);
      });
    return true;
  }

  private async runResume(id: string, trigger: ResumeTrigger, run: Run): Promise<void> {
    const max = Math.max(1, Math.floor(this.opts.read('resume.maxAttempts')));
    let last = '';
    for (let attempt = 1; attempt <= max; attempt++) {
      // After a switch Claude Code reads the rewritten credentials before its next request; a moment's grace.
      const delay = attempt === 1 && trigger === 'switched' ? this.policy.switchSettleMs : backoffDelayMs(attempt, this.policy);
      if (delay > 0) {
        this.log?.info(`${this.where(id)}: next resume attempt in ${Math.round(delay / 1000)} s`);
        await this.sleep(delay);
      }
      if (run.cancelled || this.isDisposed) return;
      this.setStatus(id, 'resuming', trigger, attempt, null);
      this.log?.info(`${this.where(id)}: resuming (${trigger === 'switched' ? 'account switched' : trigger === 'reset' ? 'limit reset' : 'command'}), attempt ${attempt} of ${max}`);
      const outcome = await this.attempt(id, trigger, run);
      if (run.cancelled || this.isDisposed) return;
      switch (outcome.kind) {
        case 'done':
          this.seenBlocked.delete(id);
          this.setStatus(id, 'resumed', trigger, attempt, null);
          this.log?.info(`${this.where(id)}: resumed`);
          return;
        case 'gone':
          this.seenBlocked.delete(id);
          this.setStatus(id, 'resume failed', trigger, attempt, 'the session ended');
          return;
        case 'not-claude':
          this.seenBlocked.delete(id);
          this.setStatus(id, 'resume failed', trigger, attempt, 'Claude Code no longer runs there');
          this.log?.info(`${this.where(id)}: not resumed, Claude Code no longer runs there`);
          return;
        case 'skip':
          if (isBenignSkip(outcome.reason)) {
            this.seenBlocked.delete(id);
            this.setStatus(id, 'left alone', trigger, attempt, skipDetail(outcome.reason));
            this.log?.info(`${this.where(id)}: left alone, ${skipDetail(outcome.reason)}`);
            return;
          }
          last = skipDetail(outcome.reason);
          break;
        case 'no-effect':
          last = outcome.what;
          break;
      }
      this.log?.info(`${this.where(id)}: attempt ${attempt} did not resume: ${last}`);
    }
    this.setStatus(id, 'resume failed', trigger, max, last);
    this.log?.warn(`${this.where(id)}: resume failed after ${max} attempt(s): ${last}`);
  }

  /** One attempt: read the screen, send the step's keys, wait for the screen to react, until done or stuck. */
  private async attempt(id: string, trigger: ResumeTrigger, run: Run): Promise<AttemptOutcome> {
    const target = this.opts.targetFor(id);
    if (target === undefined || target.screenLines(id) === undefined) return { kind: 'gone' };
    if (!(await target.sessionRunsClaude(id))) return { kind: 'not-claude' };
    // A "continue" an earlier attempt typed that showed up since is ours to submit; an empty box is typed into again.
    const first = target.screenLines(id);
    const ours = run.typedContinue === true && first !== undefined && readResumeScreen(first, this.timeContext()).input === CONTINUE_TEXT;
    const ctx: { -readonly [K in keyof PlanContext]-?: PlanContext[K] } = { trigger, typedContinue: ours, submitted: false, choseStop: false };
    for (let step = 0; step < this.policy.maxStepsPerAttempt; step++) {
      if (run.cancelled) return { kind: 'no-effect', what: 'cancelled' };
      const lines = target.screenLines(id);
      if (lines === undefined) return { kind: 'gone' };
      const screen = readResumeScreen(lines, this.timeContext());
      const plan = nextResumeStep(screen, ctx);
      if (plan.kind === 'done') return { kind: 'done' };
      if (plan.kind === 'skip') return { kind: 'skip', reason: plan.reason };
      if (plan.kind === 'pending') {
        if (!(await this.waitForChange(target, id, lines, run))) return { kind: 'no-effect', what: 'the screen did not show the resumed prompt' };
        continue;
      }
      for (const input of plan.keys) {
        if (run.cancelled) return { kind: 'no-effect', what: 'cancelled' };
        const ok = await target.sendInput(id, input);
        this.typedLog.push({ sessionId: id, input, purpose: plan.purpose, at: this.now() });
        if (this.typedLog.length > MAX_TYPED_LOG) this.typedLog.splice(0, this.typedLog.length - MAX_TYPED_LOG);
        this.log?.info(`${this.where(id)}: ${plan.purpose}: sent ${'text' in input ? JSON.stringify(input.text) : input.key}${ok ? '' : ' (refused)'}`);
        if (!ok) return { kind: 'no-effect', what: 'the keys could not be sent' };
      }
      if (plan.purpose === 'choose-stop') ctx.choseStop = true;
      if (plan.purpose === 'type-continue') ctx.typedContinue = run.typedContinue = true;
      if (plan.purpose === 'submit') {
        ctx.submitted = true;
        run.typedContinue = false;
      }
      if (!(await this.waitForChange(target, id, lines, run))) return { kind: 'no-effect', what: `the screen did not react (${plan.purpose})` };
    }
    return { kind: 'no-effect', what: 'too many steps' };
  }

  /** Polls the screen until it differs from `before`; false after the step timeout. */
  private async waitForChange(target: ResumeTarget, id: string, before: readonly string[], run: Run): Promise<boolean> {
    const deadline = this.now().getTime() + this.policy.stepTimeoutMs;
    const was = before.join('\n');
    while (!run.cancelled && !this.isDisposed) {
      await this.sleep(this.pollMs);
      const lines = target.screenLines(id);
      if (lines === undefined || lines.join('\n') !== was) return true;
      if (this.now().getTime() >= deadline) return false;
    }
    return false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const entry = { handle: undefined as unknown, resolve };
      entry.handle = this.timers.setTimeout(() => {
        this.pending.delete(entry);
        resolve();
      }, ms);
      this.pending.add(entry);
    });
  }

  private timeContext(): TimeContext {
    return this.opts.timeContext?.() ?? localTimeContext(this.now());
  }

  private setStatus(id: string, kind: ResumeStatusKind, trigger: ResumeTrigger, attempt: number, detail: string | null): void {
    // Sessions that are gone take their status and their "seen blocked" mark with them.
    const live = new Set(this.opts.sessions.snapshot().sessions.map((s) => s.id));
    for (const old of [...this.statuses.keys(), ...this.seenBlocked]) {
      if (old !== id && !live.has(old) && !this.runs.has(old)) {
        this.statuses.delete(old);
        this.seenBlocked.delete(old);
      }
    }
    this.statuses.set(id, { kind, trigger, attempt, at: this.now(), detail });
    this.changed.fire();
  }

  private where(id: string): string {
    return this.opts.sessions.snapshot().sessions.find((s) => s.id === id)?.where ?? id;
  }
}
