// Run by activationBench.ts in a fresh Node process: loads the extension bundle named by argv[2]
// with a no-op `vscode` module and times require() and activate(); argv[3] is `host` or `cold`. This is the extension's own
// cost; VS Code's (extension host start, manifest scan, API object creation) is not included.
// HOME, CLAUDE_CONFIG_DIR, CLAUDE_QUOTA_HOME and the tmux socket point into a temp directory
// (set by the parent), so nothing of the user's is read or watched.
import * as path from 'node:path';

type Listener = (e: unknown) => unknown;
const disposable = (): { dispose(): void } => ({ dispose: () => undefined });
const event = (): ((l: Listener) => { dispose(): void }) => () => disposable();

class EventEmitter<T> {
  private readonly listeners = new Set<(e: T) => unknown>();
  readonly event = (l: (e: T) => unknown): { dispose(): void } => {
    this.listeners.add(l);
    return { dispose: () => void this.listeners.delete(l) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

class Plain {
  constructor(...args: unknown[]) {
    Object.assign(this, { args });
  }
}

const logged: string[] = [];
const channel = {
  name: 'Claude Quota Sentinel',
  logLevel: 2,
  onDidChangeLogLevel: event(),
  trace: (m: string) => void logged.push(m),
  debug: (m: string) => void logged.push(m),
  info: (m: string) => void logged.push(m),
  warn: (m: string) => void logged.push(m),
  error: (m: unknown) => void logged.push(String(m)),
  append: () => undefined,
  appendLine: () => undefined,
  replace: () => undefined,
  clear: () => undefined,
  show: () => undefined,
  hide: () => undefined,
  dispose: () => undefined,
};

const settings: Record<string, unknown> = { 'tmux.socket': process.env.CQS_BENCH_TMUX_SOCKET ?? '' };

const fakeVscode = {
  window: {
    terminals: [],
    onDidOpenTerminal: event(),
    onDidCloseTerminal: event(),
    onDidChangeTerminalShellIntegration: event(),
    onDidStartTerminalShellExecution: event(),
    onDidEndTerminalShellExecution: event(),
    createOutputChannel: () => channel,
    createStatusBarItem: () => ({ show: () => undefined, hide: () => undefined, dispose: () => undefined }),
    createTreeView: () => ({ dispose: () => undefined, reveal: () => Promise.resolve() }),
    createTerminal: () => undefined,
    showInformationMessage: () => Promise.resolve(undefined),
    showWarningMessage: () => Promise.resolve(undefined),
    showErrorMessage: () => Promise.resolve(undefined),
    showQuickPick: () => Promise.resolve(undefined),
    showInputBox: () => Promise.resolve(undefined),
  },
  commands: { registerCommand: () => disposable(), executeCommand: () => Promise.resolve(undefined) },
  workspace: {
    getConfiguration: () => ({ get: (key: string) => settings[key] }),
    onDidChangeConfiguration: event(),
  },
  env: { clipboard: { writeText: () => Promise.resolve() } },
  EventEmitter,
  ThemeIcon: Plain,
  ThemeColor: Plain,
  MarkdownString: Plain,
  TreeItem: Plain,
  Uri: Plain,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  QuickPickItemKind: { Separator: -1, Default: 0 },
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
};

// Resolves `vscode` to a cache entry holding the fake, as the extension host's loader does with the real API.
const FAKE_ID = path.join(__dirname, '__fake_vscode__.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('node:module') as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = Module._resolveFilename;
Module._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? FAKE_ID : resolve.call(this, request, ...rest);
};
require.cache[FAKE_ID] = { id: FAKE_ID, filename: FAKE_ID, loaded: true, exports: fakeVscode } as unknown as NodeModule;

const bundle = process.argv[2];
// `host`: the Node built-ins VS Code's extension host has loaded before any extension activates
// are loaded before timing, as they are there; `cold`: the bundle pays for them too.
if (process.argv[3] === 'host') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const m of ['node:fs', 'node:fs/promises', 'node:path', 'node:os', 'node:crypto', 'node:child_process', 'node:util']) require(m);
}
const subscriptions: Array<{ dispose(): unknown }> = [];
const context = {
  subscriptions,
  secrets: { get: () => Promise.resolve(undefined), store: () => Promise.resolve(), delete: () => Promise.resolve(), onDidChange: event() },
  globalState: { get: () => undefined, update: () => Promise.resolve(), keys: () => [], setKeysForSync: () => undefined },
  extension: { packageJSON: { version: 'bench' } },
  extensionMode: 1,
  logUri: { fsPath: process.env.CQS_BENCH_DIR ?? '/tmp' },
};

const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ext = require(bundle) as { activate(ctx: unknown): unknown };
const t1 = performance.now();
ext.activate(context);
const t2 = performance.now();
const line = logged.find((m) => / activated in [\d.]+ ms/.test(m));
const reported = line === undefined ? NaN : Number(/ activated in ([\d.]+) ms/.exec(line)?.[1]);
// Lets the work activate() started (account recovery, tmux listing, watchers) run before teardown.
setTimeout(() => {
  for (const d of subscriptions.splice(0).reverse()) {
    try {
      d.dispose();
    } catch {
      // teardown only
    }
  }
  // The terminal emulator is loaded at the first watched session, not at activation.
  const xtermLoaded = Object.keys(require.cache).some((file) => path.basename(file) === 'xterm.js' || file.includes(`${path.sep}@xterm${path.sep}`));
  process.stdout.write(`${JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, reportedMs: reported, xtermLoaded })}\n`);
  process.exit(0);
}, 200);
