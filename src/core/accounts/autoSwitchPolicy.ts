// When to switch Claude Code to another saved account on its own. Pure: the caller passes the saved
// profiles, the settings, the time and one input, and gets the new memory, the actions to perform and
// when to wake it next. No I/O and no timers here, so every rule is unit-tested with plain values.
//
// Rules:
//  - only a confirmed block of the active account triggers a switch (the caller feeds the detector's
//    `blocked`/`updated` events, never suspicions, throttling, server or auth errors);
//  - the target is chosen by the strategy among usable profiles (not exhausted, expired or invalid);
//    blocks seen here are overlaid on the stored states, which are written asynchronously and may lag;
//  - after any switch (automatic, manual or Undo) no automatic switch happens for the cooldown; a block
//    during the cooldown is re-checked when it ends;
//  - Undo switches back at once and keeps that account until its block resets;
//  - with every account exhausted: one notice per episode, a wake-up at the earliest reset, and then a
//    switch to the account that reset (if the active one is still exhausted).
import type { AccountState, UsageSnapshot } from './schemas';
import { chooseNextAvailable, effectiveState, type PolicyCandidate, type SwitchStrategy } from './policy';

export interface AutoSwitchProfile {
  readonly id: string;
  readonly label: string;
  readonly state: AccountState;
  readonly active: boolean;
  readonly usage?: UsageSnapshot;
  readonly tokenExpiresAt?: number | null;
}

export interface AutoSwitchSettings {
  readonly enabled: boolean;
  readonly strategy: SwitchStrategy;
  readonly cooldownMs: number;
  /** The user has neither enabled nor declined auto-switching: a first block may ask once. */
  readonly undecided: boolean;
}

export interface AccountName {
  readonly id: string;
  readonly label: string;
}

export type SwitchReason = 'blocked' | 'reset' | 'undo';

export interface AutoSwitchMemory {
  /** Account id -> end of a confirmed block seen here (ms). */
  readonly blocks: Readonly<Record<string, number>>;
  /** Last switch of any kind; automatic switches wait the cooldown after it. */
  readonly lastSwitchAt: number | null;
  /** The last automatic switch, which Undo reverts while it is still the current one. */
  readonly lastAuto: { readonly from: string; readonly to: string; readonly at: number } | null;
  /** After Undo: this account is not switched away from until `until`. */
  readonly pinned: { readonly id: string; readonly until: number } | null;
  /** A confirmed block arrived during the cooldown: re-check at this time. */
  readonly pendingAt: number | null;
  /** Every account is exhausted; the notice was shown; `at` is the earliest reset (of `earliestId`). */
  readonly allExhausted: { readonly earliestId: string; readonly at: number } | null;
  /** The enable prompt was shown (once per run). */
  readonly prompted: boolean;
}

export const INITIAL_MEMORY: AutoSwitchMemory = {
  blocks: {},
  lastSwitchAt: null,
  lastAuto: null,
  pinned: null,
  pendingAt: null,
  allExhausted: null,
  prompted: false,
};

export type AutoSwitchInput =
  /** The detector confirmed (or moved) a block of this account. */
  | { readonly type: 'blocked'; readonly accountId: string; readonly until: number }
  /** The account serves requests again (activity, limit reset): its block is over. */
  | { readonly type: 'cleared'; readonly accountId: string }
  /** The user switched accounts (command, status bar, CLI). */
  | { readonly type: 'userSwitched' }
  /** An automatic switch this policy asked for failed; it is not Undo-able. */
  | { readonly type: 'switchFailed' }
  /** The user chose Undo on the switch notification. */
  | { readonly type: 'undo' }
  /** A timer fired, or settings changed: re-check what is pending. */
  | { readonly type: 'wake' };

export type AutoSwitchAction =
  | { readonly type: 'switch'; readonly from: AccountName | null; readonly to: AccountName; readonly reason: SwitchReason }
  | { readonly type: 'notifyAllExhausted'; readonly earliest: AccountName; readonly at: number }
  | { readonly type: 'askToEnable'; readonly blocked: AccountName; readonly next: AccountName }
  | { readonly type: 'log'; readonly message: string };

