// `npm run test:integration`: the extension in a real VS Code.
//   1. test/host/setup.sh installs node 24, code-server, playwright-core and chromium
//      (idempotent; quick once installed).
//   2. The packaged extension: `npm run package` builds dist-vsix/claude-quota-sentinel.vsix,
//      test/host/runVsCode.mjs installs it with code-server --install-extension and checks in
//      the workbench that it activated at startup, that "Claude Quota: Show Log" runs from the
//      command palette and shows its Output channel, and that no error notification appeared.
//   3. The mocha suite in test/integration/suite runs inside the extension host through
//      @vscode/test-electron's runTests, with test/host/vscodeShim.mjs as the VS Code binary.
// The output ends with the counts of both parts.
//   CLAUDE_QUOTA_SKIP_VSIX=1   skip step 2 (quicker while working on the suite)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

const repo = path.resolve(__dirname, '..', '..', '..');
const hostDir = path.join(repo, 'test', 'host');
const artifacts = path.join(repo, 'test-artifacts', 'integration');
const vsixPath = path.join(repo, 'dist-vsix', 'claude-quota-sentinel.vsix');
const EXTENSION_NAME = 'claude-quota-sentinel.claude-quota-sentinel';
const OUTPUT_CHANNEL = 'Claude Quota Sentinel';
const SHOW_LOG_TITLE = 'Claude Quota: Show Log';

interface SuiteSummary {
  passes: number;
  failures: number;
  pending: number;
  durationMs: number;
  failed: string[];
}

function banner(text: string): void {
  console.log(`\n=== ${text}`);
}

/** Runs a program with inherited stdio; returns its exit status (1 when it could not start). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { cwd: repo, stdio: 'inherit', env });
  if (result.error) console.error(`${command}: ${result.error.message}`);
  return result.status ?? 1;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

function checkPackagedExtension(): boolean {
  banner('packaged extension: npm run package');
  fs.rmSync(vsixPath, { force: true });
  if (run('npm', ['run', 'package']) !== 0 || !fs.existsSync(vsixPath)) {
    console.error(`npm run package did not produce ${vsixPath}`);
    return false;
  }
  banner(`packaged extension: install ${path.relative(repo, vsixPath)} into code-server and check activation`);
  const status = run(process.execPath, [
    path.join(hostDir, 'runVsCode.mjs'),
    '--vsix', vsixPath,
    // Activated on its own (onStartupFinished), before any command could have activated it.
    '--expect-activated', EXTENSION_NAME,
    '--command', SHOW_LOG_TITLE,
    '--expect-output', OUTPUT_CHANNEL,
    '--expect-no-errors',
    '--artifacts', path.join(artifacts, 'vsix'),
    '--screenshot', path.join(artifacts, 'vsix', 'workbench.png'),
  ]);
  return status === 0;
}

async function runSuite(scratch: string, resultsFile: string): Promise<boolean> {
  banner('extension tests: mocha inside the extension host');
  const workspace = path.join(scratch, 'workspace');
  const home = path.join(scratch, 'home');
  const claudeConfig = path.join(home, '.claude');
  for (const dir of [workspace, home, claudeConfig]) fs.mkdirSync(dir, { recursive: true });
  try {
    await runTests({
      vscodeExecutablePath: path.join(hostDir, 'vscodeShim.mjs'),
      extensionDevelopmentPath: repo,
      extensionTestsPath: path.join(repo, 'out', 'test', 'integration', 'suite', 'index.js'),
      launchArgs: [workspace],
      extensionTestsEnv: {
        HOME: home,
        CLAUDE_CONFIG_DIR: claudeConfig,
        // The accounts state dir (journal, backups) inside the temp home, never the real one.
        CLAUDE_QUOTA_HOME: path.join(home, '.config', 'claude-quota'),
        CLAUDE_QUOTA_TEST_RESULTS: resultsFile,
        CLAUDE_QUOTA_VSCODE_ARTIFACTS: path.join(artifacts, 'suite'),
        // Plain reporter output: mocha's check marks carry their own colour codes unless
        // NO_COLOR is set, whatever `color: false` says.
        NO_COLOR: '1',
      },
    });
    return true;
  } catch (err) {
    console.error(`extension tests failed: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

function readSummary(file: string): SuiteSummary | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SuiteSummary;
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  banner('host tools: test/host/setup.sh');
  if (run('bash', [path.join(hostDir, 'setup.sh')]) !== 0) {
    console.error('test/host/setup.sh failed');
    return 1;
  }

  let vsixOk: boolean | null = null;
  let vsixTime = '';
  if (process.env.CLAUDE_QUOTA_SKIP_VSIX !== '1') {
    const t = Date.now();
    vsixOk = checkPackagedExtension();
    vsixTime = seconds(t);
    // Packaging leaves the minified production bundle in dist/; the suite gets the
    // development build (source maps, readable stacks) back.
    if (run('npm', ['run', 'build']) !== 0) return 1;
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'claude-quota-integration-'));
  const resultsFile = path.join(scratch, 'results.json');
  const t = Date.now();
  let suiteOk: boolean;
  let summary: SuiteSummary | null;
  try {
    suiteOk = await runSuite(scratch, resultsFile);
    summary = readSummary(resultsFile);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const suiteTime = seconds(t);

  banner(`integration summary (${seconds(started)} in all)`);
  if (vsixOk !== null) {
    console.log(`  packaged extension (${EXTENSION_NAME} from .vsix): ${vsixOk ? 'passed' : 'FAILED'} (${vsixTime})`);
  }
  if (summary) {
    for (const title of summary.failed) console.log(`  failed: ${title}`);
    console.log(`  ${summary.passes} passing (${suiteTime})`);
    if (summary.pending > 0) console.log(`  ${summary.pending} pending`);
    console.log(`  ${summary.failures} failing`);
  } else {
    console.log(`  extension tests: no results (the test run did not finish; see the output above) (${suiteTime})`);
  }
  const ok = suiteOk && summary !== null && summary.failures === 0 && vsixOk !== false;
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
