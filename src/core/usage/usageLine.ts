// What one transcript line means for token accounting: the usage of a response, or a usage-limit hit
// with the exact reset the API sent. Only the fields accounting needs are validated; a field of the
// wrong type costs that field (or the line's usage), never the scan.

import * as z from 'zod/mini';
import { interpretTranscriptLine } from '../sources/transcripts/transcriptRecord';
import type { LimitWindow } from '../detection/types';

function lenient<T extends z.ZodMiniType>(schema: T) {
  return z.catch(z.optional(schema), undefined);
}

// Plain (stripping) objects: nothing is written back, and copying the unknown keys of every line
// would triple the validation cost.
const TokensSchema = z.object({
  input_tokens: lenient(z.number()),
  output_tokens: lenient(z.number()),
  cache_creation_input_tokens: lenient(z.number()),
  cache_read_input_tokens: lenient(z.number()),
});

const UsageLineSchema = z.object({
  type: z.literal('assistant'),
  timestamp: lenient(z.string()),
  requestId: lenient(z.string()),
  isApiErrorMessage: lenient(z.boolean()),
  error: lenient(z.unknown()),
  message: lenient(
    z.object({
      id: lenient(z.string()),
      model: lenient(z.string()),
      usage: lenient(TokensSchema),
    }),
  ),
});

/** Token counts of one response (Claude Code repeats them on every content-block line of it). */
export interface UsageEntry {
  readonly kind: 'usage';
  /** Line timestamp, ms since epoch. */
  readonly at: number;
  /** `messageId:requestId`, the key a response is counted once by; null when either is missing. */
  readonly dedupeKey: string | null;
  readonly model: string;
  readonly input: number;
  readonly output: number;
  readonly cacheCreation: number;
  readonly cacheRead: number;
}

/** A usage-limit hit written into the transcript, with the API's reset epoch. */
export interface LimitEntry {
  readonly kind: 'limit';
  readonly at: number;
  readonly window: LimitWindow;
  /** ms since epoch. */
  readonly resetsAt: number;
}

/** A response whose token counts cannot be real (negative, not finite, beyond any context window). */
export interface RejectedEntry {
  readonly kind: 'rejected';
}

export type UsageLineResult = UsageEntry | LimitEntry | RejectedEntry;

/**
 * The most tokens one field of one response can hold: far beyond any context window, far below what
 * would overflow a sum. A line beyond it is rejected whole, so one poisoned line never makes a
 * total infinite (and the saved state invalid).
 */
export const MAX_TOKENS_PER_FIELD = 100_000_000;

/** Byte markers of the lines accounting reads: every response and every error is an assistant line. */
export const USAGE_MARKERS: readonly string[] = ['"assistant"'];

const NONE: readonly UsageLineResult[] = Object.freeze([]);
const REJECTED: readonly UsageLineResult[] = Object.freeze([{ kind: 'rejected' } as const]);

/** Interprets one parsed transcript line for accounting. Never throws. */
export function interpretUsageLine(value: unknown, fallbackAt: Date): readonly UsageLineResult[] {
  const parsed = UsageLineSchema.safeParse(value);
  if (!parsed.success) return NONE;
  const line = parsed.data;
  if (line.isApiErrorMessage === true || line.error !== undefined) {
    // Rare lines: the full interpretation finds quota hits and their exact resets.
    const out: UsageLineResult[] = [];
    for (const s of interpretTranscriptLine(value, fallbackAt)) {
      if (s.kind === 'quota' && s.window !== null && s.resetsAt !== null && s.exact) {
        out.push({ kind: 'limit', at: s.at.getTime(), window: s.window, resetsAt: s.resetsAt.getTime() });
      }
    }
    return out;
  }
  const message = line.message;
  const usage = message?.usage;
  // Error placeholders carry model "<synthetic>" and zero usage.
  if (message === undefined || usage === undefined || message.model === undefined || message.model === '<synthetic>') return NONE;
  const fields = [usage.input_tokens, usage.output_tokens, usage.cache_creation_input_tokens, usage.cache_read_input_tokens];
  if (fields.some((n) => n !== undefined && !(Number.isFinite(n) && n >= 0 && n <= MAX_TOKENS_PER_FIELD))) return REJECTED;
  const ms = line.timestamp === undefined ? Number.NaN : Date.parse(line.timestamp);
  return [
    {
      kind: 'usage',
      at: Number.isNaN(ms) ? fallbackAt.getTime() : ms,
      dedupeKey: message.id !== undefined && line.requestId !== undefined ? `${message.id}:${line.requestId}` : null,
      model: message.model,
      input: count(usage.input_tokens),
      output: count(usage.output_tokens),
      cacheCreation: count(usage.cache_creation_input_tokens),
      cacheRead: count(usage.cache_read_input_tokens),
    },
  ];
}

function count(n: number | undefined): number {
  return n !== undefined && n > 0 ? Math.floor(n) : 0;
}
