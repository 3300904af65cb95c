// Where the repository and its fixtures are, wherever a compiled test sits under out/.
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRepo(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'claude-quota-sentinel') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository above ${from}`);
  }
}

export const REPO = findRepo(__dirname);
export const FIXTURES = path.join(REPO, 'test', 'fixtures');
/** Compiled test support scripts (child processes the tests start). */
export const SUPPORT_OUT = path.join(REPO, 'out', 'test', 'support');
