// Decides, from the rendered lines that changed in one screen update, whether Claude Code is
// showing a usage limit (or another reason the session cannot proceed).
//
// Only Claude Code's own status lines count. A status line is the whole row, optionally behind one
// of the glyphs Claude Code draws (`⎿`, `●`, `⏺`, `✻`, `⚠`, `✗`, `>`, `❯`, a dialog border), and its
// body must match an anchored template (classifierPatterns.ts). Diffs, numbered file views,
// code, shell output and prose fail either the content guards below or the anchoring.
//
// Precedence when one update holds several verdicts (highest first):
//   server (an explicit 5xx / overloaded / timeout / connection error)
//   > quota > billing > auth > throttle
//   > server from a bare "Retrying in Ns…" notice (it does not say what failed)
//   > warning.
// An explicit server error vetoes quota: a 529 whose body talks about rate limits, or a limit line
// redrawn while the API is failing, must not start a quota countdown; the next update without the
// server error decides. A bare retry notice, by contrast, is weaker than any concrete error in the
// same update (quota 429s are not retried, so a retry notice next to a limit line is left over
// from an earlier attempt); "API error · retrying in 1s · attempt 1/2" reads the same for 5xx and
// plain 429 retries, so it is such a bare notice. Among hits of the same rank, the one naming more
// wins (a reset time, then a window), then the first in screen order.
//
// Windows: the legacy "Claude AI usage limit reached|<epoch>" / "Claude usage limit reached. Your
// limit will reset at …" family dates from when the 5-hour window was the only one, so it reads as
// five_hour. Rows that name no window ("You've hit your limit", the footer "Usage limit reached ·
// limit resets …" with its "Continuing automatically at …" row, the menu) give null: auto-continue
// follows 5-hour, extra-usage and (once chosen in the menu) weekly limits alike.
//
// With an API key the usage 429 ends as "API Error: Request rejected (429)"; it carries no reset
// time we could count down to, so it is throttle, not quota. The retry notice before it
// ("5-hour limit reached · retrying in 1s (2pm) · attempt 1/2") does name window and reset: quota.
import {
  API_ERROR,
  HEAD_GATE,
  LEGACY_EPOCH,
  MAX_LINE_LENGTH,
  MENU_QUESTION,
  MENU_UPGRADE,
  LINE_GATE,
  RESET_HINT,
  TEMPLATES,
  classifyApiError,
  inferWindow,
} from './classifierPatterns';
import { parseResetTime } from './resetTime';
import { Classification, LimitWindow, NO_VERDICT, TimeContext, Verdict } from './types';

/** Numbered gutters of diffs and file views: "12 +  foo", "12 │ foo", "12:foo". */
const GUTTER = /^\d{1,6}(?:\s+[+\-│|:]|[│|:])/;
/** Glyphs Claude Code draws before its own rows (result marker, bullets, spinner frames, prompt). */
const MARKER = /^[⎿●⏺✻✽✶✳✢·⚠✗✘×>❯]\uFE0F?[\s\u00a0]*/;
const SPINNER = /^[✻✽✶✳✢·]/;
const SPINNER_RETRY = /\bretrying in \d{1,4}(?:\.\d{1,3})?\s*(?:s|secs?|seconds?|ms)\b/i;

const RANK_SERVER = 7;
const RANK_SOFT_SERVER = 2;
const RANK: Readonly<Record<Exclude<Verdict, 'none'>, number>> = {
  server: RANK_SERVER,
  quota: 6,
  billing: 5,
  auth: 4,
  throttle: 3,
  warning: 1,
};

interface Hit {
  readonly verdict: Exclude<Verdict, 'none'>;
  readonly rank: number;
  readonly window: LimitWindow | null;
  readonly index: number;
  readonly body: string;
  readonly evidence: string;
}

/**
 * The body of a row if it has the shape of a Claude Code status row, else null.
 * Diff rows (`+`/`-`) and numbered gutters are content whatever they say.
 */
function statusBody(line: string): { body: string; spinner: boolean } | null {
  let s = line.trim();
  if (s.length === 0) return null;
  const c = s.charCodeAt(0);
  if (c === 0x2b || c === 0x2d) return null;
  if (c >= 0x30 && c <= 0x39 && GUTTER.test(s)) return null;
  if (s.length > 1 && s.startsWith('│') && s.endsWith('│')) s = s.slice(1, -1).trim();
  let spinner = false;
  for (let i = 0; i < 2; i++) {
    const m = MARKER.exec(s);
    if (m === null) break;
    spinner ||= SPINNER.test(m[0]);
    s = s.slice(m[0].length);
  }
  return { body: s, spinner };
}

interface LineVerdict {
  readonly verdict: Exclude<Verdict, 'none'>;
  readonly window: LimitWindow | null;
  readonly soft: boolean;
}

