import { strict as assert } from 'node:assert';
import { formatClock, formatCountdown, nextCountdownChangeMs, quotaHitMessage, serverErrorsMessage } from '../../../../src/extension/sessions/sessionText';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('session texts', () => {
  it('formats countdowns at their boundaries', () => {
    assert.equal(formatCountdown(2 * H + 14 * M), '2h 14m');
    assert.equal(formatCountdown(2 * H + 14 * M + 59 * S), '2h 14m');
    assert.equal(formatCountdown(H), '1h 0m');
    assert.equal(formatCountdown(H - 1), '59m');
    assert.equal(formatCountdown(59 * M), '59m');
    assert.equal(formatCountdown(M + 5 * S), '1m');
    assert.equal(formatCountdown(M), '1m');
    assert.equal(formatCountdown(M - 1), '59s');
    assert.equal(formatCountdown(5 * S), '5s');
    assert.equal(formatCountdown(0), '0s');
    assert.equal(formatCountdown(-5 * S), '0s');
    assert.equal(formatCountdown(Number.NaN), '0s');
    assert.equal(formatCountdown(3 * 24 * H + 4 * H + 10 * M), '3d 4h');
  });

  it('schedules the next change each minute, then each second in the last minute', () => {
    assert.equal(nextCountdownChangeMs(2 * H + 14 * M + 30 * S), 30 * S + 1);
    assert.equal(formatCountdown(2 * H + 14 * M + 30 * S - (30 * S + 1)), '2h 13m');
    assert.equal(nextCountdownChangeMs(M + 5 * S), 5 * S + 1);
    assert.equal(formatCountdown(M + 5 * S - (5 * S + 1)), '59s');
    assert.equal(nextCountdownChangeMs(M), 1);
    assert.equal(nextCountdownChangeMs(45 * S + 300), 301);
    assert.equal(nextCountdownChangeMs(0), 0);
    assert.equal(nextCountdownChangeMs(25 * H + 30 * M), 30 * M + 1);
    // Every step lands on a new text.
    for (let left = 2 * H + 7 * S; left >= S; ) {
      const step = nextCountdownChangeMs(left);
      const before = formatCountdown(left);
      left -= step;
      assert.notEqual(formatCountdown(left), before, `text changes after ${step} ms`);
    }
  });

  it('writes clock times in a zone, with the day when far away', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    assert.equal(formatClock(new Date('2026-11-23T14:00:00Z'), now, 'Asia/Tokyo'), '11:00 pm');
    assert.equal(formatClock(new Date('2026-11-23T15:40:00Z'), now, 'UTC'), '3:40 pm');
    assert.equal(formatClock(new Date('2026-11-26T09:05:00Z'), now, 'UTC'), 'Thu, Nov 26, 9:05 am');
  });

  it('says which account hit which limit and when it resets', () => {
    const now = new Date('2026-11-23T13:26:00Z');
    const msg = quotaHitMessage(
      { account: { id: 'a', label: 'work@example.com' }, window: 'five_hour', resetsAt: new Date('2026-11-23T15:40:00Z'), resetEstimated: false },
      now,
      'UTC',
    );
    assert.equal(msg, 'Account work@example.com hit its 5-hour limit — resets 3:40 pm (in 2h 14m)');
    const unsaved = quotaHitMessage({ account: null, window: null, resetsAt: new Date('2026-11-23T14:26:00Z'), resetEstimated: true }, now, 'UTC');
    assert.equal(unsaved, 'Claude Code (unsaved login) hit its usage limit — no reset time shown; retry around 2:26 pm (in 1h 0m)');
    assert.match(serverErrorsMessage(3, 5), /3 errors in the last 5 minutes.*not a usage limit/);
  });
});
