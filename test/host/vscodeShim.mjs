#!/usr/bin/env node
// Takes the place of a VS Code executable for @vscode/test-electron:
//   runTests({ vscodeExecutablePath: '<repo>/test/host/vscodeShim.mjs', extensionDevelopmentPath,
//              extensionTestsPath, launchArgs: [workspaceFolder], extensionTestsEnv })
// It reads the command line a VS Code executable would receive and runs the tests with
// test/host/runVsCode.mjs (code-server + headless chromium). Flags without meaning there
// (--no-sandbox, --disable-extensions, --user-data-dir, --extensions-dir, ...) are dropped:
// every run gets fresh user data and extensions folders anyway. extensionTestsEnv arrives as
// this process's environment, which code-server and so the extension host inherit.
//   CLAUDE_QUOTA_VSCODE_TIMEOUT  limit in seconds for the whole run (runVsCode.mjs --timeout)
//   CLAUDE_QUOTA_VSCODE_ARTIFACTS  folder for code-server's and VS Code's logs
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const withValue = new Set(['--extensionDevelopmentPath', '--extensionTestsPath', '--user-data-dir', '--extensions-dir',
  '--locale', '--profile', '--folder-uri', '--file-uri', '--log', '--inspect-extensions', '--inspect-brk-extensions']);

const developmentPaths = [];
let testsPath = null;
let folder = null;
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  let name = arg;
  let value = null;
  const eq = arg.indexOf('=');
  if (arg.startsWith('--') && eq > 0) {
    name = arg.slice(0, eq);
    value = arg.slice(eq + 1);
  } else if (withValue.has(arg)) {
    value = argv[++i] ?? null;
  }
  if (name === '--extensionDevelopmentPath') developmentPaths.push(value);
  else if (name === '--extensionTestsPath') testsPath = value;
  else if (name === '--folder-uri' && value) folder = value.startsWith('file:') ? fileURLToPath(value) : value;
  else if (!arg.startsWith('-') && folder === null) folder = arg;
}
if (!developmentPaths.length || !testsPath) {
  console.error(`vscodeShim: needs --extensionDevelopmentPath and --extensionTestsPath; got: ${argv.join(' ')}`);
  process.exit(2);
}
if (developmentPaths.length > 1) {
  console.error(`vscodeShim: only one extension folder is supported; using ${developmentPaths[0]}`);
}

const args = [path.join(here, 'runVsCode.mjs'), '--extension', developmentPaths[0], '--tests', testsPath];
if (folder) args.push('--workspace', folder);
if (process.env.CLAUDE_QUOTA_VSCODE_TIMEOUT) args.push('--timeout', process.env.CLAUDE_QUOTA_VSCODE_TIMEOUT);
if (process.env.CLAUDE_QUOTA_VSCODE_ARTIFACTS) args.push('--artifacts', process.env.CLAUDE_QUOTA_VSCODE_ARTIFACTS);
const child = spawn(process.execPath, args, { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