function classifyBody(body: string, spinner: boolean): LineVerdict | null {
  if (!HEAD_GATE.test(body)) {
    // Spinner rows carry the retry notice inside their parenthesised status.
    return spinner && SPINNER_RETRY.test(body) ? { verdict: 'server', window: null, soft: true } : null;
  }
  if (API_ERROR.test(body)) {
    const hit = classifyApiError(body);
    return hit === null ? null : { verdict: hit.verdict, window: hit.window, soft: hit.soft === true };
  }
  for (const tpl of TEMPLATES) {
    const m = tpl.re.exec(body);
    if (m === null) continue;
    const window = tpl.window === 'infer' ? inferWindow(m[0]) : tpl.window;
    return { verdict: tpl.verdict, window, soft: tpl.soft === true };
  }
  // Spinner rows carry the retry notice inside their parenthesised status.
  if (spinner && SPINNER_RETRY.test(body)) return { verdict: 'server', window: null, soft: true };
  return null;
}

function safeParse(text: string, ctx: TimeContext): Date | null {
  try {
    const d = parseResetTime(text, ctx);
    return d !== null && !Number.isNaN(d.getTime()) ? d : null;
  } catch {
    return null;
  }
}

/** Reset time from the deciding row, else from one of the next two rows (e.g. a "resets …" row). */
function resetFor(lines: readonly string[], hit: Hit, ctx: TimeContext): Date | null {
  const own = safeParse(hit.body, ctx);
  if (own !== null) return own;
  const epoch = LEGACY_EPOCH.exec(hit.body);
  if (epoch !== null) return new Date(Number(epoch[1]) * 1000);
  for (const next of followingBodies(lines, hit.index)) {
    if (!RESET_HINT.test(next)) continue;
    const d = safeParse(next, ctx);
    if (d !== null) return d;
  }
  return null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * How far ahead a window's reset can lie, with slack for rounding in the text. A reset beyond it is
 * a misreading (a row read while half drawn, "resets Nov 2" of "Nov 25", rolls into next year) and
 * counts as no reset time: a wrong countdown is worse than the fallback.
 */
const HORIZON_MS: Readonly<Record<LimitWindow, number>> = {
  five_hour: 6 * HOUR_MS,
  weekly: 8 * DAY_MS,
  weekly_model: 8 * DAY_MS,
  extra_usage: 32 * DAY_MS,
  spend: 32 * DAY_MS,
};

function plausible(reset: Date | null, window: LimitWindow | null, now: Date): Date | null {
  if (reset === null) return null;
  const horizon = window === null ? 32 * DAY_MS : HORIZON_MS[window];
  return reset.getTime() - now.getTime() > horizon ? null : reset;
}

/** Rows following a limit row, as status bodies (the reset or auto-continue notice may sit there). */
function followingBodies(lines: readonly string[], index: number): string[] {
  const out: string[] = [];
  for (let j = index + 1; j <= index + 2 && j < lines.length; j++) {
    if (lines[j].length > MAX_LINE_LENGTH) continue;
    const row = statusBody(lines[j]);
    if (row !== null) out.push(row.body);
  }
  return out;
}

function better(a: Hit, b: Hit, resetOf: (h: Hit) => Date | null): Hit {
  if (a.rank !== b.rank) return a.rank > b.rank ? a : b;
  const score = (h: Hit): number => (resetOf(h) !== null ? 2 : 0) + (h.window !== null ? 1 : 0);
  const sa = score(a);
  const sb = score(b);
  if (sa !== sb) return sa > sb ? a : b;
  return a.index <= b.index ? a : b;
}

export function classify(lines: readonly string[], ctx: TimeContext): Classification {
  let hits: Hit[] | null = null;
  let menuQuestion = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length > MAX_LINE_LENGTH || !LINE_GATE.test(line)) continue;
    const row = statusBody(line);
    if (row === null) continue;
    if (MENU_QUESTION.test(row.body)) {
      menuQuestion = true;
      continue;
    }
    const c = classifyBody(row.body, row.spinner);
    if (c === null) continue;
    (hits ??= []).push({
      verdict: c.verdict,
      rank: c.soft ? RANK_SOFT_SERVER : RANK[c.verdict],
      window: c.window,
      index: i,
      body: row.body,
      evidence: line.trim(),
    });
  }
  if (menuQuestion && !(hits ?? []).some((h) => h.verdict === 'quota')) {
    // "Upgrade your plan" only means a reached limit inside the /rate-limit-options menu.
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.length > MAX_LINE_LENGTH) continue;
      const row = statusBody(line);
      if (row !== null && MENU_UPGRADE.test(row.body)) {
        (hits ??= []).push({ verdict: 'quota', rank: RANK.quota, window: null, index: i, body: row.body, evidence: line.trim() });
        break;
      }
    }
  }
  if (hits === null || hits.length === 0) return NO_VERDICT;

  const resets = new Map<Hit, Date | null>();
  const resetOf = (h: Hit): Date | null => {
    if (h.verdict !== 'quota' && h.verdict !== 'warning') return null;
    if (!resets.has(h)) resets.set(h, plausible(resetFor(lines, h, ctx), h.window, ctx.now));
    return resets.get(h) ?? null;
  };
  let best = hits[0];
  for (let k = 1; k < hits.length; k++) best = better(best, hits[k], resetOf);
  return { verdict: best.verdict, window: best.window, resetsAt: resetOf(best), evidence: best.evidence };
}
