import * as assert from 'node:assert/strict';
import type { ProfileView } from '../../../../src/core/accounts/accountManager';
import type { AccountState } from '../../../../src/core/accounts/schemas';
import type { AccountRef, DetectorEvent } from '../../../../src/core/detection/detector';
import type { SwitchOutcome } from '../../../../src/extension/accounts/accountsController';
import {
  AutoSwitchController,
  DECISION_KEY,
  type AutoSwitchEvent,
  type AutoSwitchStatusItem,
  type AutoSwitchUi,
} from '../../../../src/extension/accounts/autoSwitchController';
import type { ExhaustedItemView } from '../../../../src/extension/accounts/autoSwitchText';
import { Emitter } from '../../../../src/core/base/event';
import { DEFAULTS, type SettingKey, type Settings } from '../../../../src/extension/settings';
import { FakeTimers } from '../../../support/fakeTimers';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const MIN = 60_000;
const H = 60 * MIN;
const SECRET = 'sk-ant-oat01-SECRETSECRETSECRET';

class FakeAccounts {
  readonly changes = new Emitter<void>();
  readonly onDidChangeAccounts = this.changes.event;
  states = new Map<string, AccountState>();
  active: string;
  failWith: Error | null = null;
  readonly switchCalls: string[] = [];

  constructor(
    readonly labels: string[],
    active = labels[0] ?? '',
  ) {
    this.active = active;
  }

  list(): Promise<ProfileView[]> {
    return Promise.resolve(
      this.labels.map((l) => ({
        id: `id-${l}`,
        label: l,
        email: `${l}@example.com`,
        organizationName: null,
        plan: null,
        state: this.states.get(l) ?? { kind: 'available' },
        active: l === this.active,
        tokenExpiresAt: null,
        tokenExpired: false,
      })),
    );
  }

  switchQuietly(label: string): Promise<SwitchOutcome> {
    this.switchCalls.push(label);
    if (this.failWith) return Promise.reject(this.failWith);
    const from = this.active;
    this.active = label;
    this.changes.fire();
    return Promise.resolve({ changed: from !== label, from, to: label, email: `${label}@example.com` });
  }

  /** The user switches with the Switch Account command. */
  userSwitch(label: string): void {
    this.active = label;
    this.changes.fire();
  }
}

interface Shown {
  readonly kind: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly items: readonly string[];
}

class FakeUi implements AutoSwitchUi {
  readonly shown: Shown[] = [];
  /** What the user picks for a notification whose items include the key. */
  answers = new Map<string, string>();
  enabledCalls = 0;
  explicitlySet = false;
  item: { view: ExhaustedItemView | null; disposed: boolean } | null = null;
  readonly onEnable: Array<() => void> = [];

  private answer(items: readonly string[]): Thenable<string | undefined> {
    for (const i of items) {
      const a = this.answers.get(i);
      if (a !== undefined) return Promise.resolve(a);
    }
    return Promise.resolve(undefined);
  }
  showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined> {
    this.shown.push({ kind: 'info', message, items });
    return this.answer(items);
  }
  showWarningMessage(message: string, ...items: string[]): Thenable<string | undefined> {
    this.shown.push({ kind: 'warn', message, items });
    return this.answer(items);
  }
  showErrorMessage(message: string): Thenable<unknown> {
    this.shown.push({ kind: 'error', message, items: [] });
    return Promise.resolve(undefined);
  }
  enableAutoSwitch(): Thenable<void> {
    this.enabledCalls++;
    for (const f of this.onEnable) f();
    return Promise.resolve();
  }
  settingExplicitlySet(): boolean {
    return this.explicitlySet;
  }
  createStatusItem(): AutoSwitchStatusItem {
    const item = { view: null as ExhaustedItemView | null, disposed: false };
    this.item = item;
    return {
      update: (v) => (item.view = v),
      dispose: () => (item.disposed = true),
    };
  }
}

