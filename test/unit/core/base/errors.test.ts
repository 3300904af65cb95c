// describeError: one line for whatever was thrown.
import { strict as assert } from 'node:assert';
import { describeError } from '../../../../src/core/base/errors';

describe('describeError', () => {
  it('gives the message of an Error, not its name or stack', () => {
    const err = new TypeError('bad input');
    assert.equal(describeError(err), 'bad input');
  });

  it('gives the message of an Error subclass with a custom name', () => {
    class LockError extends Error { override name = 'LockError'; }
    assert.equal(describeError(new LockError('profile locked')), 'profile locked');
  });

  it('turns anything else that was thrown into text', () => {
    assert.equal(describeError('plain string'), 'plain string');
    assert.equal(describeError(42), '42');
    assert.equal(describeError(undefined), 'undefined');
    assert.equal(describeError(null), 'null');
    assert.equal(describeError({ toString: () => 'custom object' }), 'custom object');
  });
});
