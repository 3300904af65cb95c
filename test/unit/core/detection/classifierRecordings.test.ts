// Classifies the final screens recorded from the real Claude Code CLI and compares with the
// verdict recorded next to each screen.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES } from '../../../support/paths';
import { classify } from '../../../../src/core/detection/classifier';

const DIR = path.join(FIXTURES, 'recordings');

interface Recording {
  readonly timeZone?: string;
  readonly recordedAt?: string | number;
  readonly expected?: { readonly verdict?: string; readonly window?: string | null; readonly resetsAt?: string | number | null };
}

/**
 * Recordings whose recorded expectation comes from the HTTP headers the mock sent, which the
 * screen does not show. The screen verdict for them is pinned here instead, with the reason.
 */
const SCREEN_ONLY: Readonly<Record<string, { readonly verdict: string; readonly window: null; readonly resetsAt: null; readonly why: string }>> = {
  api_key_five_hour: {
    verdict: 'throttle',
    window: null,
    resetsAt: null,
    why: 'with an API key the usage 429 renders as "API Error: Request rejected (429)" with no window or reset; throttle by design',
  },
};

function toDate(v: string | number | null | undefined): Date | null {
  if (v === null || v === undefined) return null;
  // Numbers below 1e12 are unix seconds.
  const d = typeof v === 'number' ? new Date(v < 1e12 ? v * 1000 : v) : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function scenarios(): string[] {
  if (!fs.existsSync(DIR)) return [];
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.json') && fs.existsSync(path.join(DIR, f.replace(/\.json$/, '.txt'))))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

describe('classify on recordings of the real CLI', () => {
  const names = scenarios();
  it('has the recordings of every family', () => {
    assert.ok(names.length >= 15, `only ${names.length} recordings in ${DIR}`);
  });
  for (const name of names) {
    const pinned = SCREEN_ONLY[name];
    it(pinned === undefined ? name : `${name} (screen shows: ${pinned.verdict}; ${pinned.why})`, () => {
      const meta = JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as Recording;
      const lines = fs
        .readFileSync(path.join(DIR, `${name}.txt`), 'utf8')
        .split('\n')
        .map((l) => l.trimEnd());
      const now = toDate(meta.recordedAt) ?? new Date();
      const r = classify(lines, { now, timeZone: meta.timeZone ?? 'UTC' });
      const expected = SCREEN_ONLY[name] ?? meta.expected ?? {};
      assert.equal(r.verdict, expected.verdict ?? 'none', `verdict (evidence: ${r.evidence ?? '-'})`);
      if (expected.window !== undefined) assert.equal(r.window, expected.window, `window (evidence: ${r.evidence ?? '-'})`);
      if (expected.resetsAt !== undefined) {
        const want = toDate(expected.resetsAt);
        if (want === null) {
          assert.equal(r.resetsAt, null, 'resetsAt');
        } else {
          assert.ok(r.resetsAt !== null, `resetsAt is null (evidence: ${r.evidence ?? '-'})`);
          assert.equal(Math.floor(r.resetsAt.getTime() / 60000), Math.floor(want.getTime() / 60000), `resetsAt ${r.resetsAt.toISOString()} vs ${want.toISOString()}`);
        }
      }
    });
  }
});
