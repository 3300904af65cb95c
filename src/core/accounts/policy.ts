// Which saved login to use next. Pure functions over serialisable state.
import { AccountState, UsageSnapshot } from './schemas';

export type SwitchStrategy = 'soonest-reset' | 'most-headroom' | 'in-order';
export const SWITCH_STRATEGIES: readonly SwitchStrategy[] = ['soonest-reset', 'most-headroom', 'in-order'];

export interface PolicyCandidate {
  readonly id: string;
  readonly state: AccountState;
  readonly usage?: UsageSnapshot;
  /** Access-token expiry; only informative (Claude Code refreshes expired access tokens itself). */
  readonly tokenExpiresAt?: number | null;
}

/** An exhausted state whose reset has passed counts as available again. */
export function effectiveState(state: AccountState, now: number): AccountState {
  if (state.kind === 'exhausted' && state.until <= now) return { kind: 'available' };
  return state;
}

export function isUsable(state: AccountState, now: number): boolean {
  return effectiveState(state, now).kind === 'available';
}

function highestUse(u: UsageSnapshot | undefined): number {
  return Math.max(u?.fiveHour?.usedPercent ?? 0, u?.sevenDay?.usedPercent ?? 0);
}

/** Earliest known reset among the usage windows, or +Infinity when none is known. */
function nextReset(u: UsageSnapshot | undefined, now: number): number {
  const times = [u?.fiveHour?.resetsAt, u?.sevenDay?.resetsAt].filter((t): t is number => typeof t === 'number' && t > now);
  return times.length > 0 ? Math.min(...times) : Number.POSITIVE_INFINITY;
}

export interface Choice {
  /** The profile to switch to, or null when none is usable. */
  readonly id: string | null;
  /** When no profile is usable: the earliest moment an exhausted one becomes usable again. */
  readonly earliestAvailableAt: number | null;
}

/**
 * Picks the next usable profile other than `currentId`.
 * - in-order: the first usable profile after the current one in list order, wrapping around.
 * - soonest-reset: the usable profile whose usage window resets soonest (its remaining quota would be
 *   forfeited at the reset anyway); unknown resets sort last, ties keep list order.
 * - most-headroom: the usable profile with the lowest highest-window utilisation; ties keep list order.
 */
export function chooseNextAvailable(
  candidates: readonly PolicyCandidate[],
  options: { strategy: SwitchStrategy; now: number; currentId?: string | null },
): Choice {
  const { strategy, now } = options;
  const start = options.currentId ? candidates.findIndex((c) => c.id === options.currentId) : -1;
  const rotated = start >= 0 ? [...candidates.slice(start + 1), ...candidates.slice(0, start)] : [...candidates];
  const usable = rotated.filter((c) => c.id !== options.currentId && isUsable(c.state, now));
  if (usable.length === 0) {
    const untils = candidates
      .map((c) => effectiveState(c.state, now))
      .filter((s): s is Extract<AccountState, { kind: 'exhausted' }> => s.kind === 'exhausted')
      .map((s) => s.until);
    return { id: null, earliestAvailableAt: untils.length > 0 ? Math.min(...untils) : null };
  }
  let best = usable[0];
  if (strategy === 'soonest-reset') {
    for (const c of usable) if (nextReset(c.usage, now) < nextReset(best.usage, now)) best = c;
  } else if (strategy === 'most-headroom') {
    for (const c of usable) if (highestUse(c.usage) < highestUse(best.usage)) best = c;
  }
  return { id: best.id, earliestAvailableAt: null };
}
