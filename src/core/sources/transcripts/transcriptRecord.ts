// Claude Code session transcripts (<config>/projects/<slug>/<sessionId>.jsonl): the few line shapes we
// read and what each means for the account. Schemas are loose on purpose: Claude Code adds fields in
// every release, and a field of an unexpected type must cost us that field, never the whole line.

import * as z from 'zod/mini';
import type { DetectorSignal, ErrorKind } from '../../detection/detector';
import type { Classification, LimitWindow } from '../../detection/types';

/** An optional field that turns into undefined, instead of failing the line, when its type is wrong. */
function lenient<T extends z.ZodMiniType>(schema: T) {
  return z.catch(z.optional(schema), undefined);
}

// Built at the first line read, not when the module loads (a few milliseconds of start-up).
function buildSchemas() {
  const RateLimitInfoSchema = z.looseObject({
    status: lenient(z.string()),
    /** Unix seconds. */
    resetsAt: lenient(z.number()),
    rateLimitType: lenient(z.string()),
    isUsingOverage: lenient(z.boolean()),
    overageStatus: lenient(z.string()),
  });

  const UsageSchema = z.looseObject({
    input_tokens: lenient(z.number()),
    output_tokens: lenient(z.number()),
    cache_creation_input_tokens: lenient(z.number()),
    cache_read_input_tokens: lenient(z.number()),
  });

  const TextBlockSchema = z.looseObject({ type: lenient(z.string()), text: lenient(z.string()) });

  const MessageSchema = z.looseObject({
    id: lenient(z.string()),
    model: lenient(z.string()),
    role: lenient(z.string()),
    usage: lenient(UsageSchema),
    content: lenient(z.union([z.string(), z.array(z.unknown())])),
  });

  const common = {
    sessionId: lenient(z.string()),
    // Older and print-mode lines differ in which of the two spellings they carry.
    session_id: lenient(z.string()),
    cwd: lenient(z.string()),
    timestamp: lenient(z.string()),
    isSidechain: lenient(z.boolean()),
  };

  /** What identifies a transcript line: a JSON object with a string `type`. Anything else is malformed. */
  const TranscriptLineSchema = z.looseObject({ type: z.string() });

  const AssistantLineSchema = z.looseObject({
    ...common,
    type: z.literal('assistant'),
    message: lenient(MessageSchema),
    requestId: lenient(z.string()),
    isApiErrorMessage: lenient(z.boolean()),
    /** rate_limit | server_error | billing_error | authentication_failed | … */
    error: lenient(z.string()),
    /** "usage_limit_reached" on subscriber quota hits. */
    apiError: lenient(z.string()),
    apiErrorStatus: lenient(z.number()),
    apiErrorType: lenient(z.string()),
    quotaLimits: lenient(RateLimitInfoSchema),
    apiErrorParams: lenient(z.looseObject({ rate_limit_info: lenient(RateLimitInfoSchema) })),
  });

  const SystemLineSchema = z.looseObject({
    ...common,
    type: z.literal('system'),
    subtype: lenient(z.string()),
    content: lenient(z.string()),
  });

  return { RateLimitInfoSchema, TextBlockSchema, TranscriptLineSchema, AssistantLineSchema, SystemLineSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | null = null;
function schemas(): Schemas {
  built ??= buildSchemas();
  return built;
}

export type TranscriptLine = z.infer<Schemas['TranscriptLineSchema']>;
export type AssistantLine = z.infer<Schemas['AssistantLineSchema']>;
export type SystemLine = z.infer<Schemas['SystemLineSchema']>;
type RateLimitInfo = z.infer<Schemas['RateLimitInfoSchema']>;

/**
 * Byte strings at least one of which every line we interpret contains. A line without any of them is
 * skipped without JSON.parse, which is most of a transcript's bytes (tool results, attachments, request
 * blobs). `"assistant"` is the type/role value of assistant lines; `"informational"` the subtype of the
 * system line written on a quota hit.
 */
export const RELEVANT_MARKERS: readonly string[] = ['"assistant"', '"informational"'];

interface SignalBase {
  /** From the line; null when the line has none (the tail falls back to the file name). */
  readonly sessionId: string | null;
  readonly cwd: string | null;
  /** The line's timestamp (or the fallback time when it has none). */
  readonly at: Date;
  readonly requestId: string | null;
  /** A subagent's line: same account, same session. */
  readonly sidechain: boolean;
}

export interface QuotaSignal extends SignalBase {
  readonly kind: 'quota';
  readonly window: LimitWindow | null;
  readonly resetsAt: Date | null;
  /** resetsAt came from an epoch the API sent, not from text. */
  readonly exact: boolean;
  /** The raw rateLimitType (five_hour, seven_day_opus, overage, …), null when absent. */
  readonly rateLimitType: string | null;
  /** 'api-error': the failed turn itself; 'notice': the "Usage limit reached" line that follows a 5-hour style hit. */
  readonly origin: 'api-error' | 'notice';
  /** Text shown to the user, unique per failed request. */
  readonly evidence: string;
}

export interface ErrorSignal extends SignalBase {
  readonly kind: 'error';
  readonly verdict: ErrorKind;
  readonly status: number | null;
  readonly error: string | null;
  readonly evidence: string;
}

/** A normal assistant response: the account is serving requests. */
export interface ActivitySignal extends SignalBase {
  readonly kind: 'activity';
}

/**
 * Token usage of one assistant line. Claude Code writes one line per content block of a response, each
 * repeating the response's usage: accounting must count a (messageId, requestId) pair once.
 */
export interface UsageSignal extends SignalBase {
  readonly kind: 'usage';
  readonly model: string;
  readonly messageId: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheCreationTokens: number;
  readonly cacheReadTokens: number;
}

export type TranscriptSignal = QuotaSignal | ErrorSignal | ActivitySignal | UsageSignal;

/** rateLimitType (the API's representative claim) to our window. Unknown types keep the verdict, lose the window. */
export function windowForRateLimitType(type: string | undefined | null): LimitWindow | null {
  if (type === undefined || type === null) return null;
  if (type === 'five_hour') return 'five_hour';
  if (type === 'seven_day') return 'weekly';
  if (type.startsWith('seven_day_')) return 'weekly_model';
  if (type === 'overage') return 'extra_usage';
  return null;
}

const NO_SIGNALS: readonly TranscriptSignal[] = Object.freeze([]);

/**
 * What a parsed transcript line (the value of JSON.parse) says. Never throws: lines that are not
 * transcript lines, or say nothing about the account, give an empty array. A normal assistant line
 * gives activity followed by usage.
 */
export function interpretTranscriptLine(value: unknown, fallbackAt: Date = new Date()): readonly TranscriptSignal[] {
  const base = schemas().TranscriptLineSchema.safeParse(value);
  if (!base.success) return NO_SIGNALS;
  if (base.data.type === 'assistant') {
    const line = schemas().AssistantLineSchema.safeParse(value);
    return line.success ? interpretAssistant(line.data, fallbackAt) : NO_SIGNALS;
  }
  if (base.data.type === 'system') {
    const line = schemas().SystemLineSchema.safeParse(value);
    return line.success ? interpretSystem(line.data, fallbackAt) : NO_SIGNALS;
  }
  return NO_SIGNALS;
}

/** True when the value has the shape every transcript line has; the tail counts the rest as malformed. */
export function isTranscriptLine(value: unknown): boolean {
  return schemas().TranscriptLineSchema.safeParse(value).success;
}

function baseOf(line: AssistantLine | SystemLine, fallbackAt: Date, requestId: string | null): SignalBase {
  return {
    sessionId: line.sessionId ?? line.session_id ?? null,
    cwd: line.cwd ?? null,
    at: parseTimestamp(line.timestamp) ?? fallbackAt,
    requestId,
    sidechain: line.isSidechain === true,
  };
}

function interpretAssistant(line: AssistantLine, fallbackAt: Date): readonly TranscriptSignal[] {
  const base = baseOf(line, fallbackAt, line.requestId ?? null);
  const text = messageText(line.message?.content);
  if (line.isApiErrorMessage === true || line.error !== undefined) {
    const quota = quotaOf(line);
    if (quota !== null) {
      const window = windowForRateLimitType(quota.info?.rateLimitType);
      const resetsAt = epochToDate(quota.info?.resetsAt);
      return [
        {
          ...base,
          kind: 'quota',
          window,
          resetsAt,
          exact: resetsAt !== null,
          rateLimitType: quota.info?.rateLimitType ?? null,
          origin: 'api-error',
          evidence: withRequest(text ?? 'Usage limit reached', base.requestId),
        },
      ];
    }
    const verdict = errorKind(line.error, line.apiErrorStatus);
    if (verdict === null) return NO_SIGNALS;
    return [
      {
        ...base,
        kind: 'error',
        verdict,
        status: line.apiErrorStatus ?? null,
        error: line.error ?? null,
        evidence: withRequest(text ?? `API error ${line.error ?? line.apiErrorStatus ?? ''}`.trim(), base.requestId),
      },
    ];
  }
  const message = line.message;
  const usage = message?.usage;
  // Error lines carry model "<synthetic>" and zero usage; a real response names its model.
  if (message === undefined || usage === undefined || message.model === undefined || message.model === '<synthetic>') {
    return NO_SIGNALS;
  }
  return [
    { ...base, kind: 'activity' },
    {
      ...base,
      kind: 'usage',
      model: message.model,
      messageId: message.id ?? null,
      inputTokens: count(usage.input_tokens),
      outputTokens: count(usage.output_tokens),
      cacheCreationTokens: count(usage.cache_creation_input_tokens),
      cacheReadTokens: count(usage.cache_read_input_tokens),
    },
  ];
}

const USAGE_LIMIT_NOTICE = /^usage limit reached\b/i;

function interpretSystem(line: SystemLine, fallbackAt: Date): readonly TranscriptSignal[] {
  if (line.subtype !== 'informational' || line.content === undefined || !USAGE_LIMIT_NOTICE.test(line.content)) {
    return NO_SIGNALS;
  }
  const base = baseOf(line, fallbackAt, null);
  return [
    {
      ...base,
      kind: 'quota',
      window: null,
      resetsAt: null,
      exact: false,
      rateLimitType: null,
      origin: 'notice',
      evidence: line.content,
    },
  ];
}

/** A subscriber usage-limit hit: apiError says so, or the limit info the API sent says rejected. */
function quotaOf(line: AssistantLine): { info: RateLimitInfo | undefined } | null {
  const info = line.quotaLimits ?? line.apiErrorParams?.rate_limit_info;
  if (line.apiError === 'usage_limit_reached') return { info };
  if (info !== undefined && info.status === 'rejected' && line.error === 'rate_limit') return { info };
  return null;
}

function errorKind(error: string | undefined, status: number | undefined): ErrorKind | null {
  switch (error) {
    case 'rate_limit':
      // Without quota info a 429 is throttling (per-minute limits, API-key org limits), not a usage window.
      return 'throttle';
    case 'server_error':
      // 500 and 529 (overloaded) alike.
      return 'server';
    case 'authentication_failed':
      return 'auth';
    case 'billing_error':
      return 'billing';
  }
  if (status === undefined) return null;
  if (status === 429) return 'throttle';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 500) return 'server';
  // Other failures (prompt too long, invalid request, …) say nothing about the account.
  return null;
}

function messageText(content: string | readonly unknown[] | undefined): string | null {
  if (typeof content === 'string') return content.trim() === '' ? null : clip(content);
  if (content === undefined) return null;
  for (const block of content) {
    const b = schemas().TextBlockSchema.safeParse(block);
    if (b.success && b.data.type === 'text' && b.data.text !== undefined && b.data.text.trim() !== '') {
      return clip(b.data.text);
    }
  }
  return null;
}

function clip(text: string): string {
  const t = text.trim();
  return t.length > 300 ? `${t.slice(0, 299)}…` : t;
}

// The detector treats equal evidence text as a redraw of one message; two transcript lines never are.
function withRequest(text: string, requestId: string | null): string {
  return requestId === null ? text : `${text} · ${requestId}`;
}

function count(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : 0;
}

function parseTimestamp(ts: string | undefined): Date | null {
  if (ts === undefined) return null;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? null : new Date(ms);
}

function epochToDate(epoch: number | undefined): Date | null {
  if (epoch === undefined || !Number.isFinite(epoch) || epoch <= 0) return null;
  // The API sends seconds; a value this large can only be milliseconds.
  const ms = epoch > 1e11 ? epoch : epoch * 1000;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The core verdict for a quota signal. */
export function quotaToClassification(signal: QuotaSignal): Classification {
  return { verdict: 'quota', window: signal.window, resetsAt: signal.resetsAt, evidence: signal.evidence };
}

/** What the detector should observe for a transcript signal; null for usage, which is accounting only. */
export function toDetectorSignal(signal: TranscriptSignal): DetectorSignal | null {
  switch (signal.kind) {
    case 'quota':
      return {
        kind: 'classification',
        classification: quotaToClassification(signal),
        source: 'transcript',
        at: signal.at,
        exact: signal.exact && signal.resetsAt !== null,
      };
    case 'error':
      return {
        kind: 'classification',
        classification: { verdict: signal.verdict, window: null, resetsAt: null, evidence: signal.evidence },
        source: 'transcript',
        at: signal.at,
      };
    case 'activity':
      return { kind: 'activity', source: 'transcript', at: signal.at };
    case 'usage':
      return null;
  }
}
