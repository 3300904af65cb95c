// The usage-limit menu texts resuming relies on (test/fixtures/resume/rate-limit-menu.json) are
// the installed Claude Code CLI's own: each is searched for in its bundle, so a CLI update that
// renames "Stop and wait for limit to reset" or the auto-continue footer fails here first.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STOP_LABELS, MENU_TITLE } from '../../src/core/resume/rateLimitMenu';
import { REPO, ensureClaudeInstalled } from './claudeCli';

interface MenuFixture {
  cliVersion: string;
  title: string;
  bundleStrings: string[];
}

describe('e2e: the usage-limit menu texts of the real Claude Code CLI', function () {
  this.timeout(15 * 60_000);

  it('has every option label and footer text the resume logic reads', async () => {
    const fixture = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'resume', 'rate-limit-menu.json'), 'utf8')) as MenuFixture;
    const exe = fs.realpathSync(await ensureClaudeInstalled());
    const bundle = fs.readFileSync(exe);
    assert.equal(fixture.title, MENU_TITLE);
    for (const text of [...fixture.bundleStrings, ...STOP_LABELS.map((l) => `"${l}"`)]) {
      assert.ok(bundle.indexOf(text, 0, 'utf8') >= 0, `${JSON.stringify(text)} is not in ${exe} (CLI ${fixture.cliVersion} expected)`);
    }
  });
});
