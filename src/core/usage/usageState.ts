// The persisted state of usage accounting: where each transcript was read up to, and the aggregates
// built from what was read before that. Both go into one file written atomically, so a restart never
// sees offsets without the totals they produced (or the other way round). A file that does not
// validate is reported and ignored: the transcripts are scanned again from the start.

import * as path from 'node:path';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { defaultFs, readRegularFile, writeFileAtomic, type FsOps } from '../accounts/fileOps';
import type { TailState } from '../sources/transcripts/transcriptTail';
import type { LedgerData } from './usageLedger';
import { describeError } from '../base/errors';

const count = z.number().check(z.gte(0));
const tokens = [count, count, count, count] as const;

export const UsageStateSchema = z.object({
  version: z.literal(1),
  configDir: z.string(),
  savedAt: z.number(),
  files: z.array(z.object({ path: z.string(), offset: count, ino: count, size: count })),
  minutes: z.array(z.tuple([z.number(), ...tokens])),
  daily: z.array(z.tuple([z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)), ...tokens])),
  seen: z.array(z.tuple([z.string(), z.number()])),
  timeline: z.array(z.object({ at: z.number(), key: z.string(), label: z.string() })),
  hits: z.array(z.object({ key: z.nullable(z.string()), window: z.enum(['fiveHour', 'weekly']), at: z.number(), resetsAt: z.number() })),
  warned: z.array(z.tuple([z.string(), z.number()])),
});
export type UsageState = z.infer<typeof UsageStateSchema>;

/** `<quota home>/usage/<hash of the config dir>.json`: one state per Claude Code config directory. */
export function usageStateFile(quotaHomeDir: string, configDir: string): string {
  const id = createHash('sha256').update(path.resolve(configDir)).digest('hex').slice(0, 12);
  return path.join(quotaHomeDir, 'usage', `state-${id}.json`);
}

export type LoadResult =
  | { readonly kind: 'loaded'; readonly files: readonly TailState[]; readonly ledger: LedgerData }
  | { readonly kind: 'missing' }
  /** Unreadable, invalid or for another config dir: the reason, for a warning. */
  | { readonly kind: 'invalid'; readonly reason: string };

export async function loadUsageState(file: string, configDir: string, fs: FsOps = defaultFs): Promise<LoadResult> {
  let snap;
  try {
    snap = await readRegularFile(fs, file);
  } catch (err) {
    return { kind: 'invalid', reason: describeError(err) };
  }
  if (snap === null) return { kind: 'missing' };
  let raw: unknown;
  try {
    raw = JSON.parse(snap.text);
  } catch {
    return { kind: 'invalid', reason: 'not valid JSON' };
  }
  const parsed = UsageStateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue !== undefined && issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return { kind: 'invalid', reason: `unexpected content at ${where}` };
  }
  const s = parsed.data;
  if (path.resolve(s.configDir) !== path.resolve(configDir)) return { kind: 'invalid', reason: `it belongs to ${s.configDir}` };
  return { kind: 'loaded', files: s.files, ledger: s };
}

export async function saveUsageState(file: string, configDir: string, files: readonly TailState[], ledger: LedgerData, now: number, fs: FsOps = defaultFs): Promise<void> {
  const state: UsageState = {
    version: 1,
    configDir,
    savedAt: now,
    files: files.map((f) => ({ path: f.path, offset: f.offset, ino: f.ino, size: f.size })),
    minutes: ledger.minutes.map((m) => [...m]),
    daily: ledger.daily.map((d) => [...d]),
    seen: ledger.seen.map((s) => [...s]),
    timeline: [...ledger.timeline],
    hits: [...ledger.hits],
    warned: ledger.warned.map((w) => [...w]),
  };
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(fs, file, JSON.stringify(state), { mode: 0o600 });
}