class World {
  readonly clock = { now: T0 };
  readonly timers = new FakeTimers(this.clock);
  readonly ui = new FakeUi();
  readonly sessions = new Emitter<DetectorEvent>();
  readonly configListeners: Array<{ keys: SettingKey[]; run: () => void }> = [];
  readonly memento = new Map<string, unknown>();
  readonly logs: string[] = [];
  readonly events: AutoSwitchEvent[] = [];
  settings: Settings = { ...DEFAULTS, 'autoSwitch.enabled': true, 'autoSwitch.strategy': 'in-order' };
  readonly accounts: FakeAccounts;
  controller: AutoSwitchController;

  constructor(labels: string[]) {
    this.accounts = new FakeAccounts(labels);
    this.controller = this.build();
  }

  build(): AutoSwitchController {
    const log = (level: string) => (m: string) => this.logs.push(`${level} ${m}`);
    const c = new AutoSwitchController({
      accounts: this.accounts,
      sessions: { onDetectorEvent: this.sessions.event },
      config: {
        onChange: (keys, run) => {
          const e = { keys, run };
          this.configListeners.push(e);
          return { dispose: () => this.configListeners.splice(this.configListeners.indexOf(e), 1) };
        },
      },
      read: <K extends SettingKey>(k: K) => this.settings[k],
      ui: this.ui,
      memento: { get: (k) => this.memento.get(k), update: (k, v) => Promise.resolve(void this.memento.set(k, v)) },
      logger: { trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => { throw new Error('unused'); } } as never,
      timers: this.timers,
      now: () => this.clock.now,
      knownSecrets: () => [SECRET],
      timeZone: 'UTC',
    });
    c.onDidAutoSwitch((e) => this.events.push(e));
    return c;
  }

  setSetting<K extends SettingKey>(k: K, v: Settings[K]): void {
    this.settings = { ...this.settings, [k]: v };
    for (const l of [...this.configListeners]) if (l.keys.includes(k)) l.run();
  }

  ref(label: string): AccountRef {
    return { id: `id-${label}`, label };
  }

  /** The detector confirms a block of `label`'s session (the sessions controller records the state too). */
  block(label: string, resetsAt: number, sessionId = `s-${label}`): void {
    this.accounts.states.set(label, { kind: 'exhausted', until: resetsAt, window: 'five_hour' });
    this.sessions.fire({
      type: 'blocked',
      sessionId,
      account: this.ref(label),
      at: new Date(this.clock.now),
      window: 'five_hour',
      resetsAt: new Date(resetsAt),
      resetEstimated: false,
      evidence: [{ text: 'limit reached', source: 'tmux', at: new Date(this.clock.now) }],
    });
  }

  async settle(): Promise<void> {
    // Prompt answers and Undo clicks resolve on later ticks; let them land and queue their inputs.
    for (let i = 0; i < 5; i++) {
      await this.controller.settled();
      await new Promise((r) => setImmediate(r));
    }
  }

  kinds(): string[] {
    return this.controller.history().filter((r) => r.kind !== 'note').map((r) => (r.kind === 'switch' ? `switch ${r.from ?? ''}->${r.to} ${r.reason}` : r.kind));
  }
}

