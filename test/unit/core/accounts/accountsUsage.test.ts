import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { AccountManager } from '../../../../src/core/accounts/accountManager';
import { chooseNextAvailable } from '../../../../src/core/accounts/policy';
import { FileProfileStore } from '../../../../src/core/accounts/profileStore';
import { makeSandbox, removeSandbox, writeLogin, type Sandbox } from '../../../support/accountsFixtures';

describe('AccountManager.setUsage', () => {
  let sb: Sandbox;
  let store: FileProfileStore;
  let m: AccountManager;
  beforeEach(async () => {
    sb = makeSandbox('cqs-usage-');
    store = new FileProfileStore(sb.quotaHome);
    m = new AccountManager({ env: sb.env, store, stateDir: sb.quotaHome, platform: 'linux', settingsFiles: [path.join(sb.configDir, 'settings.json')], lockTimeoutMs: 2000 });
    writeLogin(sb, 'alpha');
    await m.add('alpha');
    writeLogin(sb, 'beta');
    await m.add('beta');
  });
  afterEach(() => removeSandbox(sb));

  it('stores the snapshot next to the state and feeds most-headroom', async () => {
    await m.setState('alpha', { kind: 'exhausted', until: 4_102_444_800_000, window: 'five_hour' });
    await m.setUsage('alpha', { observedAt: 1, fiveHour: { usedPercent: 90, resetsAt: 5 } });
    await m.setUsage('beta', { observedAt: 1, fiveHour: { usedPercent: 10, resetsAt: null } });
    const doc = await store.readMeta();
    const alpha = doc.profiles.find((p) => p.label === 'alpha');
    assert.equal(alpha?.usage?.fiveHour?.usedPercent, 90);
    assert.equal(alpha?.state.kind, 'exhausted', 'the state is kept');
    assert.equal(doc.profiles.find((p) => p.label === 'beta')?.usage?.fiveHour?.usedPercent, 10);
    // most-headroom prefers the account with the lower measured use.
    const now = Date.now();
    const choice = chooseNextAvailable(
      [
        { id: 'x', state: { kind: 'available' }, usage: { observedAt: now, fiveHour: { usedPercent: 70 } } },
        { id: 'y', state: { kind: 'available' }, usage: doc.profiles.find((p) => p.label === 'beta')?.usage },
      ],
      { strategy: 'most-headroom', now },
    );
    assert.equal(choice.id, 'y');
  });
});
