// `npm run test:integration`: the extension in a real VS Code.
//   1. test/host/setup.sh installs node 24, code-server, playwright-core and chromium
//      (idempotent; quick once installed).
//   2. The packaged extension: `npm run package` builds dist-vsix/claude-quota-sentinel.vsix,
//      test/host/runVsCode.mjs installs it with code-server --install-extension and checks in
//      the workbench that it activated at startup, that "Claude Quota: Show Log" runs from the
//      command palette and shows its Output channel, and that no error notification appeared.
//   3. The sessions UI in the browser, with the development extension: a private tmux server
//      (the default server of a private TMUX_TMPDIR given to VS Code) started beforehand shows a
//      recorded 5-hour limit screen in a pane running `claude`, so the block is found at startup.
//      runVsCode.mjs opens the Sessions view and runs "Claude Quota: Show Sessions" from the
//      palette, reads the view's row, the countdown in the status bar and the notification, and
//      screenshots them (saved under test-artifacts/integration/ui; copied to
//      media/screenshot-countdown.png for the README on request).
//   4. The mocha suite in test/integration/suite runs inside the extension host through
//      @vscode/test-electron's runTests, with test/host/vscodeShim.mjs as the VS Code binary.
// The output ends with the counts of all parts.
//   CLAUDE_QUOTA_SKIP_VSIX=1   skip step 2 (quicker while working on the suite)
//   CLAUDE_QUOTA_SKIP_UI=1     skip step 3
//   CLAUDE_QUOTA_TEST_GREP=RE  run only the suite's tests whose full title matches RE
//   CLAUDE_QUOTA_UPDATE_SCREENSHOT=1  copy the countdown screenshot to media/ for the README
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { extensionClock, resetAhead, writeRecordingResettingAt } from '../support/recordingAt';

