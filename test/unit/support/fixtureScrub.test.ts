import { strict as assert } from 'node:assert';
import { scrub } from '../../support/fixtureScrub';

describe('fixture scrubbing (what the recording scripts write)', () => {
  it('replaces the throwaway directory, also as the CLI\'s project slug, and redacts secrets', () => {
    const root = '/tmp/cqs-rec-Ab12';
    const text = [
      `cwd ${root}/work`,
      'project -tmp-cqs-rec-Ab12-work',
      'key sk-ant-api03-Zx_9-abc',
      'authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload',
      'authorization: Bearer test-access-token-alpha',
    ].join('\n');
    assert.equal(
      scrub(text, root),
      [
        'cwd /tmp/claude-quota-recording/work',
        'project -tmp-claude-quota-recording-work',
        'key sk-ant-REDACTED',
        'authorization: Bearer REDACTED',
        'authorization: Bearer test-access-token-alpha',
      ].join('\n'),
    );
  });
});