export interface AutoSwitchDecision {
  readonly memory: AutoSwitchMemory;
  readonly actions: readonly AutoSwitchAction[];
  /** When to call decide() again with `wake`; null when nothing is pending (no timer needed). */
  readonly wakeAt: number | null;
}

export interface AutoSwitchContext {
  readonly profiles: readonly AutoSwitchProfile[];
  readonly settings: AutoSwitchSettings;
  readonly now: number;
}

function name(p: AutoSwitchProfile): AccountName {
  return { id: p.id, label: p.label };
}

/** The stored state with the blocks seen here laid over it (whichever ends later wins). */
function overlaidState(p: AutoSwitchProfile, blocks: Readonly<Record<string, number>>, now: number): AccountState {
  const stored = effectiveState(p.state, now);
  const seen = blocks[p.id];
  if (seen === undefined || seen <= now) return stored;
  if (stored.kind === 'exhausted') return { ...stored, until: Math.max(stored.until, seen) };
  if (stored.kind === 'expired' || stored.kind === 'invalid') return stored;
  return { kind: 'exhausted', until: seen, window: 'unknown' };
}

function exhaustedUntil(state: AccountState): number | null {
  return state.kind === 'exhausted' ? state.until : null;
}

/** The earliest time any exhausted profile (the active one included) becomes usable again. */
function earliestReset(profiles: readonly AutoSwitchProfile[], states: ReadonlyMap<string, AccountState>): { profile: AutoSwitchProfile; at: number } | null {
  let best: { profile: AutoSwitchProfile; at: number } | null = null;
  for (const p of profiles) {
    const until = exhaustedUntil(states.get(p.id) ?? p.state);
    if (until !== null && (best === null || until < best.at)) best = { profile: p, at: until };
  }
  return best;
}

function prune(m: AutoSwitchMemory, now: number): AutoSwitchMemory {
  const blocks = Object.fromEntries(Object.entries(m.blocks).filter(([, until]) => until > now));
  const pinned = m.pinned !== null && m.pinned.until > now ? m.pinned : null;
  return { ...m, blocks, pinned };
}

/** When to wake next: the end of a deferral or the earliest reset of an all-exhausted episode. */
export function nextWake(m: AutoSwitchMemory, settings: AutoSwitchSettings): number | null {
  if (!settings.enabled) return null;
  const times = [m.pendingAt, m.allExhausted?.at ?? null].filter((t): t is number => t !== null);
  return times.length > 0 ? Math.min(...times) : null;
}

