// Shared vocabulary of the detection core. Plain TypeScript: no vscode import anywhere under src/core.

/** What a screen update says about the session's account. */
export type Verdict = 'quota' | 'throttle' | 'server' | 'auth' | 'billing' | 'warning' | 'none';

/** Which usage window a quota (or warning) verdict is about. */
export type LimitWindow = 'five_hour' | 'weekly' | 'weekly_model' | 'extra_usage' | 'spend';

/** The clock and zone that reset times without an explicit zone or year are read against. */
export interface TimeContext {
  readonly now: Date;
  /** IANA zone name, e.g. "Europe/Paris"; the zone Claude Code rendered its clock times in. */
  readonly timeZone: string;
}

export interface Classification {
  readonly verdict: Verdict;
  readonly window: LimitWindow | null;
  /** Absolute reset instant when the evidence names one, else null. */
  readonly resetsAt: Date | null;
  /** The rendered row (logical line, trimmed) that decided the verdict; null for `none`. */
  readonly evidence: string | null;
}

export const NO_VERDICT: Classification = Object.freeze({ verdict: 'none', window: null, resetsAt: null, evidence: null });
