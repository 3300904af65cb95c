// Templates for Claude Code's own status lines. Every template is anchored at the start of the
// line body (after the marker glyph is removed), so wording that merely appears inside content
// (code, diffs, grep output, prose) does not match. Quantifiers are bounded to keep matching linear.
import { LimitWindow, Verdict } from './types';

/** Lines longer than this are content (status lines are short); they are never examined. */
export const MAX_LINE_LENGTH = 300;

const APOS = "['’‘ʼ`]";
const YOUVE = `you(?:${APOS}ve| have)`;
const YOURE = `you(?:${APOS}re| are)`;

/** Words that may qualify "limit" in Claude Code's limit lines (and only those: "context limit" is not quota). */
const QUALIFIER =
  '(?:claude|ai|usage|(?:5|five)[- ]?h(?:(?:ou)?rs?)?|session|weekly|(?:7|seven)[- ]day|opus|sonnet|haiku|model|extra|spend|monthly|daily|plan|subscription|pro|max|\\d{1,2}(?:\\.\\d{1,2})?)';
const QUALIFIERS = (min: number): string => `(?:${QUALIFIER}\\s+){${min},5}`;

/**
 * What may follow a status head: end of line, a separator (`·`, `∙`, `•`, `|`, dashes, sentence
 * punctuation) or a reset / hint phrase. A comma or running prose does not qualify, which keeps
 * "You've hit your limit, so I will…" out.
 */
const TAIL =
  '(?=$|\\s*[·∙•|\\-–—.!:;(\\/]|\\s+(?:resets?\\b|until\\b|try\\b|please\\b|and\\b|continu|upgrade|switch|wait))';

/** How any template (or "API Error", or the menu question) can start; kept tight so few content rows get past. */
export const HEAD_WORDS = `(?:${[
  '(?:5|five)[- ]?h',
  '(?:7|seven)[- ]day',
  '\\d{1,3}(?:\\.\\d{1,2})?\\s*%',
  '[1-9]\\.\\s*(?:stop|upgrade)',
  'a(?:i|pi|pproaching|ccess|uthentication)\\b',
  'c(?:laude|onnection|redit)\\b',
  '(?:daily|extra|haiku|limit reached|max|missing|model|monthly|opus|sonnet|spend|subscription|session|weekly|plan|pro)\\b',
  'i(?:nvalid|nsufficient|nternal)\\b',
  'n(?:ot logged|ow using)\\b',
  'o(?:verloaded|auth)\\b',
  'p(?:lease run /login|ayment\\b)',
  'r(?:ate[- ]limit|equest (?:rejected|timed)|etrying|un /login)',
  's(?:erver is|top and wait)\\b',
  't(?:emporarily|he (?:api|server)|imed out|oo many|oken)\\b',
  'u(?:sage|nable to|pgrade your)\\b',
  'what do',
  `you(?:${APOS}(?:ve|re)| have| are)\\b`,
  'your (?:oauth|access|token|credit)\\b',
].join('|')})`;

/** Rows whose body starts otherwise skip the template table. */
export const HEAD_GATE = new RegExp(`^${HEAD_WORDS}`, 'i');

/**
 * The cheap gate every row passes first: the same first words seen from the raw row (indent, dialog
 * border, up to two marker glyphs), or a spinner row. Being anchored, it costs a few characters per
 * row instead of a scan of the whole row, whatever the row says.
 */
export const LINE_GATE = new RegExp(
  `^[\\s\\u00a0]*(?:│[\\s\\u00a0]*)?(?:[⎿●⏺⚠✗✘×>❯]\\uFE0F?[\\s\\u00a0]*){0,2}(?:[✻✽✶✳✢·]|${HEAD_WORDS})`,
  'i',
);

export interface Template {
  readonly re: RegExp;
  readonly verdict: Exclude<Verdict, 'none'>;
  /** Fixed window, or 'infer' to read it from the matched head. */
  readonly window: LimitWindow | null | 'infer';
  /** Weak evidence that a stronger verdict in the same update overrides (see classifier.ts). */
  readonly soft?: boolean;
}