describe('auto-switch controller', () => {
  it('switches the blocked active account, notifies with Undo and fires onDidAutoSwitch; no timer afterwards', async () => {
    const w = new World(['work', 'home']);
    await w.settle();
    w.block('work', T0 + 3 * H);
    await w.settle();
    assert.deepEqual(w.accounts.switchCalls, ['home']);
    assert.equal(w.accounts.active, 'home');
    assert.deepEqual(w.events, [{ from: 'work', to: 'home', reason: 'blocked' }]);
    const note = w.ui.shown.at(-1);
    assert.equal(note?.kind, 'info');
    assert.match(note?.message ?? '', /switched from work to home: work hit its usage limit/);
    assert.deepEqual(note?.items, ['Undo']);
    assert.deepEqual(w.kinds(), ['switch work->home blocked']);
    assert.equal(w.controller.timerArmed, false);
    assert.ok(w.logs.some((l) => l.startsWith('info Switching from work to home (blocked)')));
  });

  it('does not react to suspicions, errors or blocks of another account', async () => {
    const w = new World(['work', 'home']);
    await w.settle();
    const at = new Date(T0);
    const evidence = { text: 'x', source: 'tmux' as const, at };
    w.sessions.fire({ type: 'suspected', sessionId: 's', account: w.ref('work'), at, window: 'five_hour', evidence, expiresAt: new Date(T0 + MIN) });
    w.sessions.fire({ type: 'error', sessionId: 's', account: w.ref('work'), at, kind: 'throttle', evidence });
    w.sessions.fire({ type: 'error', sessionId: 's', account: w.ref('work'), at, kind: 'auth', evidence });
    w.block('home', T0 + H);
    await w.settle();
    assert.deepEqual(w.accounts.switchCalls, []);
    assert.deepEqual(w.ui.shown, []);
  });

  it('Undo switches back and the restored account is kept', async () => {
    const w = new World(['work', 'home']);
    w.ui.answers.set('Undo', 'Undo');
    await w.settle();
    w.block('work', T0 + 3 * H);
    await w.settle();
    assert.deepEqual(w.accounts.switchCalls, ['home', 'work']);
    assert.equal(w.accounts.active, 'work');
    assert.deepEqual(w.events.map((e) => e.reason), ['blocked', 'undo']);
    assert.deepEqual(w.ui.shown.at(-1)?.items, [], 'no Undo on the undo notice');
    // The old screen reports work's limit again later: work stays, as the user asked.
    w.clock.now += 30 * MIN;
    w.block('work', T0 + 3 * H, 's-other');
    await w.settle();
    assert.deepEqual(w.accounts.switchCalls, ['home', 'work']);
  });

  it('ping-pong: two exhausted accounts give one notice, a status item, and a switch back at the earliest reset', async () => {
    const w = new World(['work', 'home']);
    await w.settle();
    w.block('work', T0 + 2 * H);
    await w.settle();
    w.clock.now += 15 * MIN;
    w.block('home', T0 + 4 * H);
    await w.settle();
    for (let i = 0; i < 5; i++) {
      w.clock.now += 5 * MIN;
      w.block('home', T0 + 4 * H, `s-home-${i}`);
      w.block('work', T0 + 2 * H, `s-work-${i}`);
      await w.settle();
    }
    assert.deepEqual(w.accounts.switchCalls, ['home']);
    const notices = w.ui.shown.filter((s) => s.kind === 'warn');
    assert.equal(notices.length, 1);
    assert.equal(notices[0]?.message, 'Every saved Claude account has hit its usage limit. The first to reset is work, at 2:00 pm (in 1h 45m). Claude Code switches to work then.');
    assert.equal(w.controller.statusText, '$(circle-slash) work 2:00 pm');
    assert.equal(w.ui.item?.disposed, false);
    assert.equal(w.controller.timerArmed, true);
    w.timers.runUntil(T0 + 2 * H);
    await w.settle();
    assert.deepEqual(w.accounts.switchCalls, ['home', 'work']);
    assert.deepEqual(w.kinds(), ['switch work->home blocked', 'all-exhausted', 'switch home->work reset']);
    assert.equal(w.controller.statusText, undefined);
    assert.equal(w.ui.item?.disposed, true);
    assert.equal(w.controller.timerArmed, false, 'no timer once nothing is pending');
  });

  it('a manual switch restarts the cooldown: a block right after waits for its end', async () => {
    const w = new World(['work', 'home', 'spare']);
    await w.settle();
    w.accounts.userSwitch('home');
    await w.settle();
    w.clock.now += MIN;
    w.block('home', T0 + 3 * H);
    await w.settle();
    assert.deepEqual(w.accounts.switchCalls, [], 'the user switched a minute ago');
    assert.equal(w.controller.timerArmed, true);
    w.timers.runUntil(T0 + 10 * MIN);
    await w.settle();
    assert.deepEqual(w.accounts.switchCalls, ['spare']);
    assert.equal(w.controller.timerArmed, false);
  });

  it('reports a failed switch without a token and offers no Undo', async () => {
    const w = new World(['work', 'home']);
    await w.settle();
    w.accounts.failWith = new Error(`Could not write the credentials (token ${SECRET})`);
    w.block('work', T0 + H);
    await w.settle();
    const err = w.ui.shown.find((s) => s.kind === 'error');
    assert.ok(err);
    assert.match(err.message, /^Auto-switch could not switch Claude Code to home: Could not write the credentials/);
    assert.ok(!JSON.stringify(w.ui.shown).includes(SECRET));
    assert.ok(!JSON.stringify(w.controller.history()).includes(SECRET));
    assert.ok(!w.logs.join('\n').includes(SECRET));
    assert.deepEqual(w.kinds(), ['switch-failed']);
    assert.deepEqual(w.events, []);
  });

  it('turning the setting off hides the status item and clears the timer', async () => {
    const w = new World(['work']);
    await w.settle();
    w.block('work', T0 + H);
    await w.settle();
    assert.equal(w.controller.timerArmed, true);
    assert.ok(w.controller.statusText);
    w.setSetting('autoSwitch.enabled', false);
    await w.settle();
    assert.equal(w.controller.timerArmed, false);
    assert.equal(w.controller.statusText, undefined);
  });

  it('dispose clears the timer and the status item', async () => {
    const w = new World(['work', 'home']);
    await w.settle();
    w.accounts.states.set('home', { kind: 'invalid' });
    w.block('work', T0 + H);
    await w.settle();
    assert.equal(w.controller.timerArmed, true);
    w.controller.dispose();
    assert.equal(w.controller.timerArmed, false);
    assert.equal(w.ui.item?.disposed, true);
    assert.equal(w.timers.pending.size, 0);
  });

  describe('first-run prompt', () => {
    it('asks once while undecided; Enable stores the answer and turns the setting on', async () => {
      const w = new World(['work', 'home']);
      w.settings = { ...w.settings, 'autoSwitch.enabled': false };
      w.ui.answers.set('Enable', 'Enable');
      await w.settle();
      w.block('work', T0 + H);
      await w.settle();
      const prompt = w.ui.shown.find((s) => s.items.includes('Enable'));
      assert.deepEqual(prompt, { kind: 'info', message: 'work hit its usage limit and home is available. Switch automatically next time?', items: ['Enable', 'Not Now', 'Never'] });
      assert.equal(w.ui.enabledCalls, 1);
      assert.equal(w.memento.get(DECISION_KEY), 'enabled');
      assert.deepEqual(w.accounts.switchCalls, [], 'asking does not switch');
      w.clock.now += H;
      w.block('work', T0 + 3 * H, 's2');
      await w.settle();
      assert.equal(w.ui.shown.filter((s) => s.items.includes('Enable')).length, 1);
    });

    it('Never is remembered across restarts; an explicit setting means no prompt', async () => {
      const w = new World(['work', 'home']);
      w.settings = { ...w.settings, 'autoSwitch.enabled': false };
      w.ui.answers.set('Enable', 'Never');
      await w.settle();
      w.block('work', T0 + H);
      await w.settle();
      assert.equal(w.memento.get(DECISION_KEY), 'never');
      assert.equal(w.ui.enabledCalls, 0);
      w.controller.dispose();
      w.controller = w.build();
      await w.settle();
      w.block('work', T0 + 2 * H, 's2');
      await w.settle();
      assert.equal(w.ui.shown.filter((s) => s.items.includes('Enable')).length, 1, 'not asked again after a restart');

      const v = new World(['work', 'home']);
      v.settings = { ...v.settings, 'autoSwitch.enabled': false };
      v.ui.explicitlySet = true;
      await v.settle();
      v.block('work', T0 + H);
      await v.settle();
      assert.deepEqual(v.ui.shown, []);
    });

    it('Not Now asks again only after a restart', async () => {
      const w = new World(['work', 'home']);
      w.settings = { ...w.settings, 'autoSwitch.enabled': false };
      w.ui.answers.set('Enable', 'Not Now');
      await w.settle();
      w.block('work', T0 + H);
      w.block('work', T0 + H, 's2');
      await w.settle();
      assert.equal(w.ui.shown.length, 1);
      assert.equal(w.memento.get(DECISION_KEY), undefined);
      w.controller.dispose();
      w.controller = w.build();
      await w.settle();
      w.block('work', T0 + H, 's3');
      await w.settle();
      assert.equal(w.ui.shown.length, 2);
    });
  });
});
