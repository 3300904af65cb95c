// Child process for the concurrent-edit test: runs `claude-quota <argv>` through the CLI's entry point,
// but only once a line arrives on stdin, so that all children start their edit at the same moment.
// Prints "R" when ready. Environment: HOME, CLAUDE_CONFIG_DIR, CLAUDE_QUOTA_HOME of a temp sandbox.
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';

// Never touch a real login: only run inside a temp sandbox.
const tmp = path.resolve(os.tmpdir()) + path.sep;
for (const v of [process.env['CLAUDE_QUOTA_HOME'] ?? '', process.env['CLAUDE_CONFIG_DIR'] ?? '', process.env['HOME'] ?? '']) {
  if (!path.resolve(v).startsWith(tmp)) {
    process.stderr.write('sandbox paths must be under the temp directory\n');
    process.exit(3);
  }
}

process.stdout.write('R\n');
process.stdin.once('data', () => {
  // The accounts commands do not read stdin; let the process exit when the command is done.
  process.stdin.destroy();
  void main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, process.stdin).then((code) => {
    process.exitCode = code;
  });
});
