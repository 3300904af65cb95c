// Child process for the crash test: switches between two saved profiles forever, until killed.
// Environment: HOME, CLAUDE_CONFIG_DIR, CLAUDE_QUOTA_HOME of a temp sandbox. argv[2], argv[3]: labels.
import * as os from 'node:os';
import * as path from 'node:path';
import { AccountManager } from '../../src/core/accounts/accountManager';
import { FileProfileStore } from '../../src/core/accounts/profileStore';

async function main(): Promise<void> {
  const home = process.env['CLAUDE_QUOTA_HOME'] ?? '';
  // Never touch a real login: only run inside a temp sandbox.
  const tmp = path.resolve(os.tmpdir()) + path.sep;
  for (const v of [home, process.env['CLAUDE_CONFIG_DIR'] ?? '', process.env['HOME'] ?? '']) {
    if (!path.resolve(v).startsWith(tmp)) throw new Error('sandbox paths must be under the temp directory');
  }
  const labels = [process.argv[2] ?? 'a', process.argv[3] ?? 'b'];
  const m = new AccountManager({ env: process.env, store: new FileProfileStore(home), stateDir: home, platform: 'linux', settingsFiles: [] });
  process.stdout.write('R\n');
  for (let i = 0; ; i++) {
    await m.switchTo(labels[i % 2] ?? 'a');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`child failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(3);
});
