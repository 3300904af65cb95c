import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { MAX_EXAMINED, parseDuration, parseResetTime, parseRetryAfter } from '../../../../src/core/detection/resetTime';
import { fromWallTime, offsetAt, resolveZone, toWallTime, wallTimeInstants } from '../../../../src/core/detection/timeZone';

const HOUR = 3_600_000;

/** Parses `text` with now = `nowIso` in `zone` and returns the ISO instant (or null). */
function reset(text: string, nowIso: string, zone = 'UTC'): string | null {
  const d = parseResetTime(text, { now: new Date(nowIso), timeZone: zone });
  return d === null ? null : d.toISOString();
}

function iso(s: string): string {
  return new Date(s).toISOString();
}

/** Wall-clock hour and minute of an instant, computed straight from Intl (independent of timeZone.ts). */
function wallHm(ms: number, zone: string): [number, number] {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric' })
    .formatToParts(new Date(ms));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  return [get('hour') % 24, get('minute')];
}

/** Renders a clock the way Claude Code does: "8pm", "11:30pm", "12am". */
function renderClock(hour: number, minute: number): string {
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  const suffix = hour < 12 ? 'am' : 'pm';
  return minute === 0 ? `${h12}${suffix}` : `${h12}:${String(minute).padStart(2, '0')}${suffix}`;
}

