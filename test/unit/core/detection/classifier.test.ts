import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { classify } from '../../../../src/core/detection/classifier';
import { Classification, LimitWindow, TimeContext, Verdict } from '../../../../src/core/detection/types';

// Tuesday 10 November 2026, 13:00 in Paris (UTC+1).
const ctx: TimeContext = { now: new Date('2026-11-10T12:00:00Z'), timeZone: 'Europe/Paris' };
const NBSP = '\u00a0';

const run = (...lines: string[]): Classification => classify(lines, ctx);

function expectVerdict(lines: string[], verdict: Verdict, window?: LimitWindow | null): Classification {
  const r = classify(lines, ctx);
  assert.equal(r.verdict, verdict, `verdict for ${JSON.stringify(lines)}`);
  if (window !== undefined) assert.equal(r.window, window, `window for ${JSON.stringify(lines)}`);
  return r;
}

function sameMinute(actual: Date | null, expectedIso: string, what = ''): void {
  assert.ok(actual !== null, `resetsAt is null ${what}`);
  assert.equal(Math.floor(actual.getTime() / 60000), Math.floor(Date.parse(expectedIso) / 60000), `resetsAt ${what}: ${actual.toISOString()}`);
}

/** Status lines of every family, as Claude Code renders them, with the expected verdict and window. */
const POSITIVE: ReadonlyArray<readonly [string, Verdict, LimitWindow | null]> = [
  // quota
  ['Claude AI usage limit reached|1794330000', 'quota', 'five_hour'],
  ['Claude usage limit reached. Your limit will reset at 5pm (Asia/Tokyo).', 'quota', 'five_hour'],
  ['Claude usage limit reached. Upgrade to increase your usage limit.', 'quota', 'five_hour'],
  ['5-hour limit reached ∙ resets 6am', 'quota', 'five_hour'],
  ['5-hour limit reached · resets 6am', 'quota', 'five_hour'],
  ['5-hour limit reached • resets 6am · /upgrade to increase your usage limit.', 'quota', 'five_hour'],
  ['5-hour limit reached - resets 6am', 'quota', 'five_hour'],
  ['Session limit reached ∙ resets 6am', 'quota', 'five_hour'],
  ['Weekly limit reached ∙ resets Mar 3, 9am', 'quota', 'weekly'],
  ["You've hit your limit · resets 8pm (Europe/Paris)", 'quota', null],
  ['You’ve hit your limit · resets 8pm (Europe/Paris)', 'quota', null],
  ["YOU'VE HIT YOUR LIMIT · RESETS 8PM (EUROPE/PARIS)", 'quota', null],
  ["You've hit your limit", 'quota', null],
  ["You've hit your usage limit", 'quota', null],
  ["You've hit your 5-hour limit · resets 8pm (Europe/Paris)", 'quota', 'five_hour'],
  ["You've hit your session limit · resets 2:50am (Europe/Paris)", 'quota', 'five_hour'],
  ["You've hit your weekly limit · resets Mar 3, 9am (America/Chicago)", 'quota', 'weekly'],
  ["You've hit your weekly limit ∙ resets at Mar 3, 9am (America/Chicago) · /upgrade to keep using Claude Code", 'quota', 'weekly'],
  ['Opus weekly limit reached ∙ resets Mar 3, 9am', 'quota', 'weekly_model'],
  ['Sonnet weekly limit reached · resets Mar 3, 9am', 'quota', 'weekly_model'],
  ["You've hit your Opus limit · resets Mar 3, 9am (Europe/Paris)", 'quota', 'weekly_model'],
  ["You've hit your Sonnet weekly limit · resets Mar 3, 9am (Europe/Paris)", 'quota', 'weekly_model'],
  ["You're out of extra usage · resets Dec 1, 1am (Europe/Paris)", 'quota', 'extra_usage'],
  ['You’re out of extra usage · /extra-usage to add more', 'quota', 'extra_usage'],
  ['Usage limit reached · continuing automatically at 4pm', 'quota', null],
  ['Usage limit reached · resets 4pm', 'quota', null],
  ["You've reached your spend limit · /extra-usage to raise it", 'quota', 'spend'],
  ["You've hit your monthly spend limit · resets Dec 1 (Europe/Paris)", 'quota', 'spend'],
  ['Spend limit reached · resets Dec 1', 'quota', 'spend'],
  [
    'API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":"You have reached your specified API usage limits. You will regain access on 2026-12-01 at 00:00 UTC."}}',
    'quota',
    'spend',
  ],
  ['Stop and wait for limit to reset', 'quota', null],
  ['❯ 1. Stop and wait for limit to reset', 'quota', null],
  // throttle
  ['API Error: Server is temporarily limiting requests (not your usage limit) · Rate limited', 'throttle', null],
  ['Server is temporarily limiting requests (not your usage limit) · Rate limited', 'throttle', null],
  ['API Error: Request rejected (429) · This request would exceed your rate limit', 'throttle', null],
  ['API Error: Request rejected (429) · Retrying in 5 seconds… (attempt 1/10)', 'throttle', null],
  ['API Error: 429 {"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}', 'throttle', null],
  ['Rate limited', 'throttle', null],
  ['Rate limited · retrying in 5s', 'throttle', null],
  // server
  ['API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', 'server', null],
  ['API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}', 'server', null],
  ['API Error (Request timed out.) · Retrying in 16 seconds… (attempt 6/10)', 'server', null],
  ['API Error: Connection error.', 'server', null],
  ['API Error: Request timed out.', 'server', null],
  ['Overloaded', 'server', null],
  ['Retrying in 16 seconds… (attempt 6/10)', 'server', null],
  ['✻ Thinking… (esc to interrupt · retrying in 5s · attempt 2/10)', 'server', null],
  ['Unable to connect to API (ConnectionRefused)', 'server', null],
  // auth
  ['OAuth token has expired. Please obtain a new token or refresh your existing token.', 'auth', null],
  ['API Error: 401 {"type":"error","error":{"type":"authentication_error","message":"OAuth token has expired. Please obtain a new token or refresh your existing token."}} · Please run /login', 'auth', null],
  ['API Error: 401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}', 'auth', null],
  ['API Error: 403 {"type":"error","error":{"type":"permission_error","message":"OAuth token has been revoked."}}', 'auth', null],
  ['OAuth token revoked · Please run /login', 'auth', null],
  ['Invalid API key · Please run /login', 'auth', null],
  ['Not logged in · Please run /login', 'auth', null],
  // billing
  ['Credit balance is too low', 'billing', null],
  ['Your credit balance is too low · Add funds at console.anthropic.com', 'billing', null],
  ['API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API."}}', 'billing', null],
  ['API Error: 402 {"type":"error","error":{"type":"billing_error","message":"Payment required"}}', 'billing', null],
  // warning
  ['Approaching usage limit · resets at 1am', 'warning', null],
  ['Approaching weekly limit ∙ resets Mar 3, 9am', 'warning', 'weekly'],
  ['Approaching Opus usage limit · resets Mar 3, 9am', 'warning', 'weekly_model'],
  ["You've used 90% of your weekly limit", 'warning', 'weekly'],
  ['You’ve used 91% of your session limit · resets 6pm', 'warning', 'five_hour'],
  ['Opus limit reached, now using Sonnet', 'warning', 'weekly_model'],
  ['Opus 4 limit reached · now using Sonnet 4', 'warning', 'weekly_model'],
  ['Claude Opus limit reached, now using Sonnet 4.5', 'warning', 'weekly_model'],
  ['Limit reached, now using Sonnet', 'warning', null],
];