const t = (src: string, verdict: Template['verdict'], window: Template['window'], soft = false): Template => ({
  re: new RegExp(src, 'i'),
  verdict,
  window,
  soft,
});

/** Ordered: the first template that matches a line decides that line. */
export const TEMPLATES: readonly Template[] = [
  // Model fallback must be tried before the quota "X limit reached" family it resembles.
  t(
    `^${QUALIFIERS(0)}limit reached\\s*[,·∙•\\-–—:;.]?\\s*(?:(?:now|automatically)\\s+)?(?:using|switching to|switched to|falling back to)\\s+\\S`,
    'warning',
    'infer',
  ),

  // Legacy wording from the single 5-hour window era, incl. "Claude AI usage limit reached|<epoch>".
  t(`^claude(?:\\s+(?:ai|pro|max|team|enterprise))?\\s+usage limit reached${TAIL}`, 'quota', 'five_hour'),
  t(`^${QUALIFIERS(1)}limit (?:reached|exceeded|hit)${TAIL}`, 'quota', 'infer'),
  t(`^${YOUVE} (?:hit|reached) (?:your|the) ${QUALIFIERS(0)}limits?${TAIL}`, 'quota', 'infer'),
  t(`^${YOUVE} (?:used up|exhausted|run out of|used all(?: of)?) your ${QUALIFIERS(0)}(?:limit|usage|allowance)${TAIL}`, 'quota', 'infer'),
  t(`^${YOURE} out of (?:extra usage|usage credits)${TAIL}`, 'quota', 'extra_usage'),
  t(`^${YOURE} out of ${QUALIFIERS(0)}usage${TAIL}`, 'quota', 'infer'),
  // The /rate-limit-options menu; its wait option is specific to a reached limit.
  t('^(?:\\d\\.\\s*)?stop and wait for (?:the |your )?(?:usage )?limit to reset\\b', 'quota', null),

  // Warnings: approaching a limit.
  t(`^approaching (?:your |the )?${QUALIFIERS(0)}limits?${TAIL}`, 'warning', 'infer'),
  t(`^${YOUVE} used (?:\\d{1,3}(?:\\.\\d{1,2})?\\s*%|most|nearly all|almost all) of your ${QUALIFIERS(0)}(?:limit|usage|allowance)${TAIL}`, 'warning', 'infer'),
  t(`^\\d{1,3}(?:\\.\\d{1,2})?\\s*% of (?:your |the )?${QUALIFIERS(0)}limit(?:\\s+used)?${TAIL}`, 'warning', 'infer'),
  t(`^(?:${YOURE} )?now using extra usage${TAIL}`, 'warning', 'extra_usage'),

  // Throttling that is not the account's usage limit.
  t('^(?:server is )?temporarily limiting requests\\b', 'throttle', null),
  t(`^rate[- ]limit(?:ed| reached| exceeded)${TAIL}`, 'throttle', null),
  t('^request rejected \\(429\\)', 'throttle', null),
  t(`^too many requests${TAIL}`, 'throttle', null),

  // Server side.
  t(`^(?:(?:the )?(?:api|server) is )?overloaded${TAIL}`, 'server', null),
  t(`^(?:request )?timed out${TAIL}`, 'server', null),
  t(`^connection (?:error|refused|reset)${TAIL}`, 'server', null),
  t('^unable to connect to (?:the )?(?:anthropic )?api\\b', 'server', null),
  t(`^internal server error${TAIL}`, 'server', null),
  // A bare retry notice does not say what failed; stronger evidence in the same update wins.
  t('^retrying(?: in \\d{1,4}(?:\\.\\d{1,3})?\\s*(?:s|secs?|seconds?|ms)\\b|…|\\.\\.\\.)', 'server', null, true),

  // Authentication.
  t('^(?:your )?(?:oauth )?(?:access )?token (?:has )?(?:expired|been revoked|is (?:invalid|expired|revoked))', 'auth', null),
  t('^oauth token revoked\\b', 'auth', null),
  t(`^not logged in${TAIL}`, 'auth', null),
  t(`^(?:invalid|missing) api key${TAIL}`, 'auth', null),
  t(`^authentication (?:error|failed|required)${TAIL}`, 'auth', null),
  t('^(?:please )?run /login\\b', 'auth', null),

  // Billing.
  t(`^(?:your )?credit balance (?:is )?too low${TAIL}`, 'billing', null),
  t(`^insufficient (?:credits?|balance|funds)${TAIL}`, 'billing', null),
  t(`^payment required${TAIL}`, 'billing', null),
];

