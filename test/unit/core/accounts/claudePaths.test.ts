// Where Claude Code's config directory is, for every reader of CLAUDE_CONFIG_DIR.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { claudeConfigDir, resolveClaudePaths } from '../../../../src/core/accounts/claudePaths';

describe('claudeConfigDir', () => {
  const home = path.join(path.sep, 'home', 'someone');

  it('is ~/.claude without CLAUDE_CONFIG_DIR, or with it empty', () => {
    assert.equal(claudeConfigDir({ env: { HOME: home } }), path.join(home, '.claude'));
    assert.equal(claudeConfigDir({ env: { HOME: home, CLAUDE_CONFIG_DIR: '' } }), path.join(home, '.claude'));
    assert.equal(claudeConfigDir({ env: {}, homeDir: home }), path.join(home, '.claude'));
  });

  it('makes CLAUDE_CONFIG_DIR absolute and drops a trailing separator', () => {
    assert.equal(claudeConfigDir({ env: { HOME: home, CLAUDE_CONFIG_DIR: 'work/claude' } }), path.resolve('work/claude'));
    assert.equal(claudeConfigDir({ env: { HOME: home, CLAUDE_CONFIG_DIR: `${home}/cc/./x/../` } }), path.join(home, 'cc'));
  });

  it('is in NFC, as Claude Code hashes it', () => {
    const decomposed = path.join(home, 'Cafe\u0301');
    assert.equal(claudeConfigDir({ env: { CLAUDE_CONFIG_DIR: decomposed } }), path.join(home, 'Caf\u00e9'));
  });

  it('is the directory the login paths are in', () => {
    const e = { env: { HOME: home, CLAUDE_CONFIG_DIR: 'rel/dir/' } };
    assert.equal(resolveClaudePaths(e).configDir, claudeConfigDir(e));
    assert.equal(resolveClaudePaths(e).credentialsFile, path.join(path.resolve('rel/dir'), '.credentials.json'));
  });
});