describe('parseResetTime', () => {
  describe('status lines as Claude Code renders them', () => {
    const now = '2026-03-01T12:00:00Z'; // 13:00 in Paris (CET, UTC+1)

    it('main line with IANA zone in parentheses', () => {
      assert.equal(reset("You've hit your limit · resets 8pm (Europe/Paris)", now, 'UTC'), iso('2026-03-01T19:00:00Z'));
    });

    it('footer line without zone uses the context zone', () => {
      assert.equal(reset('5-hour limit reached ∙ resets 6am', now, 'Europe/Paris'), iso('2026-03-02T05:00:00Z'));
    });

    it('"will reset at" with a trailing full stop', () => {
      // 21:00 in Tokyo already, so 5pm is tomorrow.
      assert.equal(reset('Your limit will reset at 5pm (Asia/Tokyo).', now, 'Europe/Paris'), iso('2026-03-02T08:00:00Z'));
    });

    it('weekly limit with month/day and clock', () => {
      assert.equal(
        reset("You've hit your weekly limit · resets Mar 3, 9am (America/Chicago)", now, 'Europe/Paris'),
        iso('2026-03-03T15:00:00Z'),
      );
    });

    it('"continuing automatically at"', () => {
      assert.equal(reset('Usage limit reached · continuing automatically at 4pm', now, 'Europe/Paris'), iso('2026-03-01T15:00:00Z'));
    });

    it('approaching-limit warning', () => {
      assert.equal(reset('Approaching usage limit · resets at 1am', now, 'Europe/Paris'), iso('2026-03-02T00:00:00Z'));
    });

    it('"Jul 27 at 4:30am"', () => {
      assert.equal(reset('resets Jul 27 at 4:30am', now, 'Europe/Paris'), iso('2026-07-27T02:30:00Z'));
    });

    it('date alone is local midnight', () => {
      assert.equal(reset('resets Dec 2', now, 'Europe/Paris'), iso('2026-12-01T23:00:00Z'));
    });

    it('legacy epoch after a pipe, seconds and milliseconds', () => {
      assert.equal(reset('Claude AI usage limit reached|1767225600', now), iso('2026-01-01T00:00:00Z'));
      assert.equal(reset('Claude AI usage limit reached|1767225600123', now), iso('2026-01-01T00:00:00.123Z'));
      assert.equal(reset('Claude AI usage limit reached| 1767225600', now), iso('2026-01-01T00:00:00Z'));
    });

    it('accepts each separator Claude Code uses', () => {
      for (const sep of [' · ', ' ∙ ', ' • ', ' - ', '·', ' | ']) {
        assert.equal(reset(`Limit reached${sep}resets 9pm`, now, 'UTC'), iso('2026-03-01T21:00:00Z'), sep);
      }
    });

    it('tolerates ANSI colour codes, NBSP/narrow NBSP and newlines', () => {
      assert.equal(reset('\u001b[2mresets\u001b[0m 8pm (Europe/Paris)', now), iso('2026-03-01T19:00:00Z'));
      assert.equal(reset('resets\u00a08:00\u202fPM\n(Europe/Paris)', now), iso('2026-03-01T19:00:00Z'));
    });
  });

  describe('clock times', () => {
    const now = '2026-03-01T10:00:00Z';

    it('reads am/pm, minutes and seconds', () => {
      assert.equal(reset('resets 8pm', now), iso('2026-03-01T20:00:00Z'));
      assert.equal(reset('resets 11:30pm', now), iso('2026-03-01T23:30:00Z'));
      assert.equal(reset('resets 4:50am', now), iso('2026-03-02T04:50:00Z'));
      assert.equal(reset('resets 10:15:30am', now), iso('2026-03-01T10:15:30Z'));
      assert.equal(reset('resets 8 PM', now), iso('2026-03-01T20:00:00Z'));
      assert.equal(reset('resets 8:05 p.m.', now), iso('2026-03-01T20:05:00Z'));
    });

    it('12am is midnight and 12pm is noon', () => {
      assert.equal(reset('resets 12am', now), iso('2026-03-02T00:00:00Z'));
      assert.equal(reset('resets 12:30am', now), iso('2026-03-02T00:30:00Z'));
      assert.equal(reset('resets 12pm', now), iso('2026-03-01T12:00:00Z'));
      assert.equal(reset('resets 12:30pm', now), iso('2026-03-01T12:30:00Z'));
      assert.equal(reset('resets at midnight', now), iso('2026-03-02T00:00:00Z'));
      assert.equal(reset('resets at noon', now), iso('2026-03-01T12:00:00Z'));
    });

    it('reads 24-hour clocks', () => {
      assert.equal(reset('resets 16:30', now), iso('2026-03-01T16:30:00Z'));
      assert.equal(reset('resets at 09:05', now), iso('2026-03-02T09:05:00Z'));
      assert.equal(reset('resets at 0:00', now), iso('2026-03-02T00:00:00Z'));
    });

    it('rejects impossible clocks', () => {
      assert.equal(reset('resets 13pm', now), null);
      assert.equal(reset('resets 0am', now), null);
      assert.equal(reset('resets 25:00', now), null);
      assert.equal(reset('resets 8:75pm', now), null);
    });

    it('a clock equal to now, or earlier today, is tomorrow', () => {
      assert.equal(reset('resets 8pm', '2026-03-01T20:00:00Z'), iso('2026-03-02T20:00:00Z'));
      assert.equal(reset('resets 8pm', '2026-03-01T20:00:00.001Z'), iso('2026-03-02T20:00:00Z'));
      assert.equal(reset('resets 8pm', '2026-03-01T19:59:59.999Z'), iso('2026-03-01T20:00:00Z'));
      assert.equal(reset('resets 9am', '2026-03-01T10:00:00Z'), iso('2026-03-02T09:00:00Z'));
    });

    it('rolls over the end of a month and a year', () => {
      assert.equal(reset('resets 1am', '2026-02-28T23:00:00Z'), iso('2026-03-01T01:00:00Z'));
      // 23:30 on Dec 31 in Paris.
      assert.equal(reset('resets 12:15am', '2026-12-31T22:30:00Z', 'Europe/Paris'), iso('2026-12-31T23:15:00Z'));
    });

    it('reads "today", "tomorrow" and weekdays', () => {
      assert.equal(reset('resets tomorrow at 9am', now), iso('2026-03-02T09:00:00Z'));
      assert.equal(reset('resets 9am tomorrow', now), iso('2026-03-02T09:00:00Z'));
      assert.equal(reset('resets tonight at 11pm', now), iso('2026-03-01T23:00:00Z'));
      // 2026-03-01 is a Sunday.
      assert.equal(reset('resets Monday 9am', now), iso('2026-03-02T09:00:00Z'));
      assert.equal(reset('resets Sun 9am', now), iso('2026-03-08T09:00:00Z'));
      assert.equal(reset('resets Sun 11am', now), iso('2026-03-01T11:00:00Z'));
    });

    it('takes an unmistakable clock even without a keyword', () => {
      assert.equal(reset('Usage limit reached · 11pm', now), iso('2026-03-01T23:00:00Z'));
      assert.equal(reset('Usage limit reached · Mar 5, 2pm', now), iso('2026-03-05T14:00:00Z'));
    });
  });

  describe('dates', () => {
    const now = '2026-03-01T12:00:00Z';

    it('abbreviated and full month names, optional "at"/comma', () => {
      assert.equal(reset('resets Feb 7, 11am', '2026-02-01T00:00:00Z'), iso('2026-02-07T11:00:00Z'));
      assert.equal(reset('resets February 7 at 11am', '2026-02-01T00:00:00Z'), iso('2026-02-07T11:00:00Z'));
      assert.equal(reset('resets September 3, 9:15pm', now), iso('2026-09-03T21:15:00Z'));
      assert.equal(reset('resets Sept 3', now), iso('2026-09-03T00:00:00Z'));
      assert.equal(reset('resets Mon, Mar 9, 9am', now), iso('2026-03-09T09:00:00Z'));
      assert.equal(reset('resets 9 March at 10:00', now), iso('2026-03-09T10:00:00Z'));
      assert.equal(reset('resets 9am on Mar 5', now), iso('2026-03-05T09:00:00Z'));
      assert.equal(reset('resets Mar 5th, 9am', now), iso('2026-03-05T09:00:00Z'));
    });

    it('a date earlier this year is next year', () => {
      assert.equal(reset('resets Feb 7, 11am', now, 'Europe/Paris'), iso('2027-02-07T10:00:00Z'));
    });

    it('today at a clock already passed is next year', () => {
      // 17:00 in Paris on Mar 3.
      assert.equal(reset('resets Mar 3, 9am', '2026-03-03T16:00:00Z', 'Europe/Paris'), iso('2027-03-03T08:00:00Z'));
      assert.equal(reset('resets Mar 3, 9pm', '2026-03-03T16:00:00Z', 'Europe/Paris'), iso('2026-03-03T20:00:00Z'));
    });

    it('year rollover: Dec 31 23:30 -> Jan 2 of next year', () => {
      assert.equal(reset('resets Jan 2, 9am', '2026-12-31T22:30:00Z', 'Europe/Paris'), iso('2027-01-02T08:00:00Z'));
      assert.equal(reset('resets Jan 2, 9am (UTC)', '2026-12-31T23:30:00Z', 'Europe/Paris'), iso('2027-01-02T09:00:00Z'));
      assert.equal(reset('resets Jan 1', '2026-12-31T23:30:00Z'), iso('2027-01-01T00:00:00Z'));
    });

    it('the year is judged in the zone of the reset, not UTC', () => {
      // 2026-12-31T23:30Z is already Jan 1 09:30 in Tokyo: Jan 1, 11am is still ahead there.
      assert.equal(reset('resets Jan 1, 11am (Asia/Tokyo)', '2026-12-31T23:30:00Z'), iso('2027-01-01T02:00:00Z'));
    });

    it('Feb 29 waits for a leap year', () => {
      assert.equal(reset('resets Feb 29, 9am', now), iso('2028-02-29T09:00:00Z'));
    });

    it('an explicit year is taken as is', () => {
      assert.equal(reset('resets Mar 3, 2027, 9am', now), iso('2027-03-03T09:00:00Z'));
      assert.equal(reset('resets Mar 3 2027 9am', now), iso('2027-03-03T09:00:00Z'));
    });

    it('rejects impossible dates', () => {
      assert.equal(reset('resets Feb 30, 9am', now), null);
      assert.equal(reset('resets Feb 31', now), null);
      assert.equal(reset('resets Apr 31, 9am', now), null);
    });
  });

  describe('zones', () => {
    const now = '2026-03-01T12:00:00Z';

    it('(UTC), (GMT), GMT+2, UTC-05:30 and bare offsets', () => {
      assert.equal(reset('resets 8pm (UTC)', now, 'Europe/Paris'), iso('2026-03-01T20:00:00Z'));
      assert.equal(reset('resets 8pm (GMT)', now, 'Europe/Paris'), iso('2026-03-01T20:00:00Z'));
      assert.equal(reset('resets 8pm (GMT+2)', now, 'UTC'), iso('2026-03-01T18:00:00Z'));
      assert.equal(reset('resets 8pm (UTC-05:30)', now, 'UTC'), iso('2026-03-02T01:30:00Z'));
      assert.equal(reset('resets 8pm (UTC+5:30)', now, 'UTC'), iso('2026-03-01T14:30:00Z'));
      assert.equal(reset('resets 8pm UTC', now, 'Europe/Paris'), iso('2026-03-01T20:00:00Z'));
      assert.equal(reset('resets 8pm GMT-3', now, 'Europe/Paris'), iso('2026-03-01T23:00:00Z'));
      assert.equal(reset('resets 16:30+02:00', now, 'UTC'), iso('2026-03-01T14:30:00Z'));
    });

    it('bare IANA names after the time', () => {
      assert.equal(reset('resets 8pm Europe/Paris', now, 'UTC'), iso('2026-03-01T19:00:00Z'));
    });

    it('a zone elsewhere on the line applies to the time', () => {
      assert.equal(reset('Limit reached (Europe/Paris) · resets 8pm', now, 'UTC'), iso('2026-03-01T19:00:00Z'));
    });

    it('an unknown zone falls back to the context zone', () => {
      assert.equal(reset('resets 8pm (Mars/Olympus)', now, 'Europe/Paris'), iso('2026-03-01T19:00:00Z'));
      assert.equal(reset('resets 8pm (Nowhere)', now, 'Asia/Tokyo'), iso('2026-03-02T11:00:00Z'));
    });

    it('an unknown context zone falls back to UTC', () => {
      assert.equal(reset('resets 8pm', now, 'Not/AZone'), iso('2026-03-01T20:00:00Z'));
      assert.equal(reset('resets 8pm', now, ''), iso('2026-03-01T20:00:00Z'));
    });

    it('zone names are case-insensitive', () => {
      assert.equal(reset('resets 8pm (europe/paris)', now, 'UTC'), iso('2026-03-01T19:00:00Z'));
    });

    it('Asia/Kolkata and its alias Asia/Calcutta (UTC+5:30)', () => {
      const at = '2026-05-10T10:00:00Z'; // 15:30 IST
      assert.equal(reset('resets 11:30pm (Asia/Kolkata)', at), iso('2026-05-10T18:00:00Z'));
      assert.equal(reset('resets 11:30pm (Asia/Calcutta)', at), iso('2026-05-10T18:00:00Z'));
      assert.equal(reset('resets 4:50am', at, 'Asia/Calcutta'), iso('2026-05-10T23:20:00Z'));
    });

    it('America/Argentina/Cordoba and its alias America/Cordoba (UTC-3)', () => {
      const at = '2026-06-15T12:00:00Z'; // 09:00 in Cordoba
      assert.equal(reset('resets 6pm (America/Argentina/Cordoba)', at), iso('2026-06-15T21:00:00Z'));
      assert.equal(reset('resets 6pm (America/Cordoba)', at), iso('2026-06-15T21:00:00Z'));
      assert.equal(reset('resets 6am', at, 'America/Cordoba'), iso('2026-06-16T09:00:00Z'));
    });
  });

  describe('DST transitions', () => {
    describe('Europe/Paris (last Sunday of March / October)', () => {
      const zone = 'Europe/Paris';

      it('a clock across the spring-forward night uses the summer offset', () => {
        // Sat Mar 28 23:00 CET; 8am Sunday is CEST (UTC+2).
        assert.equal(reset('resets 8am', '2026-03-28T22:00:00Z', zone), iso('2026-03-29T06:00:00Z'));
      });

      it('a nonexistent local time moves forward by the gap', () => {
        // 01:00 CET on Mar 29; 02:30 does not exist, read as 03:30 CEST.
        assert.equal(reset('resets 2:30am', '2026-03-29T00:00:00Z', zone), iso('2026-03-29T01:30:00Z'));
        assert.equal(reset('resets Mar 29, 2:30am', '2026-03-01T00:00:00Z', zone), iso('2026-03-29T01:30:00Z'));
      });

      it('an ambiguous local time takes the first occurrence after now', () => {
        // Oct 25 00:00 CEST: 02:30 first occurs in CEST.
        assert.equal(reset('resets 2:30am', '2026-10-24T22:00:00Z', zone), iso('2026-10-25T00:30:00Z'));
        // 02:45 CEST, first pass: 02:30 CEST is gone, 02:30 CET is still ahead.
        assert.equal(reset('resets 2:30am', '2026-10-25T00:45:00Z', zone), iso('2026-10-25T01:30:00Z'));
      });

      it('an ambiguous local time on a fixed date takes the earlier instant', () => {
        assert.equal(reset('resets Oct 25, 2:30am', '2026-10-20T00:00:00Z', zone), iso('2026-10-25T00:30:00Z'));
      });

      it('on the fall-back day the next occurrence can be 25 hours away', () => {
        // Oct 25 00:30 CEST; 00:15 today has passed, next is Oct 26 00:15 CET.
        assert.equal(reset('resets 12:15am', '2026-10-24T22:30:00Z', zone), iso('2026-10-25T23:15:00Z'));
      });

      it('dates on either side of DST use their own offset', () => {
        assert.equal(reset('resets Mar 28, 9am', '2026-03-01T00:00:00Z', zone), iso('2026-03-28T08:00:00Z'));
        assert.equal(reset('resets Mar 30, 9am', '2026-03-01T00:00:00Z', zone), iso('2026-03-30T07:00:00Z'));
        assert.equal(reset('resets Oct 26, 9am', '2026-10-01T00:00:00Z', zone), iso('2026-10-26T08:00:00Z'));
      });
    });

    describe('America/Chicago (second Sunday of March / first of November)', () => {
      const zone = 'America/Chicago';

      it('winter and summer offsets', () => {
        assert.equal(reset('resets Mar 3, 9am (America/Chicago)', '2026-02-28T18:00:00Z', 'UTC'), iso('2026-03-03T15:00:00Z'));
        assert.equal(reset('resets Mar 9, 9am (America/Chicago)', '2026-03-07T18:00:00Z', 'UTC'), iso('2026-03-09T14:00:00Z'));
      });

      it('spring gap', () => {
        // 01:00 CST on Mar 8; 02:30 does not exist -> 03:30 CDT.
        assert.equal(reset('resets 2:30am', '2026-03-08T07:00:00Z', zone), iso('2026-03-08T08:30:00Z'));
      });

      it('fall overlap', () => {
        // Nov 1 00:00 CDT: 01:30 CDT first.
        assert.equal(reset('resets 1:30am', '2026-11-01T05:00:00Z', zone), iso('2026-11-01T06:30:00Z'));
        // 01:45 CDT: next 01:30 is the CST one.
        assert.equal(reset('resets 1:30am', '2026-11-01T06:45:00Z', zone), iso('2026-11-01T07:30:00Z'));
      });
    });

    describe('Australia/Lord_Howe (half-hour DST, +10:30 / +11)', () => {
      const zone = 'Australia/Lord_Howe';

      it('standard time', () => {
        // Jul 1 10:30 local (+10:30).
        assert.equal(reset('resets 8pm', '2026-07-01T00:00:00Z', zone), iso('2026-07-01T09:30:00Z'));
      });

      it('overlap on the first Sunday of April (02:00 -> 01:30)', () => {
        // Apr 5 00:00 +11: 01:45 +11 comes first.
        assert.equal(reset('resets 1:45am (Australia/Lord_Howe)', '2026-04-04T13:00:00Z', 'UTC'), iso('2026-04-04T14:45:00Z'));
        // 15:00Z is 02:00 +11, i.e. 01:30 +10:30: only the second 01:45 remains.
        assert.equal(reset('resets 1:45am', '2026-04-04T15:00:00Z', zone), iso('2026-04-04T15:15:00Z'));
      });

      it('gap on the first Sunday of October (02:00 -> 02:30)', () => {
        // Oct 4 00:30 +10:30; 02:15 does not exist -> 02:45 +11.
        assert.equal(reset('resets 2:15am', '2026-10-03T14:00:00Z', zone), iso('2026-10-03T15:45:00Z'));
      });
    });
  });

  describe('relative waits', () => {
    const now = '2026-03-01T12:00:00Z';

    it('minutes, hours and minutes, seconds', () => {
      assert.equal(reset('resets in 45 minutes', now), iso('2026-03-01T12:45:00Z'));
      assert.equal(reset('resets in 2h 10m', now), iso('2026-03-01T14:10:00Z'));
      assert.equal(reset('in 30s', now), iso('2026-03-01T12:00:30Z'));
      assert.equal(reset('next attempt in 1.5s', now), iso('2026-03-01T12:00:01.500Z'));
      assert.equal(reset('try again after 90 seconds', now), iso('2026-03-01T12:01:30Z'));
      assert.equal(reset('resets in about 3 hours', now), iso('2026-03-01T15:00:00Z'));
      assert.equal(reset('resets in 1 hour and 5 minutes', now), iso('2026-03-01T13:05:00Z'));
    });

    it('ignores "in" without a duration', () => {
      assert.equal(reset('logged in 3 times', now), null);
      assert.equal(reset('in 5 months', now), null);
    });
  });

  describe('ISO 8601 / RFC 3339 and HTTP-date', () => {
    const now = '2026-03-01T12:00:00Z';

    it('RFC 3339 with Z and with offsets', () => {
      assert.equal(reset('resets 2026-11-23T15:40:00Z', now), iso('2026-11-23T15:40:00Z'));
      assert.equal(reset('reset_at=2026-11-23T15:40:00+02:00', now), iso('2026-11-23T13:40:00Z'));
      assert.equal(reset('2026-11-23T15:40:00-05:30', now), iso('2026-11-23T21:10:00Z'));
      assert.equal(reset('2026-11-23T15:40:00.250Z', now), iso('2026-11-23T15:40:00.250Z'));
      assert.equal(reset('2026-11-23 15:40:00+0100', now), iso('2026-11-23T14:40:00Z'));
    });

    it('an ISO time without offset is local to the context zone', () => {
      assert.equal(reset('resets 2026-11-23T15:40', now, 'Europe/Paris'), iso('2026-11-23T14:40:00Z'));
    });

    it('HTTP-date', () => {
      assert.equal(reset('Retry-After: Mon, 23 Nov 2026 15:40:00 GMT', now), iso('2026-11-23T15:40:00Z'));
    });

    it('rejects out-of-range ISO fields', () => {
      assert.equal(reset('2026-13-23T15:40:00Z', now), null);
      assert.equal(reset('2026-02-30T15:40:00Z', now), null);
    });
  });

  describe('no reset time', () => {
    const ctx = { now: new Date('2026-03-01T12:00:00Z'), timeZone: 'Europe/Paris' };

    it('returns null for lines without one', () => {
      for (const line of [
        'API Error: 529 overloaded',
        'API Error: 429 rate_limit_error',
        'hello world',
        '',
        '   ',
        '5-hour limit reached',
        'resets soon',
        'resets at',
        'resets Monday',
        'resets tomorrow',
        'model claude-3-5-sonnet-20241022',
        'limit reached|123',
        'at 10 requests per minute',
      ]) {
        assert.equal(parseResetTime(line, ctx), null, line);
      }
    });

    it('returns null, not a throw, on odd input', () => {
      const odd: unknown[] = [
        '\u0000\u0001\u0002resets\u0007',
        '\ud800resets 8pm\udc00',
        'resets \ud83d',
        '\u001b[31m\u001b[',
        ')((((',
        undefined,
        null,
        42,
      ];
      for (const v of odd) assert.doesNotThrow(() => parseResetTime(v as string, ctx));
      assert.equal(parseResetTime('\ud800resets 8pm\udc00', ctx)?.toISOString(), iso('2026-03-01T19:00:00Z'));
    });

    it('needs a valid now for times relative to it, but not for absolute ones', () => {
      const bad = { now: new Date(NaN), timeZone: 'UTC' };
      assert.equal(parseResetTime('resets 8pm', bad), null);
      assert.equal(parseResetTime('resets in 5m', bad), null);
      assert.equal(parseResetTime('reached|1767225600', bad)?.toISOString(), iso('2026-01-01T00:00:00Z'));
    });

    it('does not take a retry delay for a reset time', () => {
      assert.equal(parseResetTime('✻ 5-hour limit reached · retrying in 1s', ctx), null);
      assert.equal(parseResetTime('API Error · Retrying in 16 seconds… (attempt 6/10)', ctx), null);
      assert.equal(parseResetTime('5-hour limit reached · retrying in 1s (2pm) · attempt 1/2', ctx)?.toISOString(), iso('2026-03-01T13:00:00Z'));
    });

    it('examines only the first MAX_EXAMINED characters', () => {
      const pad = 'x'.repeat(MAX_EXAMINED);
      assert.equal(parseResetTime(`${pad} resets 8pm`, ctx), null);
      assert.equal(parseResetTime(`resets 8pm ${pad}`, ctx)?.toISOString(), iso('2026-03-01T19:00:00Z'));
    });

    it('reads adversarial input only up to the cap and never throws on it', () => {
      const inputs = [
        '1'.repeat(1_000_000),
        'resets '.repeat(100_000),
        'in 1'.repeat(100_000),
        '1:'.repeat(100_000),
        '('.repeat(100_000),
        '(a/'.repeat(100_000),
        'Mar 1 '.repeat(100_000),
        'at 1 '.repeat(100_000),
        '2026-01-01'.repeat(100_000),
        '\u001b['.repeat(100_000),
        ' '.repeat(100_000) + '|',
        'resets 8 '.repeat(50_000) + 'pm',
      ];
      for (const s of inputs) {
        // Cost is bounded by what is examined: the answer equals the answer for the capped text.
        assert.equal(parseResetTime(s, ctx)?.toISOString(), parseResetTime(s.slice(0, MAX_EXAMINED), ctx)?.toISOString());
      }
    });
  });

  describe('properties', () => {
    const zones = [
      'UTC',
      'Europe/Paris',
      'America/Chicago',
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
      'Asia/Calcutta',
      'America/Cordoba',
      'America/Argentina/Cordoba',
      'Pacific/Chatham',
      'America/St_Johns',
      'Asia/Kathmandu',
      'Pacific/Kiritimati',
      'Pacific/Pago_Pago',
    ];
    const fixedZones = new Set(['UTC', 'Asia/Kolkata', 'Asia/Calcutta', 'America/Cordoba', 'America/Argentina/Cordoba', 'Asia/Kathmandu', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']);
    const nowArb = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true });

    it('never throws on arbitrary strings, and returns a valid Date or null', () => {
      const tokens = fc.constantFrom(
        'resets', ' ', '8pm', '11:30', 'am', 'pm', '(', ')', 'Europe/Paris', 'UTC', 'GMT+2', '|', '1767225600', 'in', '2h',
        '10m', ':', 'Mar', '3', ',', 'at', '\u00b7', '\u2219', '\ud800', '\u001b[1m', '2026-11-23T', 'Z', '+05:30', 'Mon,',
        'Nov', '2026', 'tomorrow', 'Feb 29', '-', '.', '0', '99',
      );
      const inputs = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.array(tokens, { maxLength: 40 }).map((a) => a.join('')));
      fc.assert(
        fc.property(inputs, nowArb, fc.constantFrom(...zones, 'Bogus/Zone'), (s, now, timeZone) => {
          const r = parseResetTime(s, { now, timeZone });
          assert.ok(r === null || (r instanceof Date && Number.isFinite(r.getTime())));
          parseDuration(s);
          parseRetryAfter(s, now);
        }),
        { numRuns: 1000 },
      );
    });

    it('a clock time resolves after now, within a day (plus any DST shift), at that wall time', () => {
      fc.assert(
        fc.property(nowArb, fc.constantFrom(...zones), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (now, zone, hour, minute) => {
          const r = parseResetTime(`resets ${renderClock(hour, minute)} (${zone})`, { now, timeZone: 'UTC' });
          assert.ok(r !== null);
          const delta = r.getTime() - now.getTime();
          assert.ok(delta > 0, 'after now');
          const limit = fixedZones.has(zone) ? 24 * HOUR : 25 * HOUR;
          assert.ok(delta <= limit, `within a day: ${delta}`);
          // Outside a DST gap the wall clock reads exactly what was asked for.
          const [h, m] = wallHm(r.getTime(), zone);
          const inGap = wallTimeInstants(resolveZone(zone)!, { ...toWallTime(resolveZone(zone)!, r.getTime()), hour, minute, second: 0 }).length === 0;
          if (!inGap) assert.deepEqual([h, m], [hour, minute]);
        }),
        { numRuns: 1500 },
      );
    });

    it('a reset instant rendered as a clock (as Claude Code does) parses back', () => {
      fc.assert(
        fc.property(nowArb, fc.constantFrom(...zones), fc.integer({ min: 1, max: 24 * 60 - 1 }), (now, zone, minutesAhead) => {
          const target = Math.ceil(now.getTime() / 60_000) * 60_000 + minutesAhead * 60_000;
          if (target - now.getTime() >= 24 * HOUR) return;
          const [h, m] = wallHm(target, zone);
          const r = parseResetTime(`You've hit your limit · resets ${renderClock(h, m)} (${zone})`, { now, timeZone: 'UTC' });
          assert.ok(r !== null);
          // Equal, unless the wall time repeats (DST overlap) and its earlier occurrence is also ahead.
          if (r.getTime() !== target) {
            assert.ok(r.getTime() > now.getTime() && r.getTime() < target);
            assert.deepEqual(wallHm(r.getTime(), zone), [h, m]);
          }
        }),
        { numRuns: 1500 },
      );
    });

    it('month/day plus clock parses back to the instant it was rendered from', () => {
      const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
      fc.assert(
        fc.property(nowArb, fc.constantFrom(...zones), fc.integer({ min: 24 * 60, max: 8 * 24 * 60 }), (now, zone, minutesAhead) => {
          const target = Math.ceil(now.getTime() / 60_000) * 60_000 + minutesAhead * 60_000;
          const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, month: 'numeric', day: 'numeric' }).formatToParts(new Date(target));
          const month = Number(parts.find((p) => p.type === 'month')?.value);
          const day = Number(parts.find((p) => p.type === 'day')?.value);
          const [h, m] = wallHm(target, zone);
          const line = `resets ${monthNames[month - 1]} ${day}, ${renderClock(h, m)} (${zone})`;
          const r = parseResetTime(line, { now, timeZone: 'UTC' });
          assert.ok(r !== null, line);
          const ambiguousTwin = Math.abs(r.getTime() - target) <= HOUR && r.getTime() < target;
          assert.ok(r.getTime() === target || ambiguousTwin, `${line}: ${r.toISOString()} vs ${new Date(target).toISOString()}`);
        }),
        { numRuns: 1000 },
      );
    });

    it('parseDuration round-trips XhYmZs', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), fc.boolean(), (h, m, s, spaced) => {
          const sep = spaced ? ' ' : '';
          const expected = ((h * 60 + m) * 60 + s) * 1000;
          assert.equal(parseDuration(`${h}h${sep}${m}m${sep}${s}s`), expected);
          const parts = [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', s > 0 || h + m === 0 ? `${s}s` : ''].filter((p) => p !== '');
          assert.equal(parseDuration(parts.join(sep)), expected);
        }),
        { numRuns: 1000 },
      );
    });
  });
});

