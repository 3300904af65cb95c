// Child process for the lock tests: prints "R", waits for a line on stdin, then takes the CLI profile
// store's lock, prints "L" and holds it until killed (a second one waits for the lock meanwhile).
// Environment: CLAUDE_QUOTA_HOME of a temp sandbox.
import * as os from 'node:os';
import * as path from 'node:path';
import { FileProfileStore } from '../../src/core/accounts/profileStore';

const home = process.env['CLAUDE_QUOTA_HOME'] ?? '';
if (!path.resolve(home).startsWith(path.resolve(os.tmpdir()) + path.sep)) {
  process.stderr.write('sandbox paths must be under the temp directory\n');
  process.exit(3);
}
process.stdout.write('R\n');
process.stdin.once('data', () => {
  process.stdin.destroy();
  new FileProfileStore(home)
    .exclusive(
      () =>
        new Promise<void>(() => {
          process.stdout.write('L\n');
          setInterval(() => undefined, 60_000);
        }),
    )
    .catch((err: unknown) => {
      process.stderr.write(`lock failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(4);
    });
});