/** Prefixes Claude Code draws before its own rows. */
const STATUS_PREFIXES = ['', '  ', `  ⎿${NBSP} `, '⎿  ', '● ', '⏺ ', '✻ ', '⚠ ', '⚠️ ', '✗ ', '> ', '│ '];

describe('classify', () => {
  describe('families (positive)', () => {
    for (const [line, verdict, window] of POSITIVE) {
      it(`${verdict}/${window ?? '-'}: ${line.slice(0, 90)}`, () => {
        const r = expectVerdict([line], verdict, window);
        assert.equal(r.evidence, line.trim());
      });
    }

    it('accepts every status-row prefix', () => {
      for (const [line, verdict, window] of POSITIVE) {
        for (const prefix of STATUS_PREFIXES) {
          const text = prefix === '│ ' ? `│ ${line} │` : prefix + line;
          expectVerdict([text], verdict, window);
        }
      }
    });

    it("finds \"You've hit your limit\" inside a ⎿ result row, under the prompt", () => {
      const r = expectVerdict(
        ['> summarise the repo', '', `  ⎿${NBSP} You've hit your limit · resets 8pm (Europe/Paris)`, '     /upgrade to increase your usage limit.'],
        'quota',
        null,
      );
      assert.equal(r.evidence, `⎿${NBSP} You've hit your limit · resets 8pm (Europe/Paris)`);
    });

    it('recognises the /rate-limit-options menu', () => {
      expectVerdict(
        [
          'What do you want to do?',
          '❯ 1. Stop and wait for limit to reset',
          '  2. Switch to extra usage',
          '  3. Upgrade your plan',
        ],
        'quota',
      );
      const upgradeOnly = expectVerdict(['│ What do you want to do? │', '│ ❯ 1. Upgrade your plan │'], 'quota', null);
      assert.equal(upgradeOnly.evidence, '│ ❯ 1. Upgrade your plan │');
      expectVerdict(['  3. Upgrade your plan'], 'none');
    });

    it('takes window and reset from the limit line above the menu', () => {
      const r = expectVerdict(
        [
          "  ⎿  You've hit your weekly limit · resets Nov 13, 9am (America/Chicago)",
          'What do you want to do?',
          '❯ 1. Stop and wait for limit to reset',
          '  2. Upgrade your plan',
        ],
        'quota',
        'weekly',
      );
      sameMinute(r.resetsAt, '2026-11-13T15:00:00Z');
    });
  });

  describe('wording recorded from CLI 2.1.330', () => {
    const tokyo: TimeContext = { now: new Date('2026-11-23T11:05:16Z'), timeZone: 'Asia/Tokyo' };

    it('reads the 5-hour result row', () => {
      const r = classify([`  ⎿${NBSP} You've hit your 5-hour limit · resets 11pm (Asia/Tokyo)`], tokyo);
      assert.equal(r.verdict, 'quota');
      assert.equal(r.window, 'five_hour');
      sameMinute(r.resetsAt, '2026-11-23T14:00:00Z');
    });

    it('reads the auto-continue notice, which names no window', () => {
      const r = classify(['● Usage limit reached · set to continue automatically at 11pm'], tokyo);
      assert.equal(r.verdict, 'quota');
      assert.equal(r.window, null);
      sameMinute(r.resetsAt, '2026-11-23T14:00:00Z');
    });

    it('reads the footer without guessing a window (weekly waits show the same footer)', () => {
      const r = classify([`  ⚠${NBSP}Usage limit reached · limit resets 11pm`, '    Continuing automatically at 11pm · Esc to cancel'], tokyo);
      assert.equal(r.verdict, 'quota');
      assert.equal(r.window, null);
      sameMinute(r.resetsAt, '2026-11-23T14:00:00Z');
      const weekly = classify(
        [
          '  ⎿  Claude Code will continue automatically at Nov 25, 9:15am. Keep this session open; it may still pause for',
          '     permission prompts.',
          '❯',
          '  ⚠ Usage limit reached · limit resets Nov 25, 9:15am',
          '    Continuing automatically at Nov 25, 9:15am · Esc to cancel',
        ],
        { now: new Date('2026-11-23T11:06:16Z'), timeZone: 'America/Argentina/Cordoba' },
      );
      assert.equal(weekly.verdict, 'quota');
      assert.equal(weekly.window, null);
      sameMinute(weekly.resetsAt, '2026-11-25T12:15:00Z');
    });

    it('takes the window from the result row over the footer', () => {
      const r = classify(
        [
          `  ⎿${NBSP} You've hit your 5-hour limit · resets 11pm (Asia/Tokyo)`,
          '● Usage limit reached · set to continue automatically at 11pm',
          `  ⚠${NBSP}Usage limit reached · limit resets 11pm`,
          '    Continuing automatically at 11pm · Esc to cancel',
        ],
        tokyo,
      );
      assert.equal(r.window, 'five_hour');
      assert.equal(r.evidence, `⎿${NBSP} You've hit your 5-hour limit · resets 11pm (Asia/Tokyo)`);
    });

    it('reads the other recorded screens', () => {
      const cases: ReadonlyArray<readonly [string[], Verdict, LimitWindow | null]> = [
        [[`  ⎿${NBSP} You're out of usage credits · resets 6pm (Europe/Paris)`], 'quota', 'extra_usage'],
        [[`  ⎿${NBSP} Credit balance too low · Add funds: https://platform.claude.com/settings/billing`], 'billing', null],
        [['● Please run /login · API Error: 401 Invalid bearer token'], 'auth', null],
        [['✻ API error · retrying in 1s · attempt 1/2'], 'server', null],
        [
          [
            '● API Error: 529 Overloaded: the service is under heavy load right now. This is not a rate limit on your',
            '  account. This is a server-side issue, usually temporary — try again in a moment. If it persists, check your',
          ],
          'server',
          null,
        ],
        [['● API Error: 500 Internal server error. This is a server-side issue, usually temporary — try again in a moment.'], 'server', null],
        [
          [
            '● API Error: Server is temporarily limiting requests (not your usage limit) · Number of requests has exceeded',
            '  your per-minute rate limit. Please try again later.',
          ],
          'throttle',
          null,
        ],
        [["● API Error: Request rejected (429) · This request would exceed your account's rate limit. Please try again", '  later.'], 'throttle', null],
        [['● Hello! How can I help?', '✻ Crunched for 0s · done 11:08 AM', '❯ Resend your message to try again', '❯ Once fixed, resend your message'], 'none', null],
      ];
      for (const [lines, verdict, window] of cases) {
        const r = classify(lines, tokyo);
        assert.equal(r.verdict, verdict, lines[0]);
        assert.equal(r.window, window, lines[0]);
      }
    });

    it('reads the right-aligned utilization warnings', () => {
      const r = classify([`${' '.repeat(55)}You've used 91% of your 5-hour limit · resets 11pm (Asia/Tokyo)`], tokyo);
      assert.equal(r.verdict, 'warning');
      assert.equal(r.window, 'five_hour');
      sameMinute(r.resetsAt, '2026-11-23T14:00:00Z');
      const weekly = classify([`${' '.repeat(43)}You've used 76% of your weekly limit · resets Nov 26, 6am (America/Chicago)`], tokyo);
      assert.equal(weekly.window, 'weekly');
      sameMinute(weekly.resetsAt, '2026-11-26T12:00:00Z');
    });

    it('reads the API-key 5-hour notice shown while retrying', () => {
      const r = classify(['✻ 5-hour limit reached · retrying in 1s (2pm) · attempt 1/2'], { now: new Date('2026-11-23T11:08:00Z'), timeZone: 'UTC' });
      assert.equal(r.verdict, 'quota');
      assert.equal(r.window, 'five_hour');
      sameMinute(r.resetsAt, '2026-11-23T14:00:00Z');
    });

    it('keeps the extra-usage window when the footer follows', () => {
      const r = classify(
        [
          `  ⎿${NBSP} You're out of usage credits · resets 6pm (Europe/Paris)`,
          '● Usage limit reached · set to continue automatically at 6pm',
          `  ⚠${NBSP}Usage limit reached · limit resets 6pm`,
          '    Continuing automatically at 6pm · Esc to cancel',
        ],
        { now: new Date('2026-11-23T11:06:42Z'), timeZone: 'Europe/Paris' },
      );
      assert.equal(r.window, 'extra_usage');
      sameMinute(r.resetsAt, '2026-11-23T17:00:00Z');
    });

    it("does not read the weekly menu's continue option as a 5-hour auto-continue", () => {
      const menu = [
        'What do you want to do?',
        '❯ 1. Stop and wait for limit to reset',
        '  2. Wait here, then continue automatically at Nov 26, 6am',
        'Enter to confirm · Esc to cancel',
      ];
      const r = classify(menu, { now: new Date('2026-11-23T11:06:16Z'), timeZone: 'America/Chicago' });
      assert.equal(r.verdict, 'quota');
      assert.equal(r.window, null);
      const withHead = classify(
        ["  ⎿  You've hit your weekly limit · resets Nov 26, 6am (America/Chicago)", '▔▔▔▔▔▔▔▔', ...menu],
        { now: new Date('2026-11-23T11:06:16Z'), timeZone: 'America/Chicago' },
      );
      assert.equal(withHead.window, 'weekly');
      sameMinute(withHead.resetsAt, '2026-11-26T12:00:00Z');
    });

    it('ignores the banner, prompt and footer chrome', () => {
      const chrome = [
        ' ▐▛███▜▌   Claude Code v2.1.330',
        '▝▜█████▛▘  Opus 5.5 · Claude Max',
        "▎ Auto mode is now Claude Code's default permission mode.",
        '❯ hi',
        '                                        ◐ medium · /effort',
        '  ⏵⏵ auto mode on (shift+tab to cycle) · ← for agents',
      ];
      assert.equal(classify(chrome, tokyo).verdict, 'none');
    });
  });

  describe('reset times', () => {
    it('reads the epoch of the legacy line', () => {
      const r = run('Claude AI usage limit reached|1794330000');
      assert.equal(r.resetsAt?.getTime(), 1794330000 * 1000);
    });

    it('reads the clock time with zone', () => {
      sameMinute(run("You've hit your limit · resets 8pm (Europe/Paris)").resetsAt, '2026-11-10T19:00:00Z');
      sameMinute(run('Claude usage limit reached. Your limit will reset at 1am (Asia/Tokyo).').resetsAt, '2026-11-10T16:00:00Z');
    });

    it('reads a clock time without zone in the context zone', () => {
      sameMinute(run('5-hour limit reached ∙ resets 5pm').resetsAt, '2026-11-10T16:00:00Z');
      const late: TimeContext = { now: new Date('2026-11-10T22:30:00Z'), timeZone: 'Europe/Paris' };
      sameMinute(classify(['5-hour limit reached ∙ resets 2am'], late).resetsAt, '2026-11-11T01:00:00Z');
      sameMinute(run('Usage limit reached · continuing automatically at 4pm').resetsAt, '2026-11-10T15:00:00Z');
    });

    it('reads a date and clock with zone', () => {
      sameMinute(run("You've hit your weekly limit · resets Nov 16, 9am (America/Chicago)").resetsAt, '2026-11-16T15:00:00Z');
      const december: TimeContext = { now: new Date('2026-12-29T12:00:00Z'), timeZone: 'UTC' };
      sameMinute(classify(["You've hit your weekly limit · resets Jan 3, 9am (UTC)"], december).resetsAt, '2027-01-03T09:00:00Z');
    });

    it('reads the reset from the next row when the limit row has none', () => {
      const r = expectVerdict(["You've hit your weekly limit", '  resets Nov 16, 9am (America/Chicago)'], 'quota', 'weekly');
      sameMinute(r.resetsAt, '2026-11-16T15:00:00Z');
      assert.equal(r.evidence, "You've hit your weekly limit");
    });

    it('takes no reset time that lies beyond what the window allows', () => {
      // Rows read while half drawn: "resets Nov 2" of "Nov 25" and "resets 1" of "resets 1pm".
      const halfDate = classify(["You've hit your weekly limit · resets Nov 2"], { now: new Date('2026-11-23T11:20:00Z'), timeZone: 'UTC' });
      assert.equal(halfDate.verdict, 'quota');
      assert.equal(halfDate.resetsAt, null);
      assert.equal(run("You've hit your 5-hour limit · resets Nov 12, 9am (UTC)").resetsAt, null);
      assert.equal(run("You've hit your limit · resets Dec 31 (UTC)").resetsAt, null);
      // At the edge of each window the time is kept.
      sameMinute(run("You've hit your 5-hour limit · resets 5:30pm (UTC)").resetsAt, '2026-11-10T17:30:00Z');
      sameMinute(run("You've hit your Opus limit · resets Nov 17, 11am (UTC)").resetsAt, '2026-11-17T11:00:00Z');
      sameMinute(run("You're out of usage credits · resets Dec 9 (UTC)").resetsAt, '2026-12-09T00:00:00Z');
    });

    it('skips a hint row to find the reset two rows below', () => {
      const r = expectVerdict(['Usage limit reached', '/upgrade to increase your usage limit.', 'continuing automatically at 4pm'], 'quota', null);
      sameMinute(r.resetsAt, '2026-11-10T15:00:00Z');
    });

    it('does not look further than two rows', () => {
      const r = run("You've hit your limit", 'a', 'b', 'resets 8pm (Europe/Paris)');
      assert.equal(r.verdict, 'quota');
      assert.equal(r.resetsAt, null);
    });

    it('gives warnings their reset too', () => {
      const r = expectVerdict(['Approaching usage limit · resets at 1am'], 'warning');
      sameMinute(r.resetsAt, '2026-11-11T00:00:00Z');
    });

    it('has no reset for non-limit verdicts', () => {
      assert.equal(run('Not logged in · Please run /login').resetsAt, null);
      assert.equal(run('API Error: Request rejected (429) · Retrying in 5 seconds… (attempt 1/10)').resetsAt, null);
    });
  });

  describe('content is not status', () => {
    const NEGATIVE: readonly string[] = [
      // diffs
      "+ You've hit your limit · resets 8pm (Europe/Paris)",
      "- You've hit your limit · resets 8pm (Europe/Paris)",
      '+      "5-hour limit reached ∙ resets 6am",',
      "  12 +  You've hit your limit · resets 8pm",
      '  12 -  Claude AI usage limit reached|1794330000',
      '  12 │ Usage limit reached · continuing automatically at 4pm',
      '  7│Claude usage limit reached. Your limit will reset at 5pm (Asia/Tokyo).',
      '12: OAuth token has expired. Please obtain a new token',
      // code
      "expect(classify(['Claude AI usage limit reached|1794330000'])).toBe('quota');",
      'console.log("usage limit reached")',
      "const msg = \"You've hit your limit · resets 8pm\";",
      '"You\'ve hit your limit · resets 8pm (Europe/Paris)"',
      "'5-hour limit reached ∙ resets 6am'",
      '`Credit balance is too low`',
      '// Usage limit reached · continuing automatically at 4pm',
      '# Claude AI usage limit reached|1794330000',
      'throw new Error("API Error: 529 overloaded_error");',
      // shell and grep
      '$ grep -rn "usage limit" src',
      'src/foo.ts:12:  // ...limit reached',
      "src/core/classifier.ts:40: You've hit your limit · resets 8pm",
      '⏺ Bash(grep -rn "Not logged in" src)',
      // prose
      'The usage limit reached message appears when the five-hour window is exhausted.',
      'If you hit your limit, Claude Code shows a reset time.',
      "⏺ You've hit your limit, so I will summarise what remains.",
      'When the API is overloaded, Claude Code retries up to ten times.',
      'Claude Code prints "Credit balance is too low" when the console account is empty.',
      '⏺ I added handling for the "Rate limited" status and for OAuth token expiry.',
      'Context limit reached · /compact or /clear to continue',
      'Rate limits are applied per organisation.',
      // lines too long to be status rows
      `You've hit your limit · resets 8pm (Europe/Paris) ${'x'.repeat(400)}`,
      // unrelated errors
      'API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"}}',
      'Error: ENOENT: no such file or directory',
      '',
    ];
    for (const line of NEGATIVE) {
      it(`none: ${JSON.stringify(line.slice(0, 80))}`, () => {
        assert.deepEqual(run(line), { verdict: 'none', window: null, resetsAt: null, evidence: null });
      });
    }

    it('ignores a file view full of limit wording', () => {
      const view = [
        '⏺ Read(src/messages.ts)',
        '  ⎿  Read 4 lines',
        '     1 export const LIMIT = "Claude AI usage limit reached|1794330000";',
        "     2 // You've hit your limit · resets 8pm",
        '     3 const x = "Credit balance is too low";',
        "     4 export const Y = 'Not logged in · Please run /login';",
      ];
      expectVerdict(view, 'none');
    });
  });

  describe('precedence', () => {
    it('lets an explicit server error veto quota (529 body mentioning rate limits)', () => {
      const r = expectVerdict(
        [
          'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded: rate limit reached"}}',
          '  "message": "usage limit reached"',
        ],
        'server',
      );
      assert.match(r.evidence ?? '', /^API Error: 529/);
    });

    it('lets an explicit server error veto a limit line in the same update', () => {
      expectVerdict(["You've hit your limit · resets 8pm (Europe/Paris)", 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'], 'server');
      expectVerdict(['API Error (Request timed out.) · Retrying in 16 seconds… (attempt 6/10)', '5-hour limit reached ∙ resets 6am'], 'server');
    });

    it('lets a limit line win over a bare retry notice', () => {
      const r = expectVerdict(['Retrying in 16 seconds… (attempt 6/10)', "You've hit your weekly limit · resets Mar 3, 9am (America/Chicago)"], 'quota', 'weekly');
      assert.equal(r.evidence, "You've hit your weekly limit · resets Mar 3, 9am (America/Chicago)");
    });

    it('lets a concrete 429 win over a bare retry notice', () => {
      expectVerdict(['API Error: Request rejected (429)', 'Retrying in 5 seconds… (attempt 1/10)'], 'throttle');
    });

    it('orders quota > billing > auth > throttle > warning', () => {
      expectVerdict(['Credit balance is too low', 'Usage limit reached · resets 4pm'], 'quota');
      expectVerdict(['Not logged in · Please run /login', 'Credit balance is too low'], 'billing');
      expectVerdict(['Rate limited', 'Not logged in · Please run /login'], 'auth');
      expectVerdict(['Approaching usage limit · resets at 1am', 'Rate limited'], 'throttle');
      expectVerdict(['Approaching usage limit · resets at 1am', 'Retrying in 5 seconds… (attempt 1/10)'], 'server');
    });

    it('prefers the quota row that names more, then the first', () => {
      const r = expectVerdict(['Usage limit reached', "You've hit your weekly limit · resets Mar 3, 9am (America/Chicago)"], 'quota', 'weekly');
      assert.equal(r.evidence, "You've hit your weekly limit · resets Mar 3, 9am (America/Chicago)");
      const first = expectVerdict(["You've hit your limit", "You've hit your limit"], 'quota');
      assert.equal(first.evidence, "You've hit your limit");
    });

    it('does not call a quota update a warning because of a fallback row', () => {
      expectVerdict(['Opus limit reached, now using Sonnet', "You've hit your limit · resets 8pm (Europe/Paris)"], 'quota');
    });
  });

  describe('properties', () => {
    const positives = POSITIVE.map(([line]) => line);

    it('never throws on arbitrary input', () => {
      fc.assert(
        fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 400 }), { maxLength: 8 }), fc.integer({ min: 0, max: 4102444800000 }), (lines, ms) => {
          const r = classify(lines, { now: new Date(ms), timeZone: 'America/New_York' });
          assert.ok(typeof r.verdict === 'string');
        }),
        { numRuns: 500 },
      );
    });

    it('never throws on arbitrary strings mixed with status words', () => {
      const words = fc.constantFrom('limit reached', "You've hit your", ' · resets ', 'API Error: ', '429', '529', '|', '⎿', '\u00a0', 'Retrying in 5s', 'Mar 3, 9am', '(Europe/Paris)', 'usage', ' ');
      fc.assert(
        fc.property(fc.array(fc.oneof(words, fc.string()), { maxLength: 30 }), (parts) => {
          classify([parts.join('')], ctx);
        }),
        { numRuns: 1000 },
      );
    });

    it('calls any status line behind a diff marker none', () => {
      fc.assert(
        fc.property(fc.constantFrom(...positives), fc.constantFrom('+', '-', '+ ', '- ', '  + ', '   12 + ', '  12 - ', '  12 │ '), (line, marker) => {
          assert.equal(classify([marker + line], ctx).verdict, 'none');
        }),
      );
    });

    it('calls any status line inside a string literal or comment none', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...positives),
          fc.constantFrom<[string, string]>(['"', '"'], ["'", "'"], ['`', '`'], ['const s = "', '";'], ['log("', '")'], ['// ', ''], ['$ echo "', '"']),
          (line, [open, close]) => {
            assert.equal(classify([open + line + close], ctx).verdict, 'none');
          },
        ),
      );
    });

    it('is insensitive to unrelated rows around a status line', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...POSITIVE),
          fc.array(fc.stringMatching(/^[a-z ]{0,40}$/), { maxLength: 5 }),
          fc.array(fc.stringMatching(/^[a-z ]{0,40}$/), { maxLength: 5 }),
          ([line, verdict, window], before, after) => {
            const r = classify([...before, line, ...after], ctx);
            assert.equal(r.verdict, verdict);
            assert.equal(r.window, window);
          },
        ),
      );
    });
  });
});
