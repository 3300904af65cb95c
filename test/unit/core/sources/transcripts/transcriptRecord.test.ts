import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES } from '../../../../support/paths';
import { QuotaDetector, type DetectorEvent } from '../../../../../src/core/detection/detector';
import {
  interpretTranscriptLine,
  quotaToClassification,
  toDetectorSignal,
  windowForRateLimitType,
  type QuotaSignal,
  type TranscriptSignal,
} from '../../../../../src/core/sources/transcripts/transcriptRecord';

const TRANSCRIPTS = path.join(FIXTURES, 'transcripts');
const RECORDINGS = path.join(FIXTURES, 'recordings');

interface Recording {
  readonly scenario: string;
  readonly mode: string;
  readonly expected: { readonly verdict: string; readonly window: string | null; readonly resetsAt: string | null };
  readonly resetsAtEpoch: number | null;
}

function signalsOf(name: string): { signals: TranscriptSignal[]; sessionIds: Set<string> } {
  const signals: TranscriptSignal[] = [];
  const sessionIds = new Set<string>();
  for (const line of fs.readFileSync(path.join(TRANSCRIPTS, `${name}.jsonl`), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const value = JSON.parse(line) as { sessionId?: string };
    if (value.sessionId !== undefined) sessionIds.add(value.sessionId);
    signals.push(...interpretTranscriptLine(value));
  }
  return { signals, sessionIds };
}

const scenarios = fs
  .readdirSync(TRANSCRIPTS)
  .filter((f) => f.endsWith('.jsonl'))
  .map((f) => f.slice(0, -'.jsonl'.length));

describe('transcript records (real Claude Code 2.1.330 transcripts)', () => {
  it('has a recording for every transcript', () => {
    assert.ok(scenarios.length >= 18);
    for (const s of scenarios) assert.ok(fs.existsSync(path.join(RECORDINGS, `${s}.json`)), s);
  });

  for (const scenario of scenarios) {
    it(`${scenario}: signals match the recording`, () => {
      const rec = JSON.parse(fs.readFileSync(path.join(RECORDINGS, `${scenario}.json`), 'utf8')) as Recording;
      const { signals, sessionIds } = signalsOf(scenario);
      assert.equal(sessionIds.size, 1);
      const [sessionId] = [...sessionIds];
      for (const s of signals) {
        assert.equal(s.sessionId, sessionId);
        assert.equal(s.cwd, '/tmp/claude-quota-recording/project');
        assert.ok(!Number.isNaN(s.at.getTime()));
      }
      const quota = signals.filter((s): s is QuotaSignal => s.kind === 'quota');
      const errors = signals.filter((s) => s.kind === 'error');
      const activity = signals.filter((s) => s.kind === 'activity');
      const usage = signals.filter((s) => s.kind === 'usage');

      if (rec.expected.verdict === 'quota' && rec.mode !== 'api-key') {
        const exact = quota.filter((q) => q.origin === 'api-error');
        assert.equal(exact.length, 1);
        const q = exact[0];
        assert.ok(rec.resetsAtEpoch !== null);
        assert.equal(q.resetsAt?.getTime(), rec.resetsAtEpoch * 1000);
        assert.equal(q.resetsAt?.toISOString(), rec.expected.resetsAt);
        assert.equal(q.window, rec.expected.window);
        assert.equal(q.exact, true);
        assert.match(q.requestId ?? '', /^req_/);
        assert.equal(errors.length + activity.length + usage.length, 0);
        // Only limits that arm Claude Code's auto-continue write the informational notice.
        const notices = quota.filter((x) => x.origin === 'notice');
        for (const n of notices) {
          assert.equal(n.resetsAt, null);
          assert.match(n.evidence, /^Usage limit reached · set to continue automatically at /);
        }
        assert.equal(notices.length, ['five_hour', 'five_hour_minutes', 'overage'].includes(scenario) ? 1 : 0);
      } else if (rec.mode === 'api-key' && rec.expected.verdict === 'quota') {
        // An API-key 429 carries no quota info: from the transcript it is throttling.
        assert.equal(quota.length, 0);
        assert.deepEqual(
          errors.map((e) => e.kind === 'error' && e.verdict),
          ['throttle'],
        );
      } else if (['server', 'auth', 'billing', 'throttle'].includes(rec.expected.verdict)) {
        assert.equal(quota.length, 0);
        assert.equal(errors.length, 1);
        const e = errors[0];
        assert.ok(e.kind === 'error');
        assert.equal(e.verdict, rec.expected.verdict);
        assert.equal(activity.length + usage.length, 0);
      } else {
        // success, warning, warning_weekly: a normal response, no limit in the transcript.
        assert.equal(quota.length + errors.length, 0);
        assert.equal(activity.length, 1);
        assert.equal(usage.length, 1);
        const u = usage[0];
        assert.ok(u.kind === 'usage');
        assert.equal(u.model, 'claude-opus-5-5');
        assert.equal(u.inputTokens, 12);
        assert.equal(u.outputTokens, 9);
        assert.equal(u.cacheCreationTokens, 0);
        assert.equal(u.cacheReadTokens, 0);
        assert.match(u.requestId ?? '', /^req_/);
        assert.match(u.messageId ?? '', /^msg_/);
        // activity comes first so the detector clears before accounting sees the usage
        assert.equal(signals.indexOf(activity[0]) < signals.indexOf(u), true);
      }
    });
  }

  it('server errors: 500 and 529 both map to server', () => {
    for (const name of ['server_error', 'overloaded']) {
      const e = signalsOf(name).signals.find((s) => s.kind === 'error');
      assert.ok(e?.kind === 'error');
      assert.equal(e.verdict, 'server');
      assert.equal(e.status, name === 'server_error' ? 500 : 529);
    }
  });

  it('maps rate limit types to windows', () => {
    assert.equal(windowForRateLimitType('five_hour'), 'five_hour');
    assert.equal(windowForRateLimitType('seven_day'), 'weekly');
    assert.equal(windowForRateLimitType('seven_day_opus'), 'weekly_model');
    assert.equal(windowForRateLimitType('seven_day_sonnet'), 'weekly_model');
    assert.equal(windowForRateLimitType('overage'), 'extra_usage');
    assert.equal(windowForRateLimitType('something_new'), null);
    assert.equal(windowForRateLimitType(undefined), null);
  });

  it('a quota hit blocks the detector with the exact epoch', () => {
    const { signals } = signalsOf('seven_day_opus');
    const d = new QuotaDetector();
    const events: DetectorEvent[] = [];
    d.onEvent((e) => events.push(e));
    for (const s of signals) {
      const ds = toDetectorSignal(s);
      if (ds !== null) d.observe('s', ds);
    }
    const blocked = events.find((e) => e.type === 'blocked');
    assert.ok(blocked?.type === 'blocked');
    assert.equal(blocked.resetsAt.getTime(), 1795609800 * 1000);
    assert.equal(blocked.window, 'weekly_model');
    assert.equal(blocked.resetEstimated, false);
    assert.equal(d.sessionView('s')?.block?.exact, true);
    const q = signals.find((s): s is QuotaSignal => s.kind === 'quota');
    assert.ok(q);
    assert.deepEqual(quotaToClassification(q), { verdict: 'quota', window: 'weekly_model', resetsAt: q.resetsAt, evidence: q.evidence });
  });

  it('usage is accounting only; activity clears a block', () => {
    const { signals } = signalsOf('success');
    const usage = signals.find((s) => s.kind === 'usage');
    const activity = signals.find((s) => s.kind === 'activity');
    assert.ok(usage && activity);
    assert.equal(toDetectorSignal(usage), null);
    assert.deepEqual(toDetectorSignal(activity), { kind: 'activity', source: 'transcript', at: activity.at });
  });

  it('tolerates odd shapes without throwing', () => {
    const odd: unknown[] = [
      null,
      42,
      'x',
      [],
      {},
      { type: 1 },
      { type: 'assistant' },
      { type: 'assistant', message: 'nope' },
      { type: 'assistant', message: { model: 'm', usage: { input_tokens: 'many' } } },
      { type: 'assistant', isApiErrorMessage: true, error: 'rate_limit', quotaLimits: 'x', apiError: 'usage_limit_reached' },
      { type: 'assistant', isApiErrorMessage: true, error: 'invalid_request', apiErrorStatus: 400 },
      { type: 'system', subtype: 'informational', content: 5 },
      { type: 'system', subtype: 'turn_duration', durationMs: 3 },
    ];
    const results = odd.map((v) => interpretTranscriptLine(v, new Date(0)));
    // usage with a non-numeric count keeps the line and counts 0
    const u = results[8].find((s) => s.kind === 'usage');
    assert.ok(u?.kind === 'usage');
    assert.equal(u.inputTokens, 0);
    // quota without limit info: still quota, unknown window and reset
    const q = results[9][0];
    assert.ok(q.kind === 'quota');
    assert.equal(q.window, null);
    assert.equal(q.resetsAt, null);
    assert.equal(toDetectorSignal(q)?.kind, 'classification');
    assert.deepEqual(results[10], []);
    assert.equal(results[6].length, 0);
    assert.equal(results[0].length + results[4].length + results[5].length + results[12].length, 0);
  });
});
