// Child process for the lock tests: takes the CLI profile store's lock, prints "L" and holds it until
// killed. Environment: CLAUDE_QUOTA_HOME of a temp sandbox.
import * as os from 'node:os';
import * as path from 'node:path';
import { FileProfileStore } from '../../src/core/accounts/profileStore';

const home = process.env['CLAUDE_QUOTA_HOME'] ?? '';
if (!path.resolve(home).startsWith(path.resolve(os.tmpdir()) + path.sep)) {
  process.stderr.write('sandbox paths must be under the temp directory\n');
  process.exit(3);
}
void new FileProfileStore(home).exclusive(
  () =>
    new Promise<void>(() => {
      process.stdout.write('L\n');
      setInterval(() => undefined, 60_000);
    }),
);
