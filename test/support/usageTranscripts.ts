// Transcript lines for usage tests and the bench, built from the real Claude Code 2.1.330 lines in
// test/fixtures/transcripts (same fields and order; only ids, times, model and token counts change).

import * as fs from 'node:fs';
import * as path from 'node:path';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/transcripts');

function fixtureLines(name: string): string[] {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8').split('\n').filter((l) => l.trim() !== '');
}

const SUCCESS = fixtureLines('success.jsonl');
const ASSISTANT_TEMPLATE = SUCCESS.find((l) => l.includes('"type":"assistant"')) ?? '';
const LIMIT_TEMPLATE = fixtureLines('five_hour.jsonl').find((l) => l.includes('"isApiErrorMessage":true')) ?? '';
/** Every other line of a real session (user prompt, attachments, request shapes, mode lines). */
export const FILLER_LINES: readonly string[] = SUCCESS.filter((l) => !l.includes('"type":"assistant"'));

export interface ResponseSpec {
  readonly at: Date | number;
  readonly messageId: string;
  readonly requestId: string;
  readonly input?: number;
  readonly output?: number;
  readonly cacheCreation?: number;
  readonly cacheRead?: number;
  readonly model?: string;
  readonly sessionId?: string;
  readonly text?: string;
}

/** One assistant line of a response, as Claude Code writes it (once per content block). */
export function assistantLine(spec: ResponseSpec): string {
  const v = JSON.parse(ASSISTANT_TEMPLATE) as {
    message: { id: string; model: string; content: { type: string; text: string }[]; usage: Record<string, unknown> };
    requestId: string;
    timestamp: string;
    sessionId: string;
    session_id: string;
  };
  v.message.id = spec.messageId;
  v.message.model = spec.model ?? v.message.model;
  if (spec.text !== undefined) v.message.content = [{ type: 'text', text: spec.text }];
  v.message.usage.input_tokens = spec.input ?? 0;
  v.message.usage.output_tokens = spec.output ?? 0;
  v.message.usage.cache_creation_input_tokens = spec.cacheCreation ?? 0;
  // The breakdown by cache lifetime sums to the total, as in real lines (the template asks for 1 h caching).
  v.message.usage.cache_creation = { ephemeral_1h_input_tokens: spec.cacheCreation ?? 0, ephemeral_5m_input_tokens: 0 };
  v.message.usage.cache_read_input_tokens = spec.cacheRead ?? 0;
  v.requestId = spec.requestId;
  v.timestamp = new Date(spec.at).toISOString();
  if (spec.sessionId !== undefined) {
    v.sessionId = spec.sessionId;
    v.session_id = spec.sessionId;
  }
  return JSON.stringify(v);
}

/** The synthetic assistant line of a usage-limit hit, with the API's reset epoch. */
export function limitLine(at: Date | number, resetsAt: Date | number, rateLimitType = 'five_hour', requestId = 'req_limit'): string {
  const v = JSON.parse(LIMIT_TEMPLATE) as {
    timestamp: string;
    requestId: string;
    apiErrorParams: { rate_limit_info: { resetsAt: number; rateLimitType: string } };
    quotaLimits: { resetsAt: number; rateLimitType: string };
  };
  const epoch = Math.floor(new Date(resetsAt).getTime() / 1000);
  v.timestamp = new Date(at).toISOString();
  v.requestId = requestId;
  v.apiErrorParams.rate_limit_info.resetsAt = epoch;
  v.apiErrorParams.rate_limit_info.rateLimitType = rateLimitType;
  v.quotaLimits.resetsAt = epoch;
  v.quotaLimits.rateLimitType = rateLimitType;
  return JSON.stringify(v);
}
