// Schemas for everything the account layer reads. Loose objects keep unknown fields, so a value read
// and written back loses nothing Claude Code (or a newer version of it) put there.
import * as z from 'zod/mini';
import { AccountError } from './errors';

// The schemas are built at their first use, not when the module loads: building them takes a few
// milliseconds that the extension's start-up need not spend.
function buildSchemas() {
  /** A non-empty string. */
  const nonEmpty = (): z.ZodMiniString => z.string().check(z.minLength(1));

  /** `claudeAiOauth` inside Claude Code's credentials (file or Keychain item). */
  const OauthTokensSchema = z.looseObject({
    accessToken: nonEmpty(),
    refreshToken: nonEmpty(),
    expiresAt: z.number(),
    scopes: z.optional(z.array(z.string())),
    subscriptionType: z.optional(z.nullable(z.string())),
    rateLimitTier: z.optional(z.nullable(z.string())),
  });

  /** The whole credentials document; other top-level keys (e.g. MCP server logins) are kept as they are. */
  const CredentialsDocumentSchema = z.looseObject({
    claudeAiOauth: z.optional(OauthTokensSchema),
  });

  /** `oauthAccount` inside `.claude.json`: the identity `/status` shows. */
  const OauthAccountSchema = z.looseObject({
    accountUuid: nonEmpty(),
    emailAddress: nonEmpty(),
    organizationUuid: z.optional(z.nullable(z.string())),
    organizationName: z.optional(z.nullable(z.string())),
    displayName: z.optional(z.nullable(z.string())),
  });

  /** Only the key this layer touches is checked; the rest of the user's state is opaque. */
  const ClaudeJsonSchema = z.looseObject({
    oauthAccount: z.optional(OauthAccountSchema),
  });

  const LimitWindowSchema = nonEmpty();

  const AccountStateSchema = z.discriminatedUnion('kind', [
    z.looseObject({ kind: z.literal('available') }),
    z.looseObject({ kind: z.literal('exhausted'), until: z.number(), window: LimitWindowSchema }),
    z.looseObject({ kind: z.literal('expired'), since: z.optional(z.number()) }),
    z.looseObject({ kind: z.literal('invalid'), reason: z.optional(z.string()) }),
  ]);

  const UsageWindowSchema = z.looseObject({
    /** 0–100. */
    usedPercent: z.number(),
    resetsAt: z.optional(z.nullable(z.number())),
  });
  const UsageSnapshotSchema = z.looseObject({
    observedAt: z.number(),
    fiveHour: z.optional(UsageWindowSchema),
    sevenDay: z.optional(UsageWindowSchema),
  });

  /** Non-secret metadata of one saved login. */
  const ProfileMetaSchema = z.looseObject({
    id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
    label: nonEmpty(),
    email: z.string(),
    accountUuid: z.string(),
    organizationUuid: z.optional(z.nullable(z.string())),
    organizationName: z.optional(z.nullable(z.string())),
    plan: z.optional(z.nullable(z.string())),
    rateLimitTier: z.optional(z.nullable(z.string())),
    /** Access-token expiry (ms since epoch) as last captured. */
    tokenExpiresAt: z.optional(z.nullable(z.number())),
    capturedAt: z.number(),
    oauthAccount: OauthAccountSchema,
    state: AccountStateSchema,
    usage: z.optional(UsageSnapshotSchema),
  });

  const ProfilesDocumentSchema = z.looseObject({
    version: z.literal(1),
    profiles: z.array(ProfileMetaSchema),
  });

  /** The one secret stored per profile: the credentials as Claude Code keeps them. */
  const ProfileSecretSchema = z.looseObject({
    claudeAiOauth: OauthTokensSchema,
  });

  return {
    OauthTokensSchema,
    CredentialsDocumentSchema,
    OauthAccountSchema,
    ClaudeJsonSchema,
    LimitWindowSchema,
    AccountStateSchema,
    UsageWindowSchema,
    UsageSnapshotSchema,
    ProfileMetaSchema,
    ProfilesDocumentSchema,
    ProfileSecretSchema,
  };
}

type Built = ReturnType<typeof buildSchemas>;
let built: Built | null = null;

/** The schemas themselves, for composing them into others (built at the first call). */
export function accountSchemas(): Built {
  built ??= buildSchemas();
  return built;
}

/** parse/safeParse of one schema, which is built (with all the others) at the first call. */
function lazy<K extends keyof Built>(key: K): Pick<Built[K], 'parse' | 'safeParse'> {
  return {
    parse: ((value: unknown) => accountSchemas()[key].parse(value)) as Built[K]['parse'],
    safeParse: ((value: unknown) => accountSchemas()[key].safeParse(value)) as Built[K]['safeParse'],
  };
}

export const OauthTokensSchema = lazy('OauthTokensSchema');
export const CredentialsDocumentSchema = lazy('CredentialsDocumentSchema');
export const OauthAccountSchema = lazy('OauthAccountSchema');
export const ClaudeJsonSchema = lazy('ClaudeJsonSchema');
export const LimitWindowSchema = lazy('LimitWindowSchema');
export const AccountStateSchema = lazy('AccountStateSchema');
export const UsageWindowSchema = lazy('UsageWindowSchema');
export const UsageSnapshotSchema = lazy('UsageSnapshotSchema');
export const ProfileMetaSchema = lazy('ProfileMetaSchema');
export const ProfilesDocumentSchema = lazy('ProfilesDocumentSchema');
export const ProfileSecretSchema = lazy('ProfileSecretSchema');

export type OauthTokens = z.infer<Built['OauthTokensSchema']>;
export type CredentialsDocument = z.infer<Built['CredentialsDocumentSchema']>;
export type OauthAccount = z.infer<Built['OauthAccountSchema']>;
export type AccountState = z.infer<Built['AccountStateSchema']>;
export type UsageSnapshot = z.infer<Built['UsageSnapshotSchema']>;
export type ProfileMeta = z.infer<Built['ProfileMetaSchema']>;
export type ProfilesDocument = z.infer<Built['ProfilesDocumentSchema']>;
export type ProfileSecret = z.infer<Built['ProfileSecretSchema']>;

/**
 * Describes validation issues by path and kind only. Zod messages are not used verbatim because some
 * of them quote the offending input, and the input may be a token.
 */
export function describeIssues(error: z.core.$ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    switch (issue.code) {
      case 'invalid_type':
        return `${where}: expected ${issue.expected}`;
      case 'too_small':
        return `${where}: empty or too small`;
      case 'invalid_value':
      case 'invalid_union':
        return `${where}: unexpected value`;
      case 'invalid_format':
        return `${where}: bad format`;
      default:
        return `${where}: ${issue.code}`;
    }
  });
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return parts.join('; ') + more;
}

/** What `parseValidated` needs of a schema (any of the lazy ones above). */
export interface Validator {
  safeParse(value: unknown): { success: true } | { success: false; error: z.core.$ZodError };
}

/**
 * Parses `text` as JSON and validates it. Returns the parsed value itself, not the schema output, so
 * key order and unknown fields survive a read and write back. Errors name `where` (and what was kept,
 * in `outcome`, e.g. "; nothing was changed"), never a value.
 */
export function parseValidated<T>(text: string, schema: Validator, where: string, outcome = ''): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AccountError('malformed', `${where} is not valid JSON${outcome}`);
  }
  const res = schema.safeParse(raw);
  if (!res.success) throw new AccountError('malformed', `${where} has unexpected content (${describeIssues(res.error)})${outcome}`);
  return raw as T;
}