describe('parseDuration', () => {
  it('reads the formats Claude Code and HTTP clients print', () => {
    const cases: Array<[string, number]> = [
      ['20ms', 20],
      ['1m30s', 90_000],
      ['2h', 7_200_000],
      ['45 minutes', 2_700_000],
      ['2h 10m', 7_800_000],
      ['90s', 90_000],
      ['1.5s', 1500],
      ['1 hour and 5 minutes', 3_900_000],
      ['1 hour, 5 minutes', 3_900_000],
      ['3 days', 259_200_000],
      ['1w', 604_800_000],
      ['2 hrs 3 mins 4 secs', 7_384_000],
      ['250 milliseconds', 250],
      ['1h1h', 7_200_000],
      ['  5m  ', 300_000],
      ['0', 0],
      ['0s', 0],
      ['1H30M', 5_400_000],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  });

  it('rejects what is not a whole duration', () => {
    for (const text of ['', '90', 'abc', '5 months', '-5m', '5m ago', 'in 5m', 'and 5m', '1.5.5s', 'm', '5 m s', 'x'.repeat(300)]) {
      assert.equal(parseDuration(text), null, text);
    }
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it('delta seconds', () => {
    assert.equal(parseRetryAfter('120', now)?.toISOString(), iso('2026-03-01T12:02:00Z'));
    assert.equal(parseRetryAfter(' 0 ', now)?.toISOString(), iso('2026-03-01T12:00:00Z'));
    assert.equal(parseRetryAfter('1.5', now)?.toISOString(), iso('2026-03-01T12:00:01.500Z'));
  });

  it('HTTP-date in its three forms', () => {
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 15:40:00 GMT', now)?.toISOString(), iso('2026-11-23T15:40:00Z'));
    assert.equal(parseRetryAfter('Monday, 23-Nov-26 15:40:00 GMT', now)?.toISOString(), iso('2026-11-23T15:40:00Z'));
    assert.equal(parseRetryAfter('Mon Nov 23 15:40:00 2026', now)?.toISOString(), iso('2026-11-23T15:40:00Z'));
  });

  it('null on garbage, negatives, overflow and invalid now', () => {
    for (const v of ['', 'soon', '-5', '1e3', '99999999999999999999', 'Mon, 32 Nov 2026 15:40:00 GMT']) {
      assert.equal(parseRetryAfter(v, now), null, v);
    }
    assert.equal(parseRetryAfter('120', new Date(NaN)), null);
    assert.equal(parseRetryAfter('120', now.getTime() as unknown as Date), null);
  });
});

describe('timeZone helpers', () => {
  it('offsets follow DST, aliases included', () => {
    const paris = resolveZone('Europe/Paris')!;
    assert.equal(offsetAt(paris, Date.parse('2026-01-15T12:00:00Z')), HOUR);
    assert.equal(offsetAt(paris, Date.parse('2026-07-15T12:00:00Z')), 2 * HOUR);
    assert.equal(offsetAt(resolveZone('Asia/Calcutta')!, Date.parse('2026-07-15T12:00:00Z')), 5.5 * HOUR);
    assert.equal(offsetAt(resolveZone('America/Cordoba')!, Date.parse('2026-07-15T12:00:00Z')), -3 * HOUR);
    assert.equal(offsetAt(resolveZone('Australia/Lord_Howe')!, Date.parse('2026-01-15T12:00:00Z')), 11 * HOUR);
    assert.equal(offsetAt(resolveZone('Australia/Lord_Howe')!, Date.parse('2026-07-15T12:00:00Z')), 10.5 * HOUR);
  });

  it('reads fixed offsets and rejects unknown names', () => {
    assert.deepEqual(resolveZone('GMT+2'), { kind: 'fixed', offsetMs: 2 * HOUR });
    assert.deepEqual(resolveZone('UTC-05:30'), { kind: 'fixed', offsetMs: -5.5 * HOUR });
    assert.deepEqual(resolveZone('+0545'), { kind: 'fixed', offsetMs: 5.75 * HOUR });
    assert.equal(resolveZone('Mars/Olympus'), null);
    assert.equal(resolveZone('GMT+25'), null);
    assert.equal(resolveZone(''), null);
  });

  it('wall time round-trips, with gaps and overlaps reported', () => {
    const paris = resolveZone('Europe/Paris')!;
    const wall = { year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0 };
    assert.deepEqual(wallTimeInstants(paris, wall), [Date.parse('2026-10-25T00:30:00Z'), Date.parse('2026-10-25T01:30:00Z')]);
    assert.deepEqual(wallTimeInstants(paris, { ...wall, month: 3, day: 29 }), []);
    assert.equal(fromWallTime(paris, { ...wall, month: 3, day: 29 }), Date.parse('2026-03-29T01:30:00Z'));
    const w = toWallTime(paris, Date.parse('2026-07-04T10:11:12.345Z'));
    assert.deepEqual(w, { year: 2026, month: 7, day: 4, hour: 12, minute: 11, second: 12, millisecond: 345 });
  });
});