/** Applies one input. Pure: the same arguments always give the same decision. */
export function decide(memory: AutoSwitchMemory, input: AutoSwitchInput, ctx: AutoSwitchContext): AutoSwitchDecision {
  const { profiles, settings, now } = ctx;
  let m = prune(memory, now);
  const actions: AutoSwitchAction[] = [];
  const active = profiles.find((p) => p.active) ?? null;
  const log = (message: string): void => {
    actions.push({ type: 'log', message });
  };
  const done = (): AutoSwitchDecision => {
    // Disabled: nothing waits, so no timer runs.
    if (!settings.enabled) m = { ...m, pendingAt: null, allExhausted: null };
    return { memory: m, actions, wakeAt: nextWake(m, settings) };
  };

  switch (input.type) {
    case 'blocked': {
      const prev = m.blocks[input.accountId];
      if (input.until > now) m = { ...m, blocks: { ...m.blocks, [input.accountId]: Math.max(prev ?? 0, input.until) } };
      if (active === null || active.id !== input.accountId) {
        // A session still showing an account that is no longer active: remembered, not acted on.
        return done();
      }
      evaluate('blocked');
      return done();
    }
    case 'cleared': {
      if (m.blocks[input.accountId] === undefined) return done();
      const blocks = { ...m.blocks };
      delete blocks[input.accountId];
      m = { ...m, blocks };
      return done();
    }
    case 'userSwitched':
      // The user decides: their choice stands for a cooldown, and Undo no longer applies.
      m = { ...m, lastSwitchAt: now, lastAuto: null, pendingAt: null, pinned: null };
      if (m.allExhausted !== null && active !== null && overlaidState(active, m.blocks, now).kind === 'available') m = { ...m, allExhausted: null };
      return done();
    case 'switchFailed':
      m = { ...m, lastAuto: null };
      return done();
    case 'undo': {
      const last = m.lastAuto;
      if (last === null || active === null || active.id !== last.to) {
        log('Undo: the automatic switch is no longer the current one; nothing to undo');
        return done();
      }
      const back = profiles.find((p) => p.id === last.from);
      if (back === undefined) {
        log('Undo: the previous account is no longer saved');
        return done();
      }
      const until = Math.max(m.blocks[back.id] ?? 0, exhaustedUntil(overlaidState(back, m.blocks, now)) ?? 0, now + settings.cooldownMs);
      m = { ...m, lastAuto: null, lastSwitchAt: now, pendingAt: null, pinned: { id: back.id, until } };
      actions.push({ type: 'switch', from: name(active), to: name(back), reason: 'undo' });
      return done();
    }
    case 'wake': {
      const due = (t: number | null): boolean => t !== null && t <= now;
      if (due(m.allExhausted?.at ?? null)) {
        // The episode stays until a switch or a usable active account ends it: still no second notice.
        evaluate('reset', m.allExhausted?.earliestId ?? null);
      } else if (due(m.pendingAt)) {
        m = { ...m, pendingAt: null };
        evaluate('blocked');
      }
      return done();
    }
  }

  /** The active account is (or may still be) blocked: switch, defer, or declare all exhausted. */
  function evaluate(reason: SwitchReason, prefer: string | null = null): void {
    if (active === null) {
      m = { ...m, pendingAt: null, allExhausted: null };
      return;
    }
    const states = new Map(profiles.map((p) => [p.id, overlaidState(p, m.blocks, now)] as const));
    const activeState = states.get(active.id);
    if (activeState?.kind !== 'exhausted') {
      if (m.allExhausted !== null || m.pendingAt !== null) log(`${active.label} is usable again; nothing to switch`);
      m = { ...m, allExhausted: null, pendingAt: null };
      return;
    }
    const candidates: PolicyCandidate[] = profiles.map((p) => ({ id: p.id, state: states.get(p.id) ?? p.state, usage: p.usage, tokenExpiresAt: p.tokenExpiresAt }));
    const preferred = prefer !== null && prefer !== active.id && states.get(prefer)?.kind === 'available' ? prefer : null;
    const choice = preferred ?? chooseNextAvailable(candidates, { strategy: settings.strategy, now, currentId: active.id }).id;
    const target = choice === null ? undefined : profiles.find((p) => p.id === choice);

    if (!settings.enabled) {
      if (target !== undefined && settings.undecided && !m.prompted) {
        m = { ...m, prompted: true };
        actions.push({ type: 'askToEnable', blocked: name(active), next: name(target) });
      }
      return;
    }
    if (m.pinned !== null && m.pinned.id === active.id) {
      log(`${active.label} stays active (switched back by Undo) until its block ends`);
      m = { ...m, pendingAt: null, allExhausted: null };
      return;
    }
    if (target === undefined) {
      const earliest = earliestReset(profiles, states);
      if (earliest === null) {
        log('No other account is usable and none has a known reset; not switching');
        m = { ...m, pendingAt: null, allExhausted: null };
        return;
      }
      if (m.allExhausted === null) {
        actions.push({ type: 'notifyAllExhausted', earliest: name(earliest.profile), at: earliest.at });
      } else if (m.allExhausted.at !== earliest.at || m.allExhausted.earliestId !== earliest.profile.id) {
        log(`All accounts still exhausted; the earliest reset is now ${earliest.profile.label}'s`);
      }
      m = { ...m, pendingAt: null, allExhausted: { earliestId: earliest.profile.id, at: earliest.at } };
      return;
    }
    const cooldownEnd = m.lastSwitchAt === null ? null : m.lastSwitchAt + settings.cooldownMs;
    if (cooldownEnd !== null && cooldownEnd > now) {
      if (m.pendingAt !== cooldownEnd) log(`${active.label} is blocked but the last switch was less than the cooldown ago; re-checking at the cooldown's end`);
      m = { ...m, pendingAt: cooldownEnd, allExhausted: null };
      return;
    }
    m = { ...m, pendingAt: null, allExhausted: null, lastSwitchAt: now, lastAuto: { from: active.id, to: target.id, at: now } };
    actions.push({ type: 'switch', from: name(active), to: name(target), reason });
  }
}
