import * as assert from 'node:assert/strict';
import { chooseNextAvailable, effectiveState, PolicyCandidate } from '../../../../src/core/accounts/policy';
import { AccountStateSchema, ProfilesDocumentSchema } from '../../../../src/core/accounts/schemas';

const NOW = 1_800_000_000_000;
const H = 3_600_000;

const cands: PolicyCandidate[] = [
  { id: 'a', state: { kind: 'available' }, usage: { observedAt: NOW, fiveHour: { usedPercent: 80, resetsAt: NOW + 4 * H } } },
  { id: 'b', state: { kind: 'exhausted', until: NOW + H, window: 'five_hour' } },
  { id: 'c', state: { kind: 'available' }, usage: { observedAt: NOW, fiveHour: { usedPercent: 10, resetsAt: NOW + 3 * H } } },
  { id: 'd', state: { kind: 'expired' } },
  { id: 'e', state: { kind: 'available' }, usage: { observedAt: NOW, sevenDay: { usedPercent: 50, resetsAt: NOW + 1 * H } } },
  { id: 'f', state: { kind: 'invalid', reason: 'refresh rejected' } },
];

describe('accounts policy', () => {
  it('in-order picks the next usable profile after the current one, wrapping', () => {
    assert.equal(chooseNextAvailable(cands, { strategy: 'in-order', now: NOW, currentId: 'a' }).id, 'c');
    assert.equal(chooseNextAvailable(cands, { strategy: 'in-order', now: NOW, currentId: 'e' }).id, 'a');
    assert.equal(chooseNextAvailable(cands, { strategy: 'in-order', now: NOW }).id, 'a');
  });

  it('soonest-reset and most-headroom skip exhausted, expired and invalid profiles', () => {
    assert.equal(chooseNextAvailable(cands, { strategy: 'soonest-reset', now: NOW, currentId: 'a' }).id, 'e');
    assert.equal(chooseNextAvailable(cands, { strategy: 'most-headroom', now: NOW, currentId: 'a' }).id, 'c');
    assert.equal(chooseNextAvailable(cands, { strategy: 'most-headroom', now: NOW, currentId: 'c' }).id, 'e');
  });

  it('an exhausted profile becomes available after its reset', () => {
    assert.deepEqual(effectiveState({ kind: 'exhausted', until: NOW - 1, window: 'weekly' }, NOW), { kind: 'available' });
    const only = [cands[1] as PolicyCandidate, cands[3] as PolicyCandidate];
    const none = chooseNextAvailable(only, { strategy: 'in-order', now: NOW });
    assert.deepEqual(none, { id: null, earliestAvailableAt: NOW + H });
    assert.equal(chooseNextAvailable(only, { strategy: 'in-order', now: NOW + 2 * H }).id, 'b');
  });

  it('state is serialisable and validated, unknown fields preserved', () => {
    for (const c of cands) assert.deepEqual(AccountStateSchema.parse(JSON.parse(JSON.stringify(c.state))), c.state);
    assert.equal(AccountStateSchema.safeParse({ kind: 'exhausted', until: 'soon' }).success, false);
    const parsed = AccountStateSchema.parse({ kind: 'available', extra: 1 }) as Record<string, unknown>;
    assert.equal(parsed['extra'], 1);
    assert.equal(ProfilesDocumentSchema.safeParse({ version: 2, profiles: [] }).success, false);
  });
});
