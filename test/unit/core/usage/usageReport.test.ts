import { strict as assert } from 'node:assert';
import { UsageLedger, HOUR_MS, DAY_MS, MINUTE_MS } from '../../../../src/core/usage/usageLedger';
import { buildReport, guessBlockStart, takeDueWarnings, UNKNOWN_ACCOUNT } from '../../../../src/core/usage/usageReport';
import type { UsageEntry } from '../../../../src/core/usage/usageLine';

const T0 = Date.parse('2026-11-23T10:00:00Z');
let seq = 0;

function use(ledger: UsageLedger, at: number, total: number): void {
  // Split over the four kinds so a mistake in any one of them changes the totals.
  const input = Math.floor(total / 10);
  const output = Math.floor(total / 5);
  const cacheCreation = Math.floor(total / 4);
  const cacheRead = total - input - output - cacheCreation;
  const e: UsageEntry = { kind: 'usage', at, dedupeKey: `m${seq}:r${seq++}`, model: 'claude-opus-5-5', input, output, cacheCreation, cacheRead };
  ledger.add(e);
}

function account(report: ReturnType<typeof buildReport>, key: string) {
  const a = report.accounts.find((x) => x.key === key);
  assert.ok(a, `no account ${key} in ${report.accounts.map((x) => x.key).join(',')}`);
  return a;
}

