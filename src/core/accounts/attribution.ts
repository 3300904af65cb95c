// Whose tokens are live. `.claude.json` names an identity, the credentials hold tokens, and the two
// can disagree (a login in progress, another account's tokens under the previous identity), so the
// identity alone never decides where the outgoing tokens are saved. Identity is account plus
// organisation: one email in two organisations is two profiles.
//
// The ledger remembers, per config dir, the identity and a hash of the refresh token last seen live
// by us (captured, or put live by a switch), and while a switch is under way the login it puts live
// (`pending`), so a switch killed part way leaves a record that fits whichever login it left. A live
// refresh token we have not seen is a refresh by Claude Code only when the ledger shows this
// identity's tokens were the last we saw live.
import * as path from 'node:path';
import * as z from 'zod/mini';
import { FsOps, ensurePrivateDir, readRegularFile, writeFileAtomic } from './fileOps';
import { sha256 } from './journal';
import type { OauthAccount, OauthTokens, ProfileMeta } from './schemas';

const EntrySchema = z.object({
  accountUuid: z.string(),
  organizationUuid: z.nullable(z.string()),
  /** Newest first: the refresh tokens seen live for this identity lately (a kill between two writes leaves either). */
  refreshTokenSha256s: z.array(z.string()),
  at: z.number(),
});
type LedgerEntry = z.infer<typeof EntrySchema>;
const LedgerSchema = z.object({
  version: z.literal(1),
  current: EntrySchema,
  pending: z.optional(EntrySchema),
});
export type LiveLedger = z.infer<typeof LedgerSchema>;

export function ledgerPath(stateDir: string, configDir: string): string {
  return path.join(stateDir, `live-login-${sha256(configDir).slice(0, 8)}.json`);
}

export async function readLedger(fs: FsOps, file: string): Promise<LiveLedger | null> {
  try {
    const snap = await readRegularFile(fs, file);
    if (!snap) return null;
    const res = LedgerSchema.safeParse(JSON.parse(snap.text));
    return res.success ? res.data : null;
  } catch {
    return null; // unreadable: as if never written; attribution then asks for more evidence
  }
}

const HASHES_KEPT = 4;

/** An entry for the login, keeping the hashes `before` had for the same identity. */
function entryOf(account: OauthAccount, tokens: OauthTokens, now: number, before: LedgerEntry | undefined): LedgerEntry {
  const hash = sha256(tokens.refreshToken);
  const older = before && sameIdentity(before, account) ? before.refreshTokenSha256s.filter((h) => h !== hash) : [];
  return { accountUuid: account.accountUuid, organizationUuid: account.organizationUuid ?? null, refreshTokenSha256s: [hash, ...older].slice(0, HASHES_KEPT), at: now };
}

async function saveLedger(fs: FsOps, file: string, ledger: LiveLedger): Promise<void> {
  try {
    await ensurePrivateDir(fs, path.dirname(file));
    await writeFileAtomic(fs, file, JSON.stringify(ledger) + '\n', { mode: 0o600, durable: false });
  } catch {
    // Best effort: a lost record only makes the next attribution stricter.
  }
}

/** Records the login now live (captured, or a switch that landed). */
export async function recordLive(fs: FsOps, file: string, account: OauthAccount, tokens: OauthTokens, now: number): Promise<void> {
  const before = await readLedger(fs, file);
  const same = [before?.pending, before?.current].find((e) => e !== undefined && sameIdentity(e, account));
  await saveLedger(fs, file, { version: 1, current: entryOf(account, tokens, now, same) });
}

/** Records, before a switch writes anything, the login it is about to put live. */
export async function recordPending(fs: FsOps, file: string, account: OauthAccount, tokens: OauthTokens, now: number): Promise<void> {
  const before = await readLedger(fs, file);
  const pending = entryOf(account, tokens, now, before?.current);
  await saveLedger(fs, file, { version: 1, current: before?.current ?? pending, pending });
}

export function sameIdentity(a: { accountUuid: string; organizationUuid?: string | null }, b: { accountUuid: string; organizationUuid?: string | null }): boolean {
  return a.accountUuid === b.accountUuid && (a.organizationUuid ?? null) === (b.organizationUuid ?? null);
}

export type Attribution = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface AttributionInput {
  readonly profile: ProfileMeta;
  /** The profile's saved tokens, null when unreadable. */
  readonly saved: OauthTokens | null;
  readonly live: OauthTokens;
  readonly liveAccount: OauthAccount;
  readonly ledger: LiveLedger | null;
  /** Saved tokens of the other profiles, by label (shown escaped by the caller). */
  readonly others: ReadonlyArray<{ readonly label: string; readonly tokens: OauthTokens | null }>;
}

/** Whether the live tokens may be saved over `profile`. */
export function attributeLiveTokens(input: AttributionInput): Attribution {
  const { saved, live, ledger, profile } = input;
  if (saved && (saved.refreshToken === live.refreshToken || saved.accessToken === live.accessToken)) return { ok: true };
  const owner = input.others.find((o) => o.tokens && (o.tokens.refreshToken === live.refreshToken || o.tokens.accessToken === live.accessToken));
  if (owner) return { ok: false, reason: `they are the saved tokens of "${owner.label}"` };
  const planMatches =
    (saved?.subscriptionType ?? null) === (live.subscriptionType ?? null) && (saved?.rateLimitTier ?? null) === (live.rateLimitTier ?? null);
  if (!planMatches) return { ok: false, reason: 'their plan is not the one saved with it' };
  if (ledger === null) {
    // Nothing recorded yet (profiles saved by an earlier release): the identity and the plan agree.
    return { ok: true };
  }
  const seen = [ledger.current, ...(ledger.pending ? [ledger.pending] : [])].filter((e) => sameIdentity(e, profile));
  const hashes = new Set([sha256(live.refreshToken), ...(saved ? [sha256(saved.refreshToken)] : [])]);
  if (seen.some((e) => e.refreshTokenSha256s.some((h) => hashes.has(h)))) return { ok: true }; // Claude Code refreshed what we last saw live
  return {
    ok: false,
    reason: seen.length > 0 ? 'they are not a refresh of the tokens last seen live for it' : 'the last login seen live was another account',
  };
}
