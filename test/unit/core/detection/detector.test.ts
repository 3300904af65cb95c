import { strict as assert } from 'node:assert';
import { QuotaDetector, type DetectorEvent, type DetectorSignal, type SignalSource } from '../../../../src/core/detection/detector';
import type { Classification, LimitWindow, Verdict } from '../../../../src/core/detection/types';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const at = (ms: number): Date => new Date(T0 + ms);

function cls(verdict: Verdict, evidence: string, opts: { window?: LimitWindow | null; resetsAt?: number | null } = {}): Classification {
  return {
    verdict,
    window: opts.window ?? null,
    resetsAt: opts.resetsAt === undefined || opts.resetsAt === null ? null : at(opts.resetsAt),
    evidence,
  };
}

function sig(c: Classification, t: number, source: SignalSource = 'terminal', exact?: boolean): DetectorSignal {
  return { kind: 'classification', classification: c, source, at: at(t), exact };
}

function setup(options = {}): { d: QuotaDetector; events: DetectorEvent[]; types: () => string[] } {
  const d = new QuotaDetector(options);
  const events: DetectorEvent[] = [];
  d.onEvent((e) => events.push(e));
  return { d, events, types: () => events.map((e) => (e.type === 'cleared' || e.type === 'dismissed' ? `${e.type}:${e.reason}` : e.type)) };
}

const LIMIT_3PM = '5-hour limit reached ∙ resets 3pm';
const LIMIT_NO_TIME = 'Claude usage limit reached.';

