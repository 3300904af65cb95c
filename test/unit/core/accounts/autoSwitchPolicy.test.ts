import * as assert from 'node:assert/strict';
import {
  INITIAL_MEMORY,
  decide,
  nextWake,
  type AutoSwitchAction,
  type AutoSwitchInput,
  type AutoSwitchMemory,
  type AutoSwitchProfile,
  type AutoSwitchSettings,
} from '../../../../src/core/accounts/autoSwitchPolicy';
import type { AccountState } from '../../../../src/core/accounts/schemas';

const T0 = 1_800_000_000_000;
const MIN = 60_000;
const H = 60 * MIN;
const COOLDOWN = 10 * MIN;

const AVAILABLE: AccountState = { kind: 'available' };

const ON: AutoSwitchSettings = { enabled: true, strategy: 'in-order', cooldownMs: COOLDOWN, undecided: false };

/**
 * A little world: saved profiles, the active one, the clock, and the policy's memory. Switch actions
 * are applied to the profiles the way the extension's safe switch would, so sequences play out.
 */
class World {
  memory: AutoSwitchMemory = INITIAL_MEMORY;
  now = T0;
  profiles: AutoSwitchProfile[];
  settings: AutoSwitchSettings;
  readonly actions: AutoSwitchAction[] = [];
  wakeAt: number | null = null;

  constructor(profiles: Array<Partial<AutoSwitchProfile> & { id: string }>, settings: Partial<AutoSwitchSettings> = {}) {
    this.profiles = profiles.map((p, i) => ({ label: p.id.toUpperCase(), state: AVAILABLE, active: i === 0, ...p }));
    this.settings = { ...ON, ...settings };
  }

  get active(): string | undefined {
    return this.profiles.find((p) => p.active)?.id;
  }

  send(input: AutoSwitchInput): AutoSwitchAction[] {
    const d = decide(this.memory, input, { profiles: this.profiles, settings: this.settings, now: this.now });
    this.memory = d.memory;
    this.wakeAt = d.wakeAt;
    // Never a timer in the past: a wake must always make progress.
    assert.ok(d.wakeAt === null || d.wakeAt > this.now, `wakeAt ${String(d.wakeAt)} is not in the future`);
    for (const a of d.actions) {
      this.actions.push(a);
      if (a.type === 'switch') this.activate(a.to.id);
    }
    return [...d.actions];
  }

  /** The active account's session confirmed blocked until `until` (the detector's blocked event). */
  block(until: number, id = this.active): AutoSwitchAction[] {
    assert.ok(id);
    // The sessions controller records the state too (asynchronously, so not always before this).
    return this.send({ type: 'blocked', accountId: id, until });
  }

  storeState(id: string, state: AccountState): void {
    this.profiles = this.profiles.map((p) => (p.id === id ? { ...p, state } : p));
  }

  activate(id: string): void {
    this.profiles = this.profiles.map((p) => ({ ...p, active: p.id === id }));
  }

  userSwitch(id: string): AutoSwitchAction[] {
    this.activate(id);
    return this.send({ type: 'userSwitched' });
  }

  advance(ms: number): void {
    this.now += ms;
  }

  /** Advances to the policy's wake time and wakes it (what the controller's one timer does). */
  wake(): AutoSwitchAction[] {
    assert.ok(this.wakeAt !== null, 'a wake-up is armed');
    this.now = this.wakeAt;
    return this.send({ type: 'wake' });
  }

  switches(): Array<[string, string, string]> {
    return this.actions.filter((a) => a.type === 'switch').map((a) => (a.type === 'switch' ? [a.from?.id ?? '', a.to.id, a.reason] : ['', '', '']));
  }

  notices(): AutoSwitchAction[] {
    return this.actions.filter((a) => a.type === 'notifyAllExhausted');
  }
}

function only<T extends AutoSwitchAction['type']>(actions: readonly AutoSwitchAction[], type: T): Extract<AutoSwitchAction, { type: T }>[] {
  return actions.filter((a): a is Extract<AutoSwitchAction, { type: T }> => a.type === type);
}

