// Login overrides are found the way Claude Code reads its settings: through a symlink, past a BOM,
// with comments, and in the project settings of the folders sessions run in.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AccountManager } from '../../../../src/core/accounts/accountManager';
import { AccountError } from '../../../../src/core/accounts/errors';
import { defaultFs } from '../../../../src/core/accounts/fileOps';
import { findLoginOverrides, projectSettingsFiles, settingsFilesFor } from '../../../../src/core/accounts/overrides';
import { FileProfileStore } from '../../../../src/core/accounts/profileStore';
import { makeSandbox, removeSandbox, writeLogin, type Sandbox } from '../../../support/accountsFixtures';

describe('login overrides in settings files', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = makeSandbox('cqs-overrides-');
  });
  afterEach(() => removeSandbox(sb));

  const find = (files: string[]) => findLoginOverrides(defaultFs, {}, files);
  const settings = () => path.join(sb.configDir, 'settings.json');

  it('follows a symlinked settings.json (a dotfiles setup) and leaves the link and its target as they were', async () => {
    const dotfiles = path.join(sb.root, 'dotfiles');
    fs.mkdirSync(dotfiles);
    const target = path.join(dotfiles, 'claude-settings.json');
    fs.writeFileSync(target, JSON.stringify({ apiKeyHelper: '~/bin/key.sh' }));
    fs.symlinkSync(target, settings());
    assert.deepEqual(await find([settings()]), [{ source: settings(), name: 'apiKeyHelper' }]);
    assert.ok(fs.lstatSync(settings()).isSymbolicLink());
    assert.equal(fs.readFileSync(target, 'utf8'), JSON.stringify({ apiKeyHelper: '~/bin/key.sh' }));
  });

  it('reads past a BOM, comments and trailing commas', async () => {
    fs.writeFileSync(settings(), '\uFEFF{\n  // the key comes from the vault\n  "env": { "ANTHROPIC_API_KEY": "test-key", },\n}\n');
    assert.deepEqual(await find([settings()]), [{ source: settings(), name: 'env.ANTHROPIC_API_KEY' }]);
  });

  it('ignores what Claude Code could not use either: broken JSON, a non-object, an empty helper, a dangling link', async () => {
    const files = ['broken.json', 'array.json', 'empty.json'].map((n) => path.join(sb.root, n));
    fs.writeFileSync(files[0]!, '{"apiKeyHelper": "x"');
    fs.writeFileSync(files[1]!, '["apiKeyHelper"]');
    fs.writeFileSync(files[2]!, '{"apiKeyHelper": ""}');
    const dangling = path.join(sb.root, 'dangling.json');
    fs.symlinkSync(path.join(sb.root, 'nowhere.json'), dangling);
    assert.deepEqual(await find([...files, dangling]), []);
  });

  it('includes the project settings of the folders sessions run in', async () => {
    const project = path.join(sb.root, 'project');
    fs.mkdirSync(path.join(project, '.claude'), { recursive: true });
    fs.writeFileSync(path.join(project, '.claude', 'settings.local.json'), JSON.stringify({ apiKeyHelper: 'vault read key' }));
    const files = settingsFilesFor(sb.configDir, 'linux', projectSettingsFiles([project, project]));
    assert.equal(files.filter((f) => f.startsWith(project)).length, 2);
    assert.deepEqual(await find(files), [{ source: path.join(project, '.claude', 'settings.local.json'), name: 'apiKeyHelper' }]);
  });

  it('a switch is refused when a session folder\'s project settings override the login, and goes through without them', async () => {
    const m = new AccountManager({ env: sb.env, store: new FileProfileStore(sb.quotaHome), stateDir: sb.quotaHome, platform: 'linux', lockTimeoutMs: 2000 });
    writeLogin(sb, 'beta');
    await m.add('beta');
    writeLogin(sb, 'alpha');
    await m.add('alpha');
    const project = path.join(sb.root, 'project');
    fs.mkdirSync(path.join(project, '.claude'), { recursive: true });
    fs.writeFileSync(path.join(project, '.claude', 'settings.json'), JSON.stringify({ env: { CLAUDE_CODE_OAUTH_TOKEN: 'test-token' } }));
    await assert.rejects(m.switchTo('beta', { projectDirs: [project] }), (err: unknown) => {
      assert.ok(err instanceof AccountError);
      assert.equal(err.code, 'override');
      assert.match(err.message, /env\.CLAUDE_CODE_OAUTH_TOKEN in .*project.*settings\.json/);
      assert.doesNotMatch(err.message, /test-token/);
      return true;
    });
    assert.equal((await m.switchTo('beta')).changed, true);
  });
});