describe('QuotaDetector', () => {
  describe('confirmation', () => {
    it('blocks at once on a quota verdict with a reset time', () => {
      const { d, events } = setup();
      d.setAccount('s1', { id: 'a', label: 'work' });
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { window: 'five_hour', resetsAt: 3 * HOUR }), 0));
      assert.equal(events.length, 1);
      const e = events[0];
      assert.ok(e.type === 'blocked');
      assert.deepEqual(e.account, { id: 'a', label: 'work' });
      assert.equal(e.window, 'five_hour');
      assert.equal(e.resetsAt.getTime(), at(3 * HOUR).getTime());
      assert.equal(e.resetEstimated, false);
      assert.deepEqual(e.evidence.map((x) => [x.text, x.source]), [[LIMIT_3PM, 'terminal']]);
      const [view] = d.sessions();
      assert.equal(view.state, 'blocked');
      assert.equal(view.block?.resetsAt.getTime(), at(3 * HOUR).getTime());
    });

    it('suspects a quota verdict without a reset time and confirms on a second source', () => {
      const { d, events, types } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_NO_TIME), 0));
      assert.deepEqual(types(), ['suspected']);
      assert.equal(d.sessionView('s1')?.state, 'suspected');
      const suspected = events[0];
      assert.ok(suspected.type === 'suspected');
      assert.equal(suspected.expiresAt.getTime(), at(60 * SEC).getTime());
      d.observe('s1', sig(cls('quota', '{"error":"rate_limit"}', { window: 'five_hour' }), 10 * SEC, 'transcript'));
      assert.deepEqual(types(), ['suspected', 'blocked']);
      const blocked = events[1];
      assert.ok(blocked.type === 'blocked');
      assert.equal(blocked.window, 'five_hour');
      assert.deepEqual(blocked.evidence.map((x) => x.source), ['terminal', 'transcript']);
    });

    it('confirms on the next screen update with other text, not on a redraw of the same line', () => {
      const { d, types } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_NO_TIME), 0));
      d.observe('s1', sig(cls('quota', LIMIT_NO_TIME), 2 * SEC));
      assert.deepEqual(types(), ['suspected']);
      d.observe('s1', sig(cls('quota', '/upgrade to increase your usage limit.'), 3 * SEC));
      assert.deepEqual(types(), ['suspected', 'blocked']);
    });

    it('confirms when the second signal brings the reset time', () => {
      const { d, events } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_NO_TIME, { window: 'weekly' }), 0));
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: 2 * HOUR }), 5 * SEC));
      const last = events[events.length - 1];
      assert.ok(last.type === 'blocked');
      assert.equal(last.window, 'weekly');
      assert.equal(last.resetEstimated, false);
      assert.equal(last.evidence.length, 2);
    });

    it('drops a suspicion that gets no confirmation within the window', () => {
      const { d, types } = setup({ confirmWindowMs: 30 * SEC });
      d.observe('s1', sig(cls('quota', LIMIT_NO_TIME), 0));
      assert.equal(d.nextDeadline()?.getTime(), at(30 * SEC).getTime());
      d.tick(at(29 * SEC));
      assert.deepEqual(types(), ['suspected']);
      d.tick(at(30 * SEC));
      assert.deepEqual(types(), ['suspected', 'dismissed:expired']);
      assert.equal(d.sessionView('s1')?.state, 'ok');
      assert.equal(d.nextDeadline(), null);
    });

    it('lets a late confirmation start a new suspicion instead of blocking, even without a tick', () => {
      const { d, types } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_NO_TIME), 0));
      d.observe('s1', sig(cls('quota', 'other text'), 61 * SEC, 'transcript'));
      assert.deepEqual(types(), ['suspected', 'dismissed:expired', 'suspected']);
    });

    it('treats contradicting windows as a new suspicion', () => {
      const { d, types } = setup();
      d.observe('s1', sig(cls('quota', 'a', { window: 'five_hour' }), 0));
      d.observe('s1', sig(cls('quota', 'b', { window: 'weekly' }), SEC, 'transcript'));
      assert.deepEqual(types(), ['suspected', 'suspected']);
      assert.equal(d.sessionView('s1')?.suspicion?.window, 'weekly');
    });

    it('dismisses a suspicion on activity', () => {
      const { d, types } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_NO_TIME), 0));
      d.observe('s1', { kind: 'activity', source: 'transcript', at: at(5 * SEC) });
      assert.deepEqual(types(), ['suspected', 'dismissed:activity']);
    });

    it('ignores a reset time that is not in the future', () => {
      const { d, types } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: -MIN }), 0));
      assert.deepEqual(types(), ['suspected']);
    });
  });

  describe('notices', () => {
    it('never blocks on server, throttle, auth, billing or warning verdicts', () => {
      const { d, events } = setup();
      const kinds: Verdict[] = ['server', 'throttle', 'auth', 'billing'];
      kinds.forEach((k, i) => d.observe('s1', sig(cls(k, `${k} text`), i * SEC)));
      d.observe('s1', sig(cls('warning', 'Approaching usage limit', { window: 'weekly' }), 5 * SEC));
      d.observe('s1', sig(cls('none', 'x'), 6 * SEC));
      assert.deepEqual(
        events.map((e) => (e.type === 'error' ? `error:${e.kind}` : e.type)),
        ['error:server', 'error:throttle', 'error:auth', 'error:billing', 'warning'],
      );
      const warning = events[4];
      assert.ok(warning.type === 'warning');
      assert.equal(warning.window, 'weekly');
      assert.equal(d.sessionView('s1')?.state, 'ok');
      assert.equal(d.nextDeadline(), null);
    });

    it('does not clear a block on notices', () => {
      const { d, types } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: HOUR }), 0));
      d.observe('s1', sig(cls('server', 'API Error: 529 Overloaded'), SEC));
      d.observe('s1', sig(cls('throttle', 'API Error: 429'), 2 * SEC));
      d.observe('s1', sig(cls('warning', 'Approaching usage limit'), 3 * SEC));
      assert.deepEqual(types(), ['blocked', 'error', 'error', 'warning']);
      assert.equal(d.sessionView('s1')?.state, 'blocked');
    });

    it('drops repeats of the same notice within the cooldown', () => {
      const { d, types } = setup({ cooldownMs: MIN });
      d.observe('s1', sig(cls('server', 'API Error: 529'), 0));
      d.observe('s1', sig(cls('server', 'API Error: 529'), 10 * SEC));
      d.observe('s1', sig(cls('server', 'API Error: 500'), 11 * SEC));
      d.observe('s1', sig(cls('server', 'API Error: 529'), 61 * SEC));
      assert.deepEqual(types(), ['error', 'error', 'error']);
    });
  });

  describe('clearing', () => {
    it('clears when the reset time passes', () => {
      const { d, types } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: HOUR }), 0));
      assert.equal(d.nextDeadline()?.getTime(), at(HOUR).getTime());
      d.tick(at(HOUR - 1));
      assert.deepEqual(types(), ['blocked']);
      d.tick(at(HOUR));
      assert.deepEqual(types(), ['blocked', 'cleared:reset-passed']);
      const view = d.sessionView('s1');
      assert.equal(view?.state, 'cleared');
      assert.equal(view?.lastCleared?.reason, 'reset-passed');
      assert.equal(d.nextDeadline(), null);
    });

    it('clears when Claude Code says the limit reset', () => {
      const { d, types } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: HOUR }), 0));
      d.observe('s1', { kind: 'limit-reset', source: 'terminal', at: at(10 * MIN) });
      assert.deepEqual(types(), ['blocked', 'cleared:limit-reset']);
    });

    it('clears on a normal answer, but not on one older than the block', () => {
      const { d, types } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: HOUR }), 10 * SEC));
      d.observe('s1', { kind: 'activity', source: 'transcript', at: at(5 * SEC) });
      assert.deepEqual(types(), ['blocked']);
      d.observe('s1', { kind: 'activity', source: 'transcript', at: at(20 * SEC) });
      assert.deepEqual(types(), ['blocked', 'cleared:activity']);
    });

    it('behaves like ok after clearing', () => {
      const { d, types } = setup({ cooldownMs: MIN });
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: 10 * MIN }), 0));
      d.tick(at(10 * MIN));
      d.observe('s1', sig(cls('quota', 'resets 5pm', { resetsAt: 2 * HOUR }), 11 * MIN));
      assert.deepEqual(types(), ['blocked', 'cleared:reset-passed', 'blocked']);
    });

    it('clears on an account switch', () => {
      const { d, events, types } = setup();
      d.setAccount('s1', { id: 'a', label: 'A' });
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: HOUR }), 0));
      d.setAccount('s1', { id: 'b', label: 'B' });
      d.noteAccountSwitched('s1', at(MIN));
      assert.deepEqual(types(), ['blocked', 'cleared:switched']);
      const cleared = events[1];
      assert.ok(cleared.type === 'cleared');
      assert.equal(cleared.blockedAccount?.id, 'a');
      assert.equal(cleared.account?.id, 'b');
    });
  });

  describe('cooldown', () => {
    it('does not re-block on the same text within the cooldown, and can after it', () => {
      const { d, types } = setup({ cooldownMs: 2 * MIN });
      const limit = cls('quota', LIMIT_3PM, { resetsAt: 3 * HOUR });
      d.observe('s1', sig(limit, 0));
      d.observe('s1', { kind: 'activity', source: 'transcript', at: at(30 * SEC) });
      d.observe('s1', sig(limit, 60 * SEC));
      assert.deepEqual(types(), ['blocked', 'cleared:activity']);
      assert.equal(d.sessionView('s1')?.cooldownUntil?.getTime(), at(2 * MIN).getTime());
      d.observe('s1', sig(limit, 2 * MIN));
      assert.deepEqual(types(), ['blocked', 'cleared:activity', 'blocked']);
    });

    it('lets different text block within the cooldown', () => {
      const { d, types } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: 3 * HOUR }), 0));
      d.observe('s1', { kind: 'activity', source: 'terminal', at: at(10 * SEC) });
      d.observe('s1', sig(cls('quota', 'weekly limit reached ∙ resets Mon 9am', { resetsAt: 48 * HOUR }), 20 * SEC));
      assert.deepEqual(types(), ['blocked', 'cleared:activity', 'blocked']);
    });

    it('keeps the old evidence from blocking the new account after a switch', () => {
      const { d, types } = setup({ cooldownMs: 2 * MIN });
      const limit = cls('quota', LIMIT_3PM, { resetsAt: 3 * HOUR });
      d.observe('s1', sig(limit, 0));
      // The switch comes after the block's own cooldown: it starts a fresh one.
      d.noteAccountSwitched('s1', at(5 * MIN));
      d.observe('s1', sig(limit, 6 * MIN));
      assert.deepEqual(types(), ['blocked', 'cleared:switched']);
      d.observe('s1', sig(limit, 7 * MIN));
      assert.deepEqual(types(), ['blocked', 'cleared:switched', 'blocked']);
    });

    it('covers suspected evidence after a switch and needs no block to start', () => {
      const { d, types } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_NO_TIME), 0));
      d.noteAccountSwitched('s1', at(SEC));
      d.observe('s1', sig(cls('quota', LIMIT_NO_TIME), 2 * SEC, 'tmux'));
      assert.deepEqual(types(), ['suspected', 'dismissed:switched']);
      d.noteAccountSwitched('s2', at(0));
      assert.equal(d.sessionView('s2')?.state, 'ok');
      assert.equal(d.sessionView('s2')?.cooldownUntil?.getTime(), at(2 * MIN).getTime());
    });
  });

  describe('reset time', () => {
    it('uses the fallback retry interval when no reset time is known', () => {
      const { d, events } = setup({ fallbackRetryMs: 30 * MIN });
      d.observe('s1', sig(cls('quota', LIMIT_NO_TIME), 0));
      d.observe('s1', sig(cls('quota', 'usage limit', { window: 'five_hour' }), 5 * SEC, 'transcript'));
      const blocked = events[1];
      assert.ok(blocked.type === 'blocked');
      assert.equal(blocked.resetEstimated, true);
      assert.equal(blocked.resetsAt.getTime(), at(5 * SEC + 30 * MIN).getTime());
      assert.equal(d.sessionView('s1')?.block?.resetEstimated, true);
    });

    it('takes a changed fallback interval for the next block only', () => {
      const { d, events } = setup({ fallbackRetryMs: 30 * MIN });
      d.observe('s1', sig(cls('quota', 'a'), 0));
      d.observe('s1', sig(cls('quota', 'b'), 0, 'cli'));
      d.setFallbackRetryMs(10 * MIN);
      d.observe('s2', sig(cls('quota', 'a'), 0));
      d.observe('s2', sig(cls('quota', 'b'), 0, 'cli'));
      const blocked = events.filter((e) => e.type === 'blocked');
      assert.equal(blocked.length, 2);
      assert.equal(blocked[0].type === 'blocked' && blocked[0].resetsAt.getTime(), at(30 * MIN).getTime());
      assert.equal(blocked[1].type === 'blocked' && blocked[1].resetsAt.getTime(), at(10 * MIN).getTime());
      assert.equal(d.sessionView('s1')?.block?.resetsAt.getTime(), at(30 * MIN).getTime());
    });

    it('defaults the fallback to one hour', () => {
      const { d, events } = setup();
      d.observe('s1', sig(cls('quota', 'a'), 0));
      d.observe('s1', sig(cls('quota', 'b'), 0, 'cli'));
      const blocked = events[1];
      assert.ok(blocked.type === 'blocked');
      assert.equal(blocked.resetsAt.getTime(), at(HOUR).getTime());
    });

    it('corrects an estimated reset with a stated one, without a new block', () => {
      const { d, types, events } = setup();
      d.observe('s1', sig(cls('quota', 'a'), 0));
      d.observe('s1', sig(cls('quota', 'b'), SEC, 'transcript'));
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { window: 'five_hour', resetsAt: 3 * HOUR }), 2 * SEC));
      assert.deepEqual(types(), ['suspected', 'blocked', 'updated']);
      const updated = events[2];
      assert.ok(updated.type === 'updated');
      assert.equal(updated.resetEstimated, false);
      assert.equal(updated.window, 'five_hour');
      assert.equal(updated.previousResetsAt.getTime(), at(SEC + HOUR).getTime());
      assert.equal(d.nextDeadline()?.getTime(), at(3 * HOUR).getTime());
    });

    it('corrects a reset read from text with an exact one from the transcript', () => {
      const { d, types, events } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { window: 'five_hour', resetsAt: 3 * HOUR }), 0));
      const exact = cls('quota', 'rate_limit_error', { window: 'weekly', resetsAt: 3 * HOUR - 17 * SEC });
      d.observe('s1', sig(exact, SEC, 'transcript', true));
      assert.deepEqual(types(), ['blocked', 'updated']);
      const updated = events[1];
      assert.ok(updated.type === 'updated');
      assert.equal(updated.resetsAt.getTime(), at(3 * HOUR - 17 * SEC).getTime());
      assert.equal(updated.window, 'weekly');
      assert.equal(updated.evidence.source, 'transcript');
      const view = d.sessionView('s1');
      assert.equal(view?.block?.exact, true);
      assert.equal(view?.block?.window, 'weekly');
      // The same exact value again, or a coarser text value, changes nothing.
      d.observe('s1', sig(exact, 2 * SEC, 'transcript', true));
      d.observe('s1', sig(cls('quota', 'resets 4pm', { resetsAt: 4 * HOUR }), 3 * SEC));
      assert.deepEqual(types(), ['blocked', 'updated']);
    });

    it('extends a text reset when another text names a later one, never shortens it', () => {
      const { d, types } = setup();
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: 3 * HOUR }), 0));
      d.observe('s1', sig(cls('quota', 'resets 2pm', { resetsAt: 2 * HOUR }), SEC));
      assert.deepEqual(types(), ['blocked']);
      d.observe('s1', sig(cls('quota', 'weekly limit ∙ resets Mon', { window: 'weekly', resetsAt: 40 * HOUR }), 2 * SEC));
      assert.deepEqual(types(), ['blocked', 'updated']);
      assert.equal(d.sessionView('s1')?.block?.window, 'weekly');
    });
  });

  describe('bookkeeping', () => {
    it('keeps sessions apart and forgets them', () => {
      const { d, types } = setup();
      d.setAccount('s1', { id: 'a', label: 'A' });
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: HOUR }), 0));
      d.observe('s2', sig(cls('quota', LIMIT_NO_TIME), 0));
      assert.deepEqual(
        d.sessions().map((s) => [s.sessionId, s.state, s.account?.id ?? null]),
        [
          ['s1', 'blocked', 'a'],
          ['s2', 'suspected', null],
        ],
      );
      assert.equal(d.nextDeadline()?.getTime(), at(MIN).getTime());
      d.forget('s2');
      d.forget('unknown');
      assert.equal(d.sessions().length, 1);
      assert.equal(d.nextDeadline()?.getTime(), at(HOUR).getTime());
      d.forget('s1');
      assert.equal(d.sessions().length, 0);
      assert.equal(d.nextDeadline(), null);
      d.tick(at(2 * HOUR));
      assert.deepEqual(types(), ['blocked', 'suspected']);
    });

    it('stops notifying a disposed listener, and logs a failing one and goes on', () => {
      const failures: string[] = [];
      const d = new QuotaDetector({ log: { error: (m, err) => failures.push(`${m}: ${(err as Error).message}`) } });
      const seen: string[] = [];
      const sub = d.onEvent((e) => seen.push(`first:${e.type}`));
      d.onEvent(() => {
        throw new Error('listener failed');
      });
      d.onEvent((e) => seen.push(`third:${e.type}`));
      assert.doesNotThrow(() => d.observe('s1', sig(cls('server', 'x'), 0)));
      assert.deepEqual(seen, ['first:error', 'third:error']);
      assert.deepEqual(failures, ['event listener failed: listener failed']);
      sub.dispose();
      d.observe('s1', sig(cls('server', 'y'), 0));
      assert.deepEqual(seen, ['first:error', 'third:error', 'third:error']);
      assert.equal(failures.length, 2);
    });

    it('finishes its state change when a listener fails in the middle of it', () => {
      const d = new QuotaDetector({ log: { error: () => undefined } });
      d.onEvent(() => {
        throw new Error('listener failed');
      });
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: HOUR }), 0));
      assert.equal(d.sessionView('s1')?.state, 'blocked');
      assert.equal(d.nextDeadline()?.getTime(), at(HOUR).getTime());
      d.tick(at(HOUR));
      assert.equal(d.sessionView('s1')?.state, 'cleared');
    });

    it('reports events with state already applied', () => {
      const d = new QuotaDetector();
      const states: string[] = [];
      d.onEvent(() => states.push(d.sessionView('s1')?.state ?? 'none'));
      d.observe('s1', sig(cls('quota', LIMIT_3PM, { resetsAt: HOUR }), 0));
      d.tick(at(HOUR));
      assert.deepEqual(states, ['blocked', 'cleared']);
    });
  });
});
