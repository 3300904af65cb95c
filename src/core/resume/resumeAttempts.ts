// How often and how patiently a session is resumed: at most N attempts per stall, each waiting
// for the screen to react, with exponential backoff between attempts; and what the Sessions view
// shows about it.
import type { ResumeTrigger, SkipReason } from './resumePlanner';

export interface ResumePolicy {
  /** Attempts per stall (setting claudeQuota.resume.maxAttempts). */
  readonly maxAttempts: number;
  /** Wait before the second attempt; doubled for each further one. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Steps (keys sent) within one attempt; a menu takes two, typing and submitting two more. */
  readonly maxStepsPerAttempt: number;
  /** How long one step may take to show on screen before the attempt counts as failed. */
  readonly stepTimeoutMs: number;
  /** Pause before the first attempt after an account switch, so Claude Code has seen the new login. */
  readonly switchSettleMs: number;
}

export const DEFAULT_RESUME_POLICY: ResumePolicy = {
  maxAttempts: 3,
  backoffBaseMs: 10_000,
  backoffMaxMs: 5 * 60_000,
  maxStepsPerAttempt: 6,
  stepTimeoutMs: 15_000,
  switchSettleMs: 1_000,
};

/** Delay before attempt `attempt` (1-based): none before the first, then base, 2×base, … capped. */
export function backoffDelayMs(attempt: number, policy: Pick<ResumePolicy, 'backoffBaseMs' | 'backoffMaxMs'>): number {
  if (attempt <= 1) return 0;
  return Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempt - 2));
}

export type ResumeStatusKind = 'resuming' | 'resumed' | 'resume failed' | 'left alone';

export interface ResumeStatus {
  readonly kind: ResumeStatusKind;
  readonly trigger: ResumeTrigger;
  /** 1-based attempt the status is about. */
  readonly attempt: number;
  readonly at: Date;
  /** Why it failed or was left alone. */
  readonly detail: string | null;
}

export function skipDetail(reason: SkipReason): string {
  switch (reason) {
    case 'no-limit-on-screen':
      return 'the screen no longer shows the limit';
    case 'auto-continue-armed':
      return 'Claude Code continues by itself';
    case 'input-not-empty':
      return 'text is being typed in the input box';
    case 'screen-unknown':
      return 'the screen shows neither an input box nor the limit menu';
    case 'menu-without-stop':
      return 'the limit menu has no "Stop" option';
  }
}

/** Skips that mean "nothing to do", not a failure: recorded as left alone, never retried. */
export function isBenignSkip(reason: SkipReason): boolean {
  return reason === 'auto-continue-armed' || reason === 'no-limit-on-screen';
}

/** "resumed 3:40 pm", "resume failed 3:41 pm (…)": the Sessions view's words. */
export function resumeStatusText(status: ResumeStatus, clock: (d: Date) => string): string {
  const attempt = status.kind === 'resuming' && status.attempt > 1 ? ` (attempt ${status.attempt})` : '';
  return `${status.kind}${attempt} ${clock(status.at)}`;
}