describe('usage report', () => {
  it('bounds the 5-hour window by a reset still ahead, not by the first activity', () => {
    const l = new UsageLedger();
    l.noteActive('a', 'A', T0 - DAY_MS);
    use(l, T0 + 10 * MINUTE_MS, 100); // before the reported window: not counted
    use(l, T0 + 90 * MINUTE_MS, 200);
    use(l, T0 + 200 * MINUTE_MS, 300);
    const reset = T0 + 6 * HOUR_MS + 30 * MINUTE_MS; // window [T0+1h30, T0+6h30)
    l.addHit({ key: 'a', window: 'fiveHour', at: T0 + 200 * MINUTE_MS, resetsAt: reset });
    const r = buildReport(l, { now: T0 + 210 * MINUTE_MS });
    const w = account(r, 'a').fiveHour;
    assert.ok(w);
    assert.equal(w.anchor, 'reset');
    assert.equal(w.start, reset - 5 * HOUR_MS);
    assert.equal(w.end, reset);
    assert.equal(w.total, 500);
  });

  it('ignores a 5-hour reset further away than five hours from its hit', () => {
    const l = new UsageLedger();
    l.noteActive('a', 'A', T0 - DAY_MS);
    use(l, T0 + 10 * MINUTE_MS, 100);
    l.addHit({ key: 'a', window: 'fiveHour', at: T0 + 10 * MINUTE_MS, resetsAt: T0 + 23 * HOUR_MS });
    const w = account(buildReport(l, { now: T0 + 20 * MINUTE_MS }), 'a').fiveHour;
    assert.equal(w?.anchor, 'estimated');
    assert.equal(w?.total, 100);
  });

  it('guesses the block from the first activity (rounded to the hour) when no reset is known, and says so', () => {
    const l = new UsageLedger();
    l.noteActive('a', 'A', T0 - DAY_MS);
    use(l, T0 - 7 * HOUR_MS, 50); // an older block, ended
    use(l, T0 + 25 * MINUTE_MS, 100); // starts the block at T0
    use(l, T0 + 4 * HOUR_MS, 100);
    const r = buildReport(l, { now: T0 + 4 * HOUR_MS + 30 * MINUTE_MS });
    const w = account(r, 'a').fiveHour;
    assert.ok(w);
    assert.equal(w.anchor, 'estimated');
    assert.equal(w.start, T0);
    assert.equal(w.total, 200);
    // After the block ends with no new activity, there is no running block.
    assert.equal(account(buildReport(l, { now: T0 + 5 * HOUR_MS + MINUTE_MS }), 'a').fiveHour, null);
  });

  it('starts the guessed block no earlier than a reset that has passed', () => {
    const s = { at: [T0 + 10 * MINUTE_MS, T0 + 40 * MINUTE_MS], tokens: [[1, 0, 0, 0], [1, 0, 0, 0]] as [number, number, number, number][] };
    assert.equal(guessBlockStart(s, T0 + 30 * MINUTE_MS, T0 + 2 * HOUR_MS), T0 + 30 * MINUTE_MS);
    assert.equal(guessBlockStart(s, -Infinity, T0 + 2 * HOUR_MS), T0);
  });

  it('bounds the week by a weekly reset and repeats it weekly once passed; without one, the last seven days', () => {
    const l = new UsageLedger();
    l.noteActive('a', 'A', T0 - 30 * DAY_MS);
    use(l, T0 - 6 * DAY_MS, 1000);
    use(l, T0 - 2 * DAY_MS, 10);
    let r = buildReport(l, { now: T0 });
    assert.equal(account(r, 'a').weekly.anchor, 'estimated');
    assert.equal(account(r, 'a').weekly.total, 1010);
    const weeklyReset = T0 - 3 * DAY_MS; // passed: the current week is [T0-3d, T0+4d)
    l.addHit({ key: 'a', window: 'weekly', at: T0 - 4 * DAY_MS, resetsAt: weeklyReset });
    r = buildReport(l, { now: T0 });
    const w = account(r, 'a').weekly;
    assert.equal(w.anchor, 'reset');
    assert.equal(w.start, weeklyReset);
    assert.equal(w.end, weeklyReset + 7 * DAY_MS);
    assert.equal(w.total, 10);
  });

  it('measures the burn rate over the last 15 minutes and projects the exhaustion of a configured limit', () => {
    const l = new UsageLedger();
    l.noteActive('a', 'A', T0 - DAY_MS);
    use(l, T0, 10_000); // outside the burn window
    use(l, T0 + 50 * MINUTE_MS, 1500);
    use(l, T0 + 59 * MINUTE_MS, 1500);
    const now = T0 + 60 * MINUTE_MS;
    const r = buildReport(l, { now, limits: { fiveHour: 43_000 } });
    const a = account(r, 'a');
    assert.equal(a.burnRatePerMinute, 200);
    const w = a.fiveHour;
    assert.ok(w);
    assert.equal(w.total, 13_000);
    assert.equal(w.limitSource, 'configured');
    assert.equal(w.usedPercent?.toFixed(2), ((13_000 / 43_000) * 100).toFixed(2));
    // 30 000 left at 200 per minute: 150 minutes, before the block ends at T0+5h.
    assert.equal(w.projectedExhaustionAt, now + 150 * MINUTE_MS);
    // A limit that lasts past the window's end is not projected.
    const roomy = account(buildReport(l, { now, limits: { fiveHour: 1_000_000 } }), 'a').fiveHour;
    assert.equal(roomy?.projectedExhaustionAt, null);
    // No burn, no projection.
    const idle = account(buildReport(l, { now: now + 20 * MINUTE_MS, limits: { fiveHour: 43_000 } }), 'a');
    assert.equal(idle.burnRatePerMinute, 0);
    assert.equal(idle.fiveHour?.projectedExhaustionAt, null);
  });

  it('learns a limit from the tokens used in the window when the account hit it; a configured limit wins', () => {
    const l = new UsageLedger();
    l.noteActive('a', 'A', T0 - DAY_MS);
    use(l, T0 + 10 * MINUTE_MS, 4000);
    use(l, T0 + 100 * MINUTE_MS, 6000);
    const reset = T0 + 5 * HOUR_MS;
    l.addHit({ key: null, window: 'fiveHour', at: T0 + 100 * MINUTE_MS, resetsAt: reset });
    // After the reset, a new block.
    use(l, reset + 10 * MINUTE_MS, 2500);
    const now = reset + 20 * MINUTE_MS;
    const w = account(buildReport(l, { now }), 'a').fiveHour;
    assert.equal(w?.limit, 10_000);
    assert.equal(w?.limitSource, 'learned');
    assert.equal(w?.usedPercent, 25);
    assert.equal(w?.start, reset, 'the guessed block starts at the reset');
    const configured = account(buildReport(l, { now, limits: { fiveHour: 5000 } }), 'a').fiveHour;
    assert.equal(configured?.limit, 5000);
    assert.equal(configured?.limitSource, 'configured');
  });

  it('attributes usage across switches by the active-account timeline', () => {
    const l = new UsageLedger();
    use(l, T0 - 30 * MINUTE_MS, 7); // before anything is known: the first account known
    l.noteActive('a', 'A', T0);
    use(l, T0 + 10 * MINUTE_MS, 100);
    l.noteActive('b', 'B', T0 + 20 * MINUTE_MS);
    use(l, T0 + 30 * MINUTE_MS, 200);
    l.noteActive('a', 'A', T0 + 40 * MINUTE_MS);
    use(l, T0 + 50 * MINUTE_MS, 400);
    // A limit hit in the transcript goes to whoever was active then.
    l.addHit({ key: null, window: 'fiveHour', at: T0 + 35 * MINUTE_MS, resetsAt: T0 + 4 * HOUR_MS });
    const r = buildReport(l, { now: T0 + HOUR_MS });
    assert.equal(account(r, 'a').fiveHour?.total, 507);
    assert.equal(account(r, 'b').fiveHour?.total, 200);
    assert.equal(account(r, 'b').fiveHour?.anchor, 'reset');
    assert.equal(account(r, 'b').fiveHour?.limit, 200, 'learned from B’s own usage only');
    assert.equal(account(r, 'a').fiveHour?.anchor, 'estimated');
    assert.equal(account(r, 'a').active, true);
    assert.equal(r.attributionSince, T0);
    assert.equal(r.accounts.some((a) => a.key === UNKNOWN_ACCOUNT), false);
  });

  it('gives the minute of a switch to the account switched to', () => {
    const l = new UsageLedger();
    l.noteActive('a', 'A', T0);
    l.noteActive('b', 'B', T0 + 30 * MINUTE_MS + 30_000);
    use(l, T0 + 30 * MINUTE_MS + 45_000, 50);
    use(l, T0 + 29 * MINUTE_MS, 5);
    const r = buildReport(l, { now: T0 + HOUR_MS });
    assert.equal(account(r, 'b').fiveHour?.total, 50);
    assert.equal(account(r, 'a').fiveHour?.total, 5);
  });

  it('reports usage as the unknown account while no active account was ever recorded', () => {
    const l = new UsageLedger();
    use(l, T0, 10);
    const r = buildReport(l, { now: T0 + MINUTE_MS, accounts: [{ key: 'a', label: 'A' }] });
    assert.equal(account(r, UNKNOWN_ACCOUNT).fiveHour?.total, 10);
    assert.equal(account(r, 'a').fiveHour, null, 'a saved account without usage is listed');
  });

  it('warns once per window when the threshold is crossed, again in the next window', () => {
    const l = new UsageLedger();
    l.noteActive('a', 'A', T0 - DAY_MS);
    use(l, T0 + 10 * MINUTE_MS, 700);
    const limits = { fiveHour: 1000 };
    let r = buildReport(l, { now: T0 + 20 * MINUTE_MS, limits });
    assert.deepEqual(takeDueWarnings(l, r, 80), [], '70 % is below the threshold');
    use(l, T0 + 30 * MINUTE_MS, 150);
    r = buildReport(l, { now: T0 + 40 * MINUTE_MS, limits });
    const due = takeDueWarnings(l, r, 80);
    assert.equal(due.length, 1);
    assert.equal(due[0].window, 'fiveHour');
    assert.equal(due[0].usedPercent, 85);
    use(l, T0 + 50 * MINUTE_MS, 100);
    r = buildReport(l, { now: T0 + 60 * MINUTE_MS, limits });
    assert.deepEqual(takeDueWarnings(l, r, 80), [], 'the same window is not warned twice');
    // The next block (after T0+5h) crosses again.
    use(l, T0 + 6 * HOUR_MS, 900);
    r = buildReport(l, { now: T0 + 6 * HOUR_MS + MINUTE_MS, limits });
    assert.equal(takeDueWarnings(l, r, 80).length, 1);
  });

  it('drops minutes and dedupe keys past the retention but keeps day totals and who was active', () => {
    const l = new UsageLedger();
    l.noteActive('a', 'A', T0 - 20 * DAY_MS);
    l.noteActive('b', 'B', T0 - 15 * DAY_MS);
    use(l, T0 - 10 * DAY_MS, 10);
    use(l, T0, 20);
    l.prune(T0 + MINUTE_MS);
    assert.equal(l.minutes.size, 1);
    assert.equal(l.seen.size, 1);
    assert.equal([...l.daily.values()].length, 2);
    assert.deepEqual(l.timeline.map((e) => e.key), ['b']);
    assert.equal(l.accountAt(T0)?.key, 'b');
  });
});
