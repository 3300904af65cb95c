// Schemas for everything the account layer reads. Loose objects keep unknown fields, so a value read
// and written back loses nothing Claude Code (or a newer version of it) put there.
import { z } from 'zod';

/** `claudeAiOauth` inside Claude Code's credentials (file or Keychain item). */
export const OauthTokensSchema = z.looseObject({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  expiresAt: z.number(),
  scopes: z.array(z.string()).optional(),
  subscriptionType: z.string().nullable().optional(),
  rateLimitTier: z.string().nullable().optional(),
});
export type OauthTokens = z.infer<typeof OauthTokensSchema>;

/** The whole credentials document; other top-level keys (e.g. MCP server logins) are kept as they are. */
export const CredentialsDocumentSchema = z.looseObject({
  claudeAiOauth: OauthTokensSchema.optional(),
});
export type CredentialsDocument = z.infer<typeof CredentialsDocumentSchema>;

/** `oauthAccount` inside `.claude.json`: the identity `/status` shows. */
export const OauthAccountSchema = z.looseObject({
  accountUuid: z.string().min(1),
  emailAddress: z.string().min(1),
  organizationUuid: z.string().nullable().optional(),
  organizationName: z.string().nullable().optional(),
  displayName: z.string().nullable().optional(),
});
export type OauthAccount = z.infer<typeof OauthAccountSchema>;

/** Only the key this layer touches is checked; the rest of the user's state is opaque. */
export const ClaudeJsonSchema = z.looseObject({
  oauthAccount: OauthAccountSchema.optional(),
});

export const LimitWindowSchema = z.string().min(1);

export const AccountStateSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('available') }),
  z.looseObject({ kind: z.literal('exhausted'), until: z.number(), window: LimitWindowSchema }),
  z.looseObject({ kind: z.literal('expired'), since: z.number().optional() }),
  z.looseObject({ kind: z.literal('invalid'), reason: z.string().optional() }),
]);
export type AccountState = z.infer<typeof AccountStateSchema>;

export const UsageWindowSchema = z.looseObject({
  /** 0–100. */
  usedPercent: z.number(),
  resetsAt: z.number().nullable().optional(),
});
export const UsageSnapshotSchema = z.looseObject({
  observedAt: z.number(),
  fiveHour: UsageWindowSchema.optional(),
  sevenDay: UsageWindowSchema.optional(),
});
export type UsageSnapshot = z.infer<typeof UsageSnapshotSchema>;

/** Non-secret metadata of one saved login. */
export const ProfileMetaSchema = z.looseObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  label: z.string().min(1),
  email: z.string(),
  accountUuid: z.string(),
  organizationUuid: z.string().nullable().optional(),
  organizationName: z.string().nullable().optional(),
  plan: z.string().nullable().optional(),
  rateLimitTier: z.string().nullable().optional(),
  /** Access-token expiry (ms since epoch) as last captured. */
  tokenExpiresAt: z.number().nullable().optional(),
  capturedAt: z.number(),
  oauthAccount: OauthAccountSchema,
  state: AccountStateSchema,
  usage: UsageSnapshotSchema.optional(),
});
export type ProfileMeta = z.infer<typeof ProfileMetaSchema>;

export const ProfilesDocumentSchema = z.looseObject({
  version: z.literal(1),
  profiles: z.array(ProfileMetaSchema),
});
export type ProfilesDocument = z.infer<typeof ProfilesDocumentSchema>;

/** The one secret stored per profile: the credentials as Claude Code keeps them. */
export const ProfileSecretSchema = z.looseObject({
  claudeAiOauth: OauthTokensSchema,
});
export type ProfileSecret = z.infer<typeof ProfileSecretSchema>;

/**
 * Describes validation issues by path and kind only. Zod messages are not used verbatim because some
 * of them quote the offending input, and the input may be a token.
 */
export function describeIssues(error: z.ZodError): string {
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
