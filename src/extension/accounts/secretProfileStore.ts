// Profiles in VS Code: each profile's credentials under its own key in SecretStorage (the OS
// keyring), the non-secret metadata in globalState. Only the two narrow interfaces below are used,
// so the store runs in plain Node tests with in-memory fakes.
import type * as vscode from 'vscode';
import { AccountError } from '../../core/accounts/errors';
import { ProfileSecretKey, ProfileStore, emptyProfiles, parseProfilesDocument } from '../../core/accounts/profileStore';
import { ProfilesDocument } from '../../core/accounts/schemas';

export type SecretStorageLike = Pick<vscode.SecretStorage, 'get' | 'store' | 'delete'>;
export type MementoLike = Pick<vscode.Memento, 'get' | 'update'>;

/** globalState key of the metadata document (never synced: setKeysForSync is not called for it). */
export const PROFILES_MEMENTO_KEY = 'claude-quota.profiles';

// Field names that hold secrets; metadata containing one is refused rather than persisted in plain storage.
const SECRET_FIELDS = new Set(['accessToken', 'refreshToken', 'claudeAiOauth', 'access_token', 'refresh_token', 'apiKey', 'idToken']);
// Token values remembered for log redaction; tokens rotate, so keep only the most recent ones.
const MAX_KNOWN_SECRETS = 64;

export class SecretProfileStore implements ProfileStore {
  readonly description = "VS Code's secret storage";
  private readonly secrets: SecretStorageLike;
  private readonly memento: MementoLike;
  private readonly seen = new Set<string>();

  constructor(deps: { secrets: SecretStorageLike; memento: MementoLike }) {
    this.secrets = deps.secrets;
    this.memento = deps.memento;
  }

  async readMeta(): Promise<ProfilesDocument> {
    const value = this.memento.get<unknown>(PROFILES_MEMENTO_KEY);
    if (value === undefined) return emptyProfiles();
    // Validates and deep-copies: callers may mutate the result, the memento's copy must not change.
    return parseProfilesDocument(JSON.stringify(value), 'The saved account list in VS Code global state');
  }

  async writeMeta(doc: ProfilesDocument): Promise<void> {
    const field = findSecretField(doc);
    if (field) throw new AccountError('malformed', `Refusing to save account metadata that contains a secret field (${field})`);
    await this.memento.update(PROFILES_MEMENTO_KEY, structuredClone(doc));
  }

  async readSecret(key: ProfileSecretKey): Promise<string | undefined> {
    const value = await this.secrets.get(key);
    if (value !== undefined) this.remember(value);
    return value;
  }

  async writeSecret(key: ProfileSecretKey, value: string): Promise<void> {
    this.remember(value);
    await this.secrets.store(key, value);
  }

  async deleteSecret(key: ProfileSecretKey): Promise<void> {
    await this.secrets.delete(key);
  }

  /** Runs `fn` directly: the accounts controller already queues every account operation of this window. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  /** Token values this store has loaded or saved, for the logger's redaction. */
  knownSecretValues(): readonly string[] {
    return [...this.seen];
  }

  private remember(secretJson: string): void {
    let tokens: unknown;
    try {
      tokens = (JSON.parse(secretJson) as { claudeAiOauth?: unknown }).claudeAiOauth;
    } catch {
      return; // the manager reports malformed secrets itself
    }
    if (!tokens || typeof tokens !== 'object') return;
    for (const name of ['accessToken', 'refreshToken'] as const) {
      const v = (tokens as Record<string, unknown>)[name];
      if (typeof v !== 'string' || v.length === 0) continue;
      this.seen.delete(v);
      this.seen.add(v);
    }
    while (this.seen.size > MAX_KNOWN_SECRETS) {
      const oldest = this.seen.values().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
  }
}

/** Path of the first key anywhere in `value` that names a secret, or undefined. */
function findSecretField(value: unknown, at = ''): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findSecretField(value[i], `${at}[${i}]`);
      if (hit) return hit;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const where = at ? `${at}.${k}` : k;
      if (SECRET_FIELDS.has(k)) return where;
      const hit = findSecretField(v, where);
      if (hit) return hit;
    }
  }
  return undefined;
}
