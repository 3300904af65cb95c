// The VS Code profile store with in-memory stand-ins for SecretStorage and Memento (plain Node).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { AccountManager } from '../../../../src/core/accounts/accountManager';
import { AccountError } from '../../../../src/core/accounts/errors';
import { profileSecretKey } from '../../../../src/core/accounts/profileStore';
import { ProfilesDocument } from '../../../../src/core/accounts/schemas';
import { MementoLike, PROFILES_MEMENTO_KEY, SecretProfileStore, SecretStorageLike } from '../../../../src/extension/accounts/secretProfileStore';
import { SECRET_PATTERN, Sandbox, accountFor, makeSandbox, removeSandbox, tokensFor, writeLogin } from '../../../support/accountsFixtures';

class FakeSecrets implements SecretStorageLike {
  readonly map = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.map.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
}

// Like VS Code's globalState: values are kept as JSON, and `update(key, undefined)` removes the key.
class FakeMemento {
  readonly map = new Map<string, string>();
  get<T>(key: string): T | undefined;
  get<T>(key: string, defaultValue: T): T;
  get<T>(key: string, defaultValue?: T): T | undefined {
    const text = this.map.get(key);
    return text === undefined ? defaultValue : (JSON.parse(text) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, JSON.stringify(value));
  }
}

function makeStore(): { store: SecretProfileStore; secrets: FakeSecrets; memento: FakeMemento } {
  const secrets = new FakeSecrets();
  const memento = new FakeMemento();
  const m: MementoLike = memento;
  return { store: new SecretProfileStore({ secrets, memento: m }), secrets, memento };
}

function sampleDoc(): ProfilesDocument {
  return {
    version: 1,
    profiles: [
      {
        id: 'abc123',
        label: 'work',
        email: 'alpha@example.test',
        accountUuid: accountFor('alpha').accountUuid,
        plan: 'max',
        tokenExpiresAt: 4_102_444_800_000,
        capturedAt: 1,
        oauthAccount: accountFor('alpha'),
        state: { kind: 'available' },
      },
    ],
  };
}

describe('SecretProfileStore', () => {
  it('starts empty', async () => {
    const { store } = makeStore();
    assert.deepEqual(await store.readMeta(), { version: 1, profiles: [] });
    assert.equal(await store.readSecret(profileSecretKey('nope')), undefined);
  });

  it('round-trips metadata through the memento and secrets through SecretStorage', async () => {
    const { store, secrets, memento } = makeStore();
    const doc = sampleDoc();
    await store.writeMeta(doc);
    assert.deepEqual(await store.readMeta(), doc);
    assert.ok(memento.map.has(PROFILES_MEMENTO_KEY));

    const key = profileSecretKey('abc123');
    const secret = JSON.stringify({ claudeAiOauth: tokensFor('alpha') });
    await store.writeSecret(key, secret);
    assert.equal(await store.readSecret(key), secret);
    assert.deepEqual([...secrets.map.keys()], ['claude-quota.profile.abc123.credentials']);
  });

  it('returns copies: changing what readMeta gave back does not change the stored metadata', async () => {
    const { store } = makeStore();
    await store.writeMeta(sampleDoc());
    const read = await store.readMeta();
    read.profiles[0]!.label = 'changed';
    assert.equal((await store.readMeta()).profiles[0]?.label, 'work');
  });

  it('deletes secrets (and deleting a missing one is fine)', async () => {
    const { store, secrets } = makeStore();
    const key = profileSecretKey('abc123');
    await store.writeSecret(key, JSON.stringify({ claudeAiOauth: tokensFor('alpha') }));
    await store.deleteSecret(key);
    assert.equal(await store.readSecret(key), undefined);
    assert.equal(secrets.map.size, 0);
    await store.deleteSecret(key);
  });

  it('refuses metadata that carries a secret field', async () => {
    const { store, memento } = makeStore();
    const doc = sampleDoc();
    (doc.profiles[0] as Record<string, unknown>)['claudeAiOauth'] = tokensFor('alpha');
    await assert.rejects(store.writeMeta(doc), (err: unknown) => err instanceof AccountError && err.code === 'malformed' && !SECRET_PATTERN.test(err.message));
    assert.equal(memento.map.size, 0);
  });

  it('rejects damaged metadata with a message that quotes none of it', async () => {
    const { store, memento } = makeStore();
    await memento.update(PROFILES_MEMENTO_KEY, { version: 1, profiles: [{ label: 'test-access-alpha-1' }] });
    await assert.rejects(store.readMeta(), (err: unknown) => err instanceof AccountError && err.code === 'malformed' && !SECRET_PATTERN.test(err.message));
  });

  it('remembers the token values it loaded or saved, for log redaction', async () => {
    const { store, secrets } = makeStore();
    await store.writeSecret(profileSecretKey('a'), JSON.stringify({ claudeAiOauth: tokensFor('alpha') }));
    secrets.map.set(profileSecretKey('b'), JSON.stringify({ claudeAiOauth: tokensFor('beta') }));
    await store.readSecret(profileSecretKey('b'));
    assert.deepEqual(new Set(store.knownSecretValues()), new Set(['test-access-alpha-1', 'test-refresh-alpha-1', 'test-access-beta-1', 'test-refresh-beta-1']));
    for (let i = 0; i < 100; i++) await store.writeSecret(profileSecretKey('a'), JSON.stringify({ claudeAiOauth: tokensFor('alpha', i) }));
    assert.ok(store.knownSecretValues().length <= 64, 'bounded');
    assert.ok(store.knownSecretValues().includes('test-access-alpha-99'), 'keeps the newest');
  });

  describe('behind the AccountManager', () => {
    let sb: Sandbox;
    beforeEach(() => {
      sb = makeSandbox('cqs-secretstore-');
    });
    afterEach(() => removeSandbox(sb));

    it('adds and switches with tokens only in SecretStorage, never in the metadata', async () => {
      const { store, secrets, memento } = makeStore();
      const manager = new AccountManager({ env: sb.env, store, stateDir: sb.quotaHome, platform: 'linux', settingsFiles: [], lockTimeoutMs: 10_000 });
      writeLogin(sb, 'alpha');
      await manager.add('alpha');
      writeLogin(sb, 'beta');
      await manager.add('beta');
      const r = await manager.switchTo('alpha');
      assert.equal(r.changed, true);
      assert.equal((JSON.parse(fs.readFileSync(sb.credentialsFile, 'utf8')) as { claudeAiOauth: { accessToken: string } }).claudeAiOauth.accessToken, 'test-access-alpha-1');

      const views = await manager.list();
      assert.deepEqual(views.map((v) => [v.label, v.active]), [['alpha', true], ['beta', false]]);
      const metaText = [...memento.map.values()].join('\n');
      assert.doesNotMatch(metaText, SECRET_PATTERN);
      assert.doesNotMatch(metaText, /accessToken|refreshToken/);
      assert.equal(secrets.map.size, 2);
      const stored = [...secrets.map.values()].map((s) => (JSON.parse(s) as { claudeAiOauth: { accessToken: string } }).claudeAiOauth.accessToken).sort();
      assert.deepEqual(stored, ['test-access-alpha-1', 'test-access-beta-1']);

      await manager.remove('beta');
      assert.equal(secrets.map.size, 1);
      assert.deepEqual((await store.readMeta()).profiles.map((p) => p.label), ['alpha']);
    });
  });
});