const repo = path.resolve(__dirname, '..', '..', '..');
const hostDir = path.join(repo, 'test', 'host');
const artifacts = path.join(repo, 'test-artifacts', 'integration');
const vsixPath = path.join(repo, 'dist-vsix', 'claude-quota-sentinel.vsix');
const EXTENSION_NAME = 'claude-quota-sentinel.claude-quota-sentinel';
const OUTPUT_CHANNEL = 'Claude Quota Sentinel';
const SHOW_LOG_TITLE = 'Claude Quota: Show Log';
const SUITE_TIME_ZONE = 'America/Chicago';
const SHOW_SESSIONS_TITLE = 'Claude Quota: Show Sessions';
const README_SCREENSHOT = path.join(repo, 'media', 'screenshot-countdown.png');

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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function checkSessionsUi(): Promise<boolean> {
  banner('sessions UI: a limit screen in a private tmux pane, the countdown and the notification in the browser');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claude-quota-ui-'));
  // The default tmux server of a private TMUX_TMPDIR, handed to VS Code's environment: the
  // extension finds it as it finds a user's own tmux, with no setting (settings written before
  // code-server starts are not always in the extension host's first configuration).
  const tmuxTmp = path.join(dir, 'tmux');
  fs.mkdirSync(tmuxTmp, { mode: 0o700 });
  const tmux = (...args: string[]): { status: number | null; stdout: string } => {
    const r = spawnSync('tmux', ['-f', '/dev/null', ...args], { encoding: 'utf8', env: { ...process.env, TMUX_TMPDIR: tmuxTmp, TMUX: '' } });
    return { status: r.status, stdout: r.stdout ?? '' };
  };
  try {
    const bin = path.join(dir, 'bin');
    const home = path.join(dir, 'home');
    for (const d of [bin, path.join(home, '.claude')]) fs.mkdirSync(d, { recursive: true });
    // A `claude` that replays the recording and stays, as the real CLI does after a limit.
    // No echo: tmux answers the recording's terminal queries, which would otherwise be printed.
    fs.writeFileSync(path.join(bin, 'claude'), '#!/bin/sh\nstty -echo 2>/dev/null\ncat "$1"\nsleep 600\nexit 0\n', { mode: 0o755 });
    // The recorded 5-hour limit, moved to a reset ahead of now in the zone VS Code runs in.
    const reset = resetAhead();
    const recording = writeRecordingResettingAt('five_hour', reset, dir, SUITE_TIME_ZONE);
    if (tmux('new-session', '-d', '-s', 'ui', '-x', '120', '-y', '40', `${path.join(bin, 'claude')} '${recording}'`).status !== 0) {
      console.error('could not start the private tmux server');
      return false;
    }
    // The screen is drawn before VS Code starts, so the tmux source's first capture finds it.
    const deadline = Date.now() + 10_000;
    while (!tmux('capture-pane', '-p', '-t', 'ui').stdout.includes('5-hour limit')) {
      if (Date.now() > deadline) {
        console.error('the recording did not show up in the tmux pane');
        return false;
      }
      await sleep(100);
    }
    const uiArtifacts = path.join(artifacts, 'ui');
    const shot = path.join(uiArtifacts, 'countdown.png');
    fs.rmSync(shot, { force: true });
    const status = run(process.execPath, [
      path.join(hostDir, 'runVsCode.mjs'),
      '--extension', repo,
      '--env', `TMUX_TMPDIR=${tmuxTmp}`,
      '--env', `TZ=${SUITE_TIME_ZONE}`,
      // A temp home: the extension never reads the real ~/.claude here either.
      '--env', `HOME=${home}`,
      '--env', `CLAUDE_CONFIG_DIR=${path.join(home, '.claude')}`,
      '--env', `CLAUDE_QUOTA_HOME=${path.join(home, '.config', 'claude-quota')}`,
      '--expect-activated', EXTENSION_NAME,
      // A notification that arrives while the workbench starts goes to the center without a
      // toast, so the center is opened; Show Sessions (a quick pick) after it, which keeps it open.
      // The Sessions view in the side bar first (VS Code's own "Focus on … View" command).
      '--command', 'Claude Quota: Focus on Sessions View',
      '--command', 'Notifications: Show Notifications',
      '--command', SHOW_SESSIONS_TITLE,
      // The status bar item while the account is blocked: $(watch) and the time left.
      '--expect-status', '/^(\\d+h \\d+m|\\d+m|\\d+s)$/',
      '--expect-notification', `/hit its 5-hour limit — resets ${extensionClock(reset, SUITE_TIME_ZONE)} \\(in /`,
      // The pane's row: where it runs, then its limit and the countdown.
      '--expect-view', `/ui:0\\.0\\s*5-hour limit · resets ${extensionClock(reset, SUITE_TIME_ZONE)} \\((\\d+h \\d+m|\\d+m|\\d+s)\\)/`,
      '--expect-no-errors',
      '--artifacts', uiArtifacts,
      // Small enough to commit: the notification and the status bar under it.
      '--viewport', '1000x600',
      '--screenshot', shot,
      '--screenshot-clip', '.part.sidebar',
      '--screenshot-clip', '.notifications-center',
      '--screenshot-clip', '.part.statusbar',
    ]);
    // The committed README image changes only on request, so a test run leaves the tree clean.
    if (status === 0 && fs.existsSync(shot) && process.env.CLAUDE_QUOTA_UPDATE_SCREENSHOT === '1') {
      fs.mkdirSync(path.dirname(README_SCREENSHOT), { recursive: true });
      fs.copyFileSync(shot, README_SCREENSHOT);
      console.log(`screenshot: ${path.relative(repo, shot)} (copied to ${path.relative(repo, README_SCREENSHOT)})`);
    }
    return status === 0;
  } finally {
    tmux('kill-server');
    fs.rmSync(dir, { recursive: true, force: true });
  }
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
        // The real Claude Code CLI runs in the suite too: more than runVsCode.mjs's default 300 s.
        CLAUDE_QUOTA_VSCODE_TIMEOUT: '900',
        // A zone other than the machine's (usually UTC) and with whole-hour offsets: reset times the
        // CLI prints as a local clock time are read in the zone it printed them in.
        TZ: SUITE_TIME_ZONE,
        // Plain reporter output: mocha's check marks carry their own colour codes unless
        // NO_COLOR is set, whatever `color: false` says.
        NO_COLOR: '1',
        ...(process.env.CLAUDE_QUOTA_TEST_GREP ? { CLAUDE_QUOTA_TEST_GREP: process.env.CLAUDE_QUOTA_TEST_GREP } : {}),
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

  let uiOk: boolean | null = null;
  let uiTime = '';
  if (process.env.CLAUDE_QUOTA_SKIP_UI !== '1') {
    const t = Date.now();
    uiOk = await checkSessionsUi();
    uiTime = seconds(t);
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
  if (uiOk !== null) {
    console.log(`  sessions UI (palette, status bar countdown, notification, screenshot): ${uiOk ? 'passed' : 'FAILED'} (${uiTime})`);
  }
  if (summary) {
    for (const title of summary.failed) console.log(`  failed: ${title}`);
    console.log(`  ${summary.passes} passing (${suiteTime})`);
    if (summary.pending > 0) console.log(`  ${summary.pending} pending`);
    console.log(`  ${summary.failures} failing`);
  } else {
    console.log(`  extension tests: no results (the test run did not finish; see the output above) (${suiteTime})`);
  }
  const ok = suiteOk && summary !== null && summary.failures === 0 && vsixOk !== false && uiOk !== false;
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