/** "API Error…" lines carry the HTTP status and error type; they are classified by code first. */
export const API_ERROR = /^api error\b/i;
const API_STATUS = /^api error\s*[:(]?\s*(?:[a-z ]{0,30}\()?\s*([1-5]\d\d)\b/i;
const API_STATUS_PAREN = /\(([1-5]\d\d)\)/;

export interface ApiErrorHit {
  readonly verdict: Exclude<Verdict, 'none'>;
  readonly window: LimitWindow | null;
  readonly soft?: boolean;
}

export function classifyApiError(body: string): ApiErrorHit | null {
  const lower = body.toLowerCase();
  // Console spend caps: "You have reached your specified API usage limits. You will regain access on …".
  if (/reached your (?:specified )?(?:api |workspace )?usage limits?|regain access/.test(lower)) {
    return { verdict: 'quota', window: 'spend' };
  }
  const m = API_STATUS.exec(body) ?? API_STATUS_PAREN.exec(body);
  const code = m ? Number(m[1]) : 0;
  if (code >= 500) return { verdict: 'server', window: null };
  if (code === 429) return { verdict: 'throttle', window: null };
  if (code === 401 || code === 403) return { verdict: 'auth', window: null };
  if (code === 402) return { verdict: 'billing', window: null };
  // Checked before the server words: this throttle's text goes on about trying again later.
  if (/temporarily limiting requests|not your usage limit/.test(lower)) return { verdict: 'throttle', window: null };
  if (/overloaded|"api_error"|internal server error|timed? ?out|connection|econn|socket hang up|fetch failed|network|service unavailable|bad gateway/.test(lower)) {
    return { verdict: 'server', window: null };
  }
  if (/credit balance|billing_error|insufficient credit|payment required/.test(lower)) return { verdict: 'billing', window: null };
  if (/authentication|oauth|invalid api key|x-api-key|token (?:has )?(?:expired|been revoked)|permission_error|not logged in|\/login/.test(lower)) {
    return { verdict: 'auth', window: null };
  }
  if (/rate[ _-]?limit|too many requests/.test(lower)) return { verdict: 'throttle', window: null };
  // "API error · retrying in 1s · attempt 1/2" looks the same for 5xx and plain 429 retries.
  if (/retrying/.test(lower)) return { verdict: 'server', window: null, soft: true };
  return null;
}

/** The /rate-limit-options menu question; its "Upgrade your plan" option counts only next to it. */
export const MENU_QUESTION = /^what do you want to do\??$/i;
export const MENU_UPGRADE = /^(?:\d\.\s*)?upgrade your plan\b/i;

/** A following row that may carry the reset time of a limit line above it. */
export const RESET_HINT = /\b(?:resets?|reset at|continu\w* automatically|try again|regain|available again)\b/i;

/** Legacy "…limit reached|<unix seconds>". */
export const LEGACY_EPOCH = /\|\s*(\d{10})\b/;



export function inferWindow(text: string): LimitWindow | null {
  const s = text.toLowerCase();
  if (/extra usage|overage|usage credits/.test(s)) return 'extra_usage';
  if (/spend|monthly/.test(s)) return 'spend';
  if (/opus|sonnet|haiku|model/.test(s)) return 'weekly_model';
  if (/week|(?:7|seven)[- ]day/.test(s)) return 'weekly';
  if (/(?:5|five)[- ]?h|session/.test(s)) return 'five_hour';
  return null;
}
