// The switch journal. Two files cannot be replaced atomically together, so a switch records its intent
// (hashes of the old and new credentials, old and new identity; no secrets) before the first rename.
// Whoever next takes the locks finds the journal and finishes or undoes the half-done switch.
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { AccountError } from './errors';
import { FsOps, fsyncDir, readRegularFile, writeFileAtomic } from './fileOps';
import { accountSchemas, describeIssues } from './schemas';

const buildJournalSchema = () => {
  const { OauthAccountSchema } = accountSchemas();
  return z.looseObject({
    version: z.literal(1),
    txid: z.string(),
    pid: z.number(),
    startedAt: z.number(),
    /** `credentials-written` is recorded right after the credentials rename. */
    phase: z.enum(['prepared', 'credentials-written']),
    credentialsLocation: z.string(),
    claudeJsonFile: z.string(),
    oldCredentialsSha256: z.nullable(z.string()),
    newCredentialsSha256: z.string(),
    oldOauthAccount: z.nullable(OauthAccountSchema),
    newOauthAccount: OauthAccountSchema,
    targetProfileId: z.string(),
    backupPrefix: z.nullable(z.string()),
  });
};
let journalSchema: ReturnType<typeof buildJournalSchema> | null = null;

/** Built at its first use, as the account schemas are. */
export const JournalSchema = {
  safeParse: (value: unknown) => (journalSchema ??= buildJournalSchema()).safeParse(value),
};
export type Journal = z.infer<ReturnType<typeof buildJournalSchema>>;

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function journalPath(stateDir: string, configDir: string): string {
  return path.join(stateDir, `switch-journal-${sha256(configDir).slice(0, 8)}.json`);
}

export async function readJournal(fs: FsOps, file: string): Promise<Journal | null> {
  const snap = await readRegularFile(fs, file);
  if (!snap) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(snap.text);
  } catch {
    // Written atomically, so a torn journal means someone else wrote it: do not act on it.
    throw new AccountError('malformed', `${file} is not valid JSON; inspect and remove it`);
  }
  const res = JournalSchema.safeParse(raw);
  if (!res.success) throw new AccountError('malformed', `${file} has unexpected content (${describeIssues(res.error)})`);
  return res.data;
}

export async function writeJournal(fs: FsOps, file: string, j: Journal): Promise<void> {
  await writeFileAtomic(fs, file, JSON.stringify(j, null, 2) + '\n', { mode: 0o600 });
}

export async function removeJournal(fs: FsOps, file: string): Promise<void> {
  await fs.unlink(file).catch(() => undefined);
  await fsyncDir(fs, path.dirname(file));
}