describe('auto-switch policy', () => {
  describe('switching on a confirmed block', () => {
    it('switches the blocked active account to the next usable one', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }]);
      const acts = w.block(T0 + 3 * H);
      assert.deepEqual(only(acts, 'switch'), [{ type: 'switch', from: { id: 'a', label: 'A' }, to: { id: 'b', label: 'B' }, reason: 'blocked' }]);
      assert.equal(w.active, 'b');
      assert.equal(w.wakeAt, null, 'no timer after a plain switch');
    });

    it('ignores a block of an account that is not the active one, but remembers it', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
      assert.deepEqual(w.block(T0 + H, 'c'), []);
      assert.equal(w.active, 'a');
      // c's block is known, so when a is blocked the in-order choice skips c... and b is next anyway;
      // make b unusable to prove c is skipped because of the remembered block.
      w.storeState('b', { kind: 'invalid', reason: 'refresh rejected' });
      w.block(T0 + 2 * H);
      assert.equal(w.active, 'a');
      assert.equal(w.notices().length, 1, 'c is exhausted by the remembered block, b invalid: all exhausted');
    });

    it('skips exhausted, expired and invalid profiles', () => {
      const w = new World([
        { id: 'a' },
        { id: 'b', state: { kind: 'exhausted', until: T0 + H, window: 'five_hour' } },
        { id: 'c', state: { kind: 'expired', since: T0 - H } },
        { id: 'd', state: { kind: 'invalid' } },
        { id: 'e' },
      ]);
      w.block(T0 + 3 * H);
      assert.deepEqual(w.switches(), [['a', 'e', 'blocked']]);
    });

    it('treats a stored exhausted state whose reset passed as usable', () => {
      const w = new World([{ id: 'a' }, { id: 'b', state: { kind: 'exhausted', until: T0 - 1, window: 'five_hour' } }]);
      w.block(T0 + H);
      assert.equal(w.active, 'b');
    });

    it('does nothing when auto-switch is off and the user already decided', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }], { enabled: false, undecided: false });
      assert.deepEqual(w.block(T0 + H), []);
      assert.equal(w.active, 'a');
      assert.equal(w.wakeAt, null);
    });

    it('does nothing without an active saved account', () => {
      const w = new World([{ id: 'a', active: false }, { id: 'b' }]);
      w.profiles = w.profiles.map((p) => ({ ...p, active: false }));
      assert.deepEqual(w.send({ type: 'blocked', accountId: 'a', until: T0 + H }), []);
      assert.equal(w.wakeAt, null);
    });

    it('ignores a block whose reset already passed', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }]);
      assert.deepEqual(w.block(T0 - 1), []);
      assert.equal(w.active, 'a');
    });
  });

  describe('strategies', () => {
    const usage = (used: number, resetIn: number) => ({ observedAt: T0, fiveHour: { usedPercent: used, resetsAt: T0 + resetIn } });
    const profiles = [
      { id: 'a' },
      { id: 'b', usage: usage(70, 4 * H) },
      { id: 'c', usage: usage(10, 3 * H) },
      { id: 'd', usage: usage(50, 1 * H) },
    ];

    it('in-order takes the next profile in list order', () => {
      const w = new World(profiles, { strategy: 'in-order' });
      w.block(T0 + H);
      assert.equal(w.active, 'b');
    });

    it('soonest-reset takes the profile whose window resets first', () => {
      const w = new World(profiles, { strategy: 'soonest-reset' });
      w.block(T0 + H);
      assert.equal(w.active, 'd');
    });

    it('most-headroom takes the least used profile', () => {
      const w = new World(profiles, { strategy: 'most-headroom' });
      w.block(T0 + H);
      assert.equal(w.active, 'c');
    });

    it('in-order wraps around from the end of the list', () => {
      const w = new World([{ id: 'a', active: false }, { id: 'b' }, { id: 'c' }]);
      w.activate('c');
      w.block(T0 + H);
      assert.equal(w.active, 'a');
    });
  });

  describe('cooldown', () => {
    it('defers a block within the cooldown and switches when it ends', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
      w.block(T0 + 5 * H);
      assert.equal(w.active, 'b');
      w.advance(2 * MIN);
      const acts = w.block(T0 + 5 * H);
      assert.equal(only(acts, 'switch').length, 0, 'no switch within the cooldown');
      assert.equal(w.active, 'b');
      assert.equal(w.wakeAt, T0 + COOLDOWN, 'a re-check at the cooldown end');
      w.wake();
      assert.deepEqual(w.switches(), [
        ['a', 'b', 'blocked'],
        ['b', 'c', 'blocked'],
      ]);
      assert.equal(w.wakeAt, null);
    });

    it('drops a deferred switch when the active account serves requests again', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
      w.block(T0 + 5 * H);
      w.advance(MIN);
      w.block(T0 + 5 * H);
      assert.notEqual(w.wakeAt, null);
      w.send({ type: 'cleared', accountId: 'b' });
      w.wake();
      assert.equal(w.active, 'b', 'b is usable again: no switch');
      assert.equal(w.switches().length, 1);
      assert.equal(w.wakeAt, null);
    });

    it('switches again after the cooldown has passed', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
      w.block(T0 + 5 * H);
      w.advance(COOLDOWN);
      w.block(T0 + 5 * H);
      assert.equal(w.active, 'c');
    });

    it('a manual switch by the user during the cooldown restarts it and cancels a deferred switch', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }]);
      w.block(T0 + 5 * H); // a -> b
      w.advance(MIN);
      w.block(T0 + 5 * H); // b blocked in cooldown: deferred to T0 + 10 min
      assert.equal(w.wakeAt, T0 + COOLDOWN);
      w.advance(MIN);
      w.userSwitch('c'); // the user picks c at T0 + 2 min
      assert.equal(w.wakeAt, null, 'the deferred switch is dropped: the user decided');
      w.advance(5 * MIN);
      w.block(T0 + 5 * H); // c blocked at T0 + 7 min: within the user's cooldown
      assert.equal(w.active, 'c');
      assert.equal(w.wakeAt, T0 + 2 * MIN + COOLDOWN);
      w.wake();
      assert.equal(w.active, 'd', 'a and b are exhausted; d is next');
      assert.deepEqual(w.switches(), [
        ['a', 'b', 'blocked'],
        ['c', 'd', 'blocked'],
      ]);
    });
  });

  describe('ping-pong', () => {
    it('two exhausted accounts stay put: one switch, one notice, no further switching', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }]);
      w.block(T0 + 3 * H);
      assert.equal(w.active, 'b');
      w.advance(COOLDOWN + MIN);
      w.block(T0 + 4 * H);
      assert.equal(w.active, 'b', 'a is still exhausted: no switch back');
      // The same and other sessions keep reporting both blocks, stale and fresh, well after the cooldown.
      for (let i = 0; i < 20; i++) {
        w.advance(3 * MIN);
        w.block(T0 + 4 * H);
        w.send({ type: 'blocked', accountId: 'a', until: T0 + 3 * H });
        w.send({ type: 'wake' });
      }
      assert.deepEqual(w.switches(), [['a', 'b', 'blocked']]);
      assert.equal(w.notices().length, 1);
      assert.equal(w.wakeAt, T0 + 3 * H, 'armed for the earliest reset');
    });

    it('stays stable even when the stored states never record the blocks', () => {
      // Only the policy's own memory knows a and b are blocked (state writes failed or lag).
      const w = new World([{ id: 'a' }, { id: 'b' }], { cooldownMs: MIN });
      w.block(T0 + 3 * H);
      for (let i = 0; i < 10; i++) {
        w.advance(5 * MIN);
        w.block(T0 + 4 * H);
      }
      assert.deepEqual(w.switches(), [['a', 'b', 'blocked']]);
      assert.equal(w.notices().length, 1);
    });
  });

  describe('every account exhausted', () => {
    it('notifies once with the earliest reset, wakes at it and switches back to that account', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }, { id: 'c', state: { kind: 'exhausted', until: T0 + 5 * H, window: 'weekly' } }]);
      w.block(T0 + 2 * H); // a -> b
      w.advance(COOLDOWN);
      const acts = w.block(T0 + 4 * H); // b blocked: a resets at T0+2h, b at T0+4h, c at T0+5h
      assert.deepEqual(only(acts, 'notifyAllExhausted'), [{ type: 'notifyAllExhausted', earliest: { id: 'a', label: 'A' }, at: T0 + 2 * H }]);
      assert.deepEqual(w.memory.allExhausted, { earliestId: 'a', at: T0 + 2 * H });
      assert.equal(w.wakeAt, T0 + 2 * H);
      w.advance(MIN);
      assert.equal(only(w.block(T0 + 4 * H), 'notifyAllExhausted').length, 0, 'one notice per episode');
      const back = w.wake();
      assert.deepEqual(only(back, 'switch'), [{ type: 'switch', from: { id: 'b', label: 'B' }, to: { id: 'a', label: 'A' }, reason: 'reset' }]);
      assert.equal(w.memory.allExhausted, null);
      assert.equal(w.wakeAt, null, 'no timer once the episode is over');
    });

    it('a new episode after the first one ended notifies again', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }]);
      w.block(T0 + H);
      w.advance(COOLDOWN);
      w.block(T0 + 2 * H);
      assert.equal(w.notices().length, 1);
      w.wake(); // T0 + 1h: back to a
      assert.equal(w.active, 'a');
      w.advance(COOLDOWN);
      w.block(T0 + 6 * H); // a blocked again; b still blocked until T0+2h
      assert.equal(w.notices().length, 2);
      assert.equal(w.wakeAt, T0 + 2 * H);
    });

    it('moves the wake-up when an earlier reset becomes known, without a second notice', () => {
      const w = new World([{ id: 'a' }, { id: 'b', state: { kind: 'exhausted', until: T0 + 5 * H, window: 'five_hour' } }]);
      w.block(T0 + 4 * H);
      assert.equal(w.notices().length, 1);
      assert.equal(w.wakeAt, T0 + 4 * H, 'the active account itself resets first');
      w.storeState('b', { kind: 'exhausted', until: T0 + 2 * H, window: 'five_hour' });
      w.advance(MIN);
      w.block(T0 + 4 * H);
      assert.equal(w.notices().length, 1);
      assert.equal(w.wakeAt, T0 + 2 * H);
    });

    it('ends the episode without switching when the active account is the one that reset', () => {
      const w = new World([{ id: 'a' }, { id: 'b', state: { kind: 'exhausted', until: T0 + 5 * H, window: 'five_hour' } }]);
      w.block(T0 + H);
      assert.equal(w.wakeAt, T0 + H);
      const acts = w.wake();
      assert.equal(only(acts, 'switch').length, 0);
      assert.equal(w.active, 'a');
      assert.equal(w.memory.allExhausted, null);
      assert.equal(w.wakeAt, null);
    });

    it('does not switch back at the reset when the user already moved to a usable account', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }, { id: 'c', state: { kind: 'invalid' } }]);
      w.block(T0 + H);
      w.advance(COOLDOWN);
      w.block(T0 + 2 * H);
      assert.equal(w.notices().length, 1);
      // The user logs c in again and switches to it.
      w.storeState('c', AVAILABLE);
      w.userSwitch('c');
      assert.equal(w.memory.allExhausted, null);
      assert.equal(w.wakeAt, null);
      assert.equal(w.active, 'c');
    });

    it('no notice and no timer without a known reset or another profile', () => {
      const w = new World([{ id: 'a' }, { id: 'b', state: { kind: 'expired' } }]);
      const acts = w.block(T0 + H);
      // a's own block is known, so its reset is the earliest.
      assert.equal(only(acts, 'notifyAllExhausted').length, 1);
      assert.equal(w.wakeAt, T0 + H);
      const single = new World([{ id: 'a' }]);
      single.storeState('a', { kind: 'invalid' });
      assert.deepEqual(only(single.send({ type: 'wake' }), 'switch'), []);
      assert.equal(single.wakeAt, null);
    });

    it('turning auto-switch off ends the episode and its timer', () => {
      const w = new World([{ id: 'a' }, { id: 'b', state: { kind: 'exhausted', until: T0 + 2 * H, window: 'five_hour' } }]);
      w.block(T0 + H);
      assert.notEqual(w.wakeAt, null);
      w.settings = { ...w.settings, enabled: false };
      w.send({ type: 'wake' });
      assert.equal(w.wakeAt, null);
      assert.equal(nextWake(w.memory, w.settings), null);
      assert.equal(w.memory.allExhausted, null);
    });
  });

  describe('Undo', () => {
    it('switches back at once, even within the cooldown, and keeps that account until its block ends', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
      w.block(T0 + 2 * H);
      w.advance(MIN);
      const acts = w.send({ type: 'undo' });
      assert.deepEqual(only(acts, 'switch'), [{ type: 'switch', from: { id: 'b', label: 'B' }, to: { id: 'a', label: 'A' }, reason: 'undo' }]);
      assert.equal(w.active, 'a');
      // The old screen reports a's block again, also after the cooldown: a stays.
      w.advance(COOLDOWN + MIN);
      assert.equal(only(w.block(T0 + 2 * H), 'switch').length, 0);
      assert.equal(w.active, 'a');
      // Once a's block has reset, a new block of a switches as usual.
      w.now = T0 + 2 * H + MIN;
      w.block(T0 + 7 * H);
      assert.equal(w.active, 'b');
      assert.deepEqual(w.switches(), [
        ['a', 'b', 'blocked'],
        ['b', 'a', 'undo'],
        ['a', 'b', 'blocked'],
      ]);
    });

    it('does nothing once the user switched by hand, or twice', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
      w.block(T0 + H);
      w.userSwitch('c');
      assert.equal(only(w.send({ type: 'undo' }), 'switch').length, 0);
      assert.equal(w.active, 'c');

      const v = new World([{ id: 'a' }, { id: 'b' }]);
      v.block(T0 + H);
      v.send({ type: 'undo' });
      assert.equal(only(v.send({ type: 'undo' }), 'switch').length, 0);
      assert.equal(v.active, 'a');
    });

    it('does nothing when the switch failed', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }]);
      const acts = decide(w.memory, { type: 'blocked', accountId: 'a', until: T0 + H }, { profiles: w.profiles, settings: w.settings, now: T0 });
      assert.equal(only(acts.actions, 'switch').length, 1);
      // The switch did not happen (a stays active); the controller reports the failure.
      w.memory = decide(acts.memory, { type: 'switchFailed' }, { profiles: w.profiles, settings: w.settings, now: T0 }).memory;
      assert.equal(only(w.send({ type: 'undo' }), 'switch').length, 0);
    });
  });

  describe('first-run prompt', () => {
    it('asks once when a block hits while another account is usable and the user has not decided', () => {
      const w = new World([{ id: 'a' }, { id: 'b' }], { enabled: false, undecided: true });
      const acts = w.block(T0 + H);
      assert.deepEqual(only(acts, 'askToEnable'), [{ type: 'askToEnable', blocked: { id: 'a', label: 'A' }, next: { id: 'b', label: 'B' } }]);
      assert.equal(w.active, 'a', 'asking does not switch');
      w.advance(COOLDOWN);
      assert.equal(only(w.block(T0 + 2 * H), 'askToEnable').length, 0, 'asked once');
      assert.equal(w.wakeAt, null);
    });

    it('does not ask without another usable account', () => {
      const w = new World([{ id: 'a' }, { id: 'b', state: { kind: 'exhausted', until: T0 + H, window: 'five_hour' } }], { enabled: false, undecided: true });
      assert.deepEqual(w.block(T0 + H), []);
      assert.equal(w.memory.prompted, false, 'still to be asked when it applies');
    });
  });

  it('is pure: the same input gives the same decision and the memory is not mutated', () => {
    const profiles: AutoSwitchProfile[] = [
      { id: 'a', label: 'A', state: AVAILABLE, active: true },
      { id: 'b', label: 'B', state: AVAILABLE, active: false },
    ];
    const memory: AutoSwitchMemory = { ...INITIAL_MEMORY, blocks: { b: T0 - 1 } };
    const frozen = JSON.stringify(memory);
    const one = decide(memory, { type: 'blocked', accountId: 'a', until: T0 + H }, { profiles, settings: ON, now: T0 });
    const two = decide(memory, { type: 'blocked', accountId: 'a', until: T0 + H }, { profiles, settings: ON, now: T0 });
    assert.deepEqual(one, two);
    assert.equal(JSON.stringify(memory), frozen);
    assert.deepEqual(one.memory.blocks, { a: T0 + H }, 'past blocks are pruned');
  });
});
