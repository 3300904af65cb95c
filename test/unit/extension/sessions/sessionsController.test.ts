import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { ProfileView } from '../../../../src/core/accounts/accountManager';
import { Logger, type ComponentLogger } from '../../../../src/core/base/logger';
import type { AccountState } from '../../../../src/core/accounts/schemas';
import type { TranscriptEvent } from '../../../../src/core/sources/transcripts/transcriptWatcher';
import type { Classification } from '../../../../src/core/detection/types';
import { DEFAULTS as SETTING_DEFAULTS, type SettingKey, type Settings } from '../../../../src/extension/settings';
import { Emitter } from '../../../../src/core/base/event';
import { QuotaNotifier, QUOTA_ACTIONS, type NotifierUi } from '../../../../src/extension/sessions/quotaNotifier';
import { SessionsController, type TranscriptFeed } from '../../../../src/extension/sessions/sessionsController';
import type { SessionInfo, SessionSource, SourceEvent } from '../../../../src/extension/sources/sessionSource';
import { FakeTimers } from '../../../support/fakeTimers';

class FakeSource implements SessionSource {
  readonly emitter = new Emitter<SourceEvent>();
  readonly onEvent = this.emitter.event;
  readonly list: SessionInfo[] = [];
  sessions(): readonly SessionInfo[] {
    return this.list;
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

// settings.ts has no vscode import, so its defaults serve the plain-Node test directly.
const DEFAULTS: Settings = { ...SETTING_DEFAULTS, claudeCommandPatterns: [] };

function profile(id: string, active: boolean): ProfileView {
  return { id, label: id, email: `${id}@example.com`, organizationName: null, plan: null, state: { kind: 'available' }, active, tokenExpiresAt: null, tokenExpired: false } as ProfileView;
}

function quota(resetsAt: Date | null, evidence = 'You have hit your 5-hour limit · resets 11pm'): Classification {
  return { verdict: 'quota', window: 'five_hour', resetsAt, evidence };
}

function setup(settings: Partial<Settings> = {}, env?: Readonly<Record<string, string | undefined>>, logger?: ComponentLogger) {
  const timers = new FakeTimers({ now: new Date('2026-11-23T12:00:00Z').getTime() });
  const now = (): Date => new Date(timers.now);
  let profiles = [profile('work', true), profile('home', false)];
  const accountsChanged = new Emitter<void>();
  const recorded: Array<[string, AccountState]> = [];
  const transcripts = new Emitter<TranscriptEvent>();
  const transcriptFiles = new Emitter<readonly string[]>();
  const feed: TranscriptFeed = {
    onSignal: (l) => transcripts.event(l),
    onFilesChanged: (l) => transcriptFiles.event(l),
    start: () => Promise.resolve(),
    dispose: () => undefined,
  };
  const read = <K extends SettingKey>(k: K): Settings[K] => (settings[k] ?? DEFAULTS[k]) as Settings[K];
  const configListeners: Array<{ keys: SettingKey[]; run: () => void }> = [];
  const changeSetting = <K extends SettingKey>(k: K, v: Settings[K]): void => {
    settings[k] = v;
    for (const l of [...configListeners]) if (l.keys.includes(k)) l.run();
  };
  const source = new FakeSource();
  const transcriptDirs: string[] = [];
  const controller = new SessionsController({
    accounts: { list: () => Promise.resolve(profiles), onDidChangeAccounts: accountsChanged.event },
    config: {
      onChange: (keys, run) => {
        const l = { keys, run };
        configListeners.push(l);
        return { dispose: () => configListeners.splice(configListeners.indexOf(l), 1) };
      },
    },
    read,
    sources: [source],
    timers,
    now,
    env,
    logger,
    createTranscriptFeed: (dir) => (transcriptDirs.push(dir), feed),
    recordAccountState: (label, state) => {
      recorded.push([label, state]);
      return Promise.resolve();
    },
  });
  const calls: Array<{ kind: 'warn' | 'info'; message: string; items: string[] }> = [];
  const commands: string[] = [];
  let answer: string | undefined;
  const ui: NotifierUi = {
    showWarningMessage: (message, ...items) => (calls.push({ kind: 'warn', message, items }), Promise.resolve(answer)),
    showInformationMessage: (message, ...items) => (calls.push({ kind: 'info', message, items }), Promise.resolve(undefined)),
    executeCommand: (command) => (commands.push(command), Promise.resolve(undefined)),
  };
  const notifier = new QuotaNotifier({ sessions: controller, read, ui, timers, now, timeZone: 'UTC' });
  const add = (id: string, where = id): void => source.emitter.fire({ type: 'sessionAdded', session: { id, kind: 'tmux', where } });
  const verdict = (id: string, c: Classification): void => source.emitter.fire({ type: 'verdict', id, classification: c, at: now() });
  return {
    timers, controller, notifier, calls, commands, recorded, transcripts, transcriptFiles, transcriptDirs, source, add, verdict, changeSetting,
    setAnswer: (a: string | undefined) => (answer = a),
    switchTo: async (id: string) => {
      profiles = profiles.map((p) => ({ ...p, active: p.id === id }));
      accountsChanged.fire();
      await controller.refreshAccounts();
    },
  };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('sessions controller and notifier', () => {
  it('blocks a session of the active account, notifies once per account, and records the account exhausted', async () => {
    const t = setup();
    await t.controller.refreshAccounts();
    t.add('tmux:%1', 'main:0.0');
    t.add('tmux:%2', 'main:1.0');
    assert.equal(t.controller.timerArmed, false, 'no timer while nothing is pending');
    const reset = new Date(t.timers.now + 2 * 3600_000 + 14 * 60_000);
    t.verdict('tmux:%1', quota(reset));
    const snap = t.controller.snapshot();
    const s1 = snap.sessions.find((s) => s.id === 'tmux:%1');
    assert.equal(s1?.state, 'blocked');
    assert.equal(s1?.account?.label, 'work');
    assert.deepEqual(s1?.evidenceSources, ['tmux']);
    assert.equal(s1?.resetsAt?.getTime(), reset.getTime());
    assert.equal(t.controller.timerArmed, true);
    assert.equal(t.calls.length, 1);
    assert.equal(t.calls[0]?.message, 'Account work hit its 5-hour limit — resets 2:14 pm (in 2h 14m)');
    assert.deepEqual(t.calls[0]?.items, QUOTA_ACTIONS);
    // The second session of the same account hitting the same limit does not notify again.
    t.verdict('tmux:%2', quota(reset));
    assert.equal(t.controller.snapshot().sessions.filter((s) => s.state === 'blocked').length, 2);
    assert.equal(t.calls.length, 1);
    await flush();
    assert.deepEqual(t.recorded[0], ['work', { kind: 'exhausted', until: reset.getTime(), window: 'five_hour' }]);
    // The reset passes: the one timer clears both, and the account is available again.
    t.timers.advance(reset.getTime() - t.timers.now);
    assert.ok(t.controller.snapshot().sessions.every((s) => s.state === 'cleared'));
    assert.equal(t.controller.timerArmed, false);
    await flush();
    assert.deepEqual(t.recorded.at(-1), ['work', { kind: 'available' }]);
    t.notifier.dispose();
    t.controller.dispose();
    assert.equal(t.timers.pending.size, 0);
  });

  it('never notifies throttling or server errors as a quota hit; "all" gives one quiet notice after three server errors', async () => {
    for (const level of ['quota', 'all'] as const) {
      const t = setup({ 'notifications.level': level });
      await t.controller.refreshAccounts();
      t.add('tmux:%1');
      t.verdict('tmux:%1', { verdict: 'throttle', window: null, resetsAt: null, evidence: 'rate limit' });
      for (let i = 0; i < 3; i++) {
        t.verdict('tmux:%1', { verdict: 'server', window: null, resetsAt: null, evidence: `529 overloaded (${i})` });
        t.timers.advance(30_000);
      }
      assert.equal(t.controller.snapshot().sessions[0]?.state, 'ok');
      assert.equal(t.calls.filter((c) => c.kind === 'warn').length, 0);
      const infos = t.calls.filter((c) => c.kind === 'info');
      assert.equal(infos.length, level === 'all' ? 1 : 0);
      t.controller.dispose();
    }
  });

  it('shows nothing with notifications off', async () => {
    const t = setup({ 'notifications.level': 'off' });
    await t.controller.refreshAccounts();
    t.add('tmux:%1');
    t.verdict('tmux:%1', quota(new Date(t.timers.now + 3600_000)));
    assert.equal(t.controller.snapshot().sessions[0]?.state, 'blocked');
    assert.equal(t.calls.length, 0);
    t.controller.dispose();
  });

  it('ends blocks on an account switch and maps the sessions to the new account', async () => {
    const t = setup();
    await t.controller.refreshAccounts();
    t.add('tmux:%1');
    t.verdict('tmux:%1', quota(new Date(t.timers.now + 3600_000)));
    await t.switchTo('home');
    const s = t.controller.snapshot().sessions[0];
    assert.equal(s?.state, 'cleared');
    assert.equal(s?.account?.label, 'home');
    assert.equal(t.controller.snapshot().activeAccount?.id, 'home');
    // The old text still on screen cannot block the new account.
    t.verdict('tmux:%1', quota(new Date(t.timers.now + 3600_000)));
    assert.equal(t.controller.snapshot().sessions[0]?.state, 'cleared');
    await flush();
    // The switch leaves work exhausted (no "available" record).
    assert.ok(!t.recorded.some(([l, st]) => l === 'work' && st.kind === 'available'));
    t.controller.dispose();
  });

  it('confirms suspected sessions of the active account with a transcript quota line', async () => {
    const t = setup();
    await t.controller.refreshAccounts();
    t.add('tmux:%1');
    t.verdict('tmux:%1', quota(null, 'Usage limit reached'));
    assert.equal(t.controller.snapshot().sessions[0]?.state, 'suspected');
    const reset = new Date(t.timers.now + 3600_000);
    t.transcripts.fire({
      path: '/x.jsonl', sessionId: 'abc', cwd: '/w',
      signal: { kind: 'quota', window: 'five_hour', resetsAt: reset, exact: true, rateLimitType: 'five_hour', origin: 'api-error', evidence: 'limit', sessionId: 'abc', cwd: '/w', at: new Date(t.timers.now), requestId: 'r', sidechain: false },
    });
    const s = t.controller.snapshot().sessions[0];
    assert.equal(s?.state, 'blocked');
    assert.deepEqual(s?.evidenceSources, ['tmux', 'transcript']);
    assert.equal(s?.resetsAt?.getTime(), reset.getTime());
    t.controller.dispose();
  });

  it('applies a changed fallback retry interval without a reload', async () => {
    const t = setup();
    await t.controller.refreshAccounts();
    t.add('tmux:%1');
    t.add('tmux:%2');
    const noTime = (): Classification => quota(null, 'Claude usage limit reached.');
    t.verdict('tmux:%1', noTime());
    t.transcripts.fire({
      path: '/x.jsonl', sessionId: 'abc', cwd: '/w',
      signal: { kind: 'quota', window: 'five_hour', resetsAt: null, exact: false, rateLimitType: null, origin: 'api-error', evidence: 'limit', sessionId: 'abc', cwd: '/w', at: new Date(t.timers.now), requestId: null, sidechain: false },
    });
    const first = t.controller.snapshot().sessions.find((s) => s.id === 'tmux:%1');
    t.changeSetting('fallbackRetryMinutes', 5);
    t.verdict('tmux:%2', noTime());
    t.transcripts.fire({
      path: '/x.jsonl', sessionId: 'abc', cwd: '/w',
      signal: { kind: 'quota', window: 'five_hour', resetsAt: null, exact: false, rateLimitType: null, origin: 'api-error', evidence: 'limit', sessionId: 'abc', cwd: '/w', at: new Date(t.timers.now), requestId: null, sidechain: false },
    });
    const second = t.controller.snapshot().sessions.find((s) => s.id === 'tmux:%2');
    assert.equal(first?.state, 'blocked');
    assert.equal(second?.state, 'blocked');
    assert.equal(first?.resetsAt?.getTime(), t.timers.now + 60 * 60_000);
    assert.equal(second?.resetsAt?.getTime(), t.timers.now + 5 * 60_000);
  });

  it('forgets removed sessions, tracks unwatched terminals, and offers the notification actions', async () => {
    const t = setup();
    await t.controller.refreshAccounts();
    t.setAnswer('Show Sessions');
    t.add('tmux:%1');
    t.source.emitter.fire({ type: 'unwatched', id: 'terminal:7', where: 'bash', reason: 'no-shell-integration' });
    t.verdict('tmux:%1', quota(new Date(t.timers.now + 600_000)));
    await flush();
    assert.deepEqual(t.commands, ['claudeQuota.showSessions']);
    assert.equal(t.controller.snapshot().unwatched.length, 1);
    assert.equal(t.controller.sourceOf('tmux:%1'), t.source, 'the session is looked up by its source, not its id');
    assert.equal(t.controller.sourceOf('terminal:7'), undefined, 'an unwatched terminal has no session');
    t.source.emitter.fire({ type: 'sessionRemoved', id: 'tmux:%1' });
    t.source.emitter.fire({ type: 'unwatchedGone', id: 'terminal:7' });
    assert.equal(t.controller.sourceOf('tmux:%1'), undefined, 'forgotten with the session');
    assert.deepEqual(t.controller.snapshot().sessions, []);
    assert.deepEqual(t.controller.snapshot().unwatched, []);
    assert.equal(t.controller.timerArmed, false);
    t.controller.dispose();
  });

  it('reminds at the reset when asked', async () => {
    const t = setup();
    await t.controller.refreshAccounts();
    t.setAnswer('Remind Me at Reset');
    t.add('tmux:%1');
    t.verdict('tmux:%1', quota(new Date(t.timers.now + 600_000)));
    await flush();
    t.timers.advance(600_000);
    const reminder = t.calls.find((c) => c.kind === 'info');
    assert.match(reminder?.message ?? '', /Account work: the 5-hour limit should have reset now/);
    assert.equal(t.notifier.shown.length, 2);
    t.notifier.dispose();
    t.controller.dispose();
  });

  it('reminds at a reset further away than one Node timer can wait, and not before', async () => {
    const t = setup();
    await t.controller.refreshAccounts();
    t.setAnswer('Remind Me at Reset');
    t.add('tmux:%1');
    const far = 30 * 86_400_000; // more than 2^31-1 ms (about 24.8 days)
    t.verdict('tmux:%1', quota(new Date(t.timers.now + far), 'You have hit your weekly limit · resets Dec 23'));
    await flush();
    assert.ok(t.timers.dueTimes().every((at) => at - t.timers.now <= 2_147_483_647), 'no timer beyond what Node holds');
    t.timers.advance(far - 1000);
    assert.equal(t.calls.filter((c) => c.kind === 'info').length, 0, 'the capped timer fired early and re-armed, silently');
    t.timers.advance(1000);
    assert.equal(t.calls.filter((c) => c.kind === 'info').length, 1);
    t.notifier.dispose();
    t.controller.dispose();
    assert.equal(t.timers.pending.size, 0);
  });

  it('passes on which transcript files changed while transcripts are read, from each watcher it starts', () => {
    const t = setup();
    const seen: string[][] = [];
    t.controller.onDidChangeTranscriptFiles((paths) => seen.push([...paths]));
    t.transcriptFiles.fire(['/c/projects/-p/a.jsonl']);
    t.changeSetting('sources.transcripts', false);
    t.transcriptFiles.fire(['/c/projects/-p/off.jsonl']);
    t.changeSetting('sources.transcripts', true);
    t.transcriptFiles.fire(['/c/projects/-p/b.jsonl', '/c/projects/-p/c.jsonl']);
    assert.deepEqual(seen, [['/c/projects/-p/a.jsonl'], ['/c/projects/-p/b.jsonl', '/c/projects/-p/c.jsonl']], 'nothing while off, once each after restarting');
    t.notifier.dispose();
    t.controller.dispose();
    t.transcriptFiles.fire(['/c/projects/-p/d.jsonl']);
    assert.equal(seen.length, 2, 'nothing after dispose');
  });

  it('logs a failing listener of its events and goes on: later listeners, the snapshot and later verdicts are unaffected', async () => {
    const errors: string[] = [];
    const sink = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => errors.push(m) };
    const t = setup({}, undefined, new Logger(sink).child('sessions'));
    await t.controller.refreshAccounts();
    const seen: string[] = [];
    t.controller.onDetectorEvent(() => {
      throw new Error('listener broke');
    });
    t.controller.onDetectorEvent((e) => seen.push(`${e.sessionId}:${e.type}`));
    t.add('tmux:%1');
    t.add('tmux:%2');
    const reset = new Date(t.timers.now + 3600_000);
    t.verdict('tmux:%1', quota(reset));
    assert.deepEqual(seen, ['tmux:%1:blocked']);
    assert.deepEqual(errors, ['[sessions] event listener failed: listener broke']);
    assert.equal(t.calls.length, 1, 'the notifier, subscribed before, still notified');
    t.verdict('tmux:%2', quota(reset));
    assert.deepEqual(seen, ['tmux:%1:blocked', 'tmux:%2:blocked']);
    assert.deepEqual(t.controller.snapshot().sessions.map((s) => s.state), ['blocked', 'blocked']);
    assert.equal(t.controller.timerArmed, true);
    t.notifier.dispose();
    t.controller.dispose();
  });

  it('reads transcripts in the config directory as the login is resolved: CLAUDE_CONFIG_DIR made absolute, in NFC', () => {
    const home = path.join(path.sep, 'home', 'someone');
    const t = setup({}, { HOME: home, CLAUDE_CONFIG_DIR: 'rel/Cafe\u0301/' });
    const u = setup({}, { HOME: home, CLAUDE_CONFIG_DIR: '' });
    assert.deepEqual(t.transcriptDirs, [path.resolve('rel/Caf\u00e9')]);
    assert.deepEqual(u.transcriptDirs, [path.join(home, '.claude')]);
    for (const x of [t, u]) {
      x.notifier.dispose();
      x.controller.dispose();
    }
  });
});
