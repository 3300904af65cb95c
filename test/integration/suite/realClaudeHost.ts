// What the suites that run the real Claude Code CLI against the extension host's own (temporary)
// CLAUDE_CONFIG_DIR share: the onboarding keys that keep the CLI's first-run screens away, plain
// text out of a terminal's raw output stream, and starting and typing into the CLI in a terminal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClaudeQuotaTestHooks } from '../../../src/extension/api';
import type { WatchedSession } from '../../../src/extension/sessions/sessionsController';
import { skipFirstRunScreens } from '../../support/claudeSandbox';
import { waitFor } from './wait';

/** The keys of the onboarding screens Claude Code would otherwise show, merged into the host's .claude.json. */
export function prepareClaudeJson(configDir: string, cwd: string): void {
  const file = path.join(configDir, '.claude.json');
  const json = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  fs.writeFileSync(file, JSON.stringify(skipFirstRunScreens(json, cwd), null, 2), { mode: 0o600 });
}

/** A terminal's raw output without its escape sequences. */
export function plain(raw: string): string {
  return raw.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g, '');
}

/** The real CLI running in a watched integrated terminal, with the test's own reader of its output. */
export interface ClaudeInTerminal {
  readonly terminal: vscode.Terminal;
  /** The extension's session for the terminal. */
  readonly session: WatchedSession;
  /** When `claude` was started (ms since the epoch). */
  readonly startedAt: number;
  /** Everything the execution wrote so far, raw. */
  output(): string;
}

/** A terminal test's leftovers (the terminal, the test's output reader), closed in the suite's `after`. */
export class TerminalScope {
  terminal: vscode.Terminal | undefined;
  readonly subscriptions: vscode.Disposable[] = [];

  /** Disposes the reader and the terminal, and waits (briefly) for the extension to forget its session. */
  async close(api: ClaudeQuotaTestHooks | undefined): Promise<void> {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    const t = this.terminal;
    this.terminal = undefined;
    if (t === undefined) return;
    t.dispose();
    if (api === undefined) return;
    await waitFor('the terminal session to go', () => !api.sessions().sessions.some((s) => s.kind === 'terminal' && s.where === t.name), 10_000).catch(() => undefined);
  }
}

/**
 * Opens a terminal named `name` with `env` (the host's own Anthropic and Claude Code variables unset),
 * kept in `scope` at once (so the suite's cleanup has it even if a wait below fails), starts `claude`
 * through shell integration and waits until the extension watches it and its prompt shows.
 */
export async function startClaudeInTerminal(
  api: ClaudeQuotaTestHooks,
  opts: { name: string; cwd: string; env: Record<string, string>; scope: TerminalScope },
): Promise<ClaudeInTerminal> {
  const { name, cwd, env } = opts;
  const nullOut: Record<string, null> = {};
  for (const key of Object.keys(process.env)) {
    if (/^(ANTHROPIC_|CLAUDE_CODE_|CLAUDE_CONFIG_DIR$)/.test(key) && !(key in env)) nullOut[key] = null;
  }
  const terminal = vscode.window.createTerminal({ name, cwd, env: { ...nullOut, ...env } });
  opts.scope.terminal = terminal;
  let output = '';
  opts.scope.subscriptions.push(
    vscode.window.onDidStartTerminalShellExecution((e) => {
      if (e.terminal !== terminal) return;
      const stream = e.execution.read();
      void (async () => {
        for await (const chunk of stream) output += chunk;
      })().catch(() => undefined);
    }),
  );
  terminal.show();
  const integration = await waitFor('shell integration', () => terminal.shellIntegration, 30_000);
  const startedAt = Date.now();
  integration.executeCommand('claude');
  const session = await waitFor('the session to be watched', () => api.sessions().sessions.find((s) => s.kind === 'terminal' && s.where === name), 15_000);
  await waitFor('the input prompt', () => plain(output).includes('❯'), 60_000);
  return { terminal, session, startedAt, output: () => output };
}

/** Types `text` into the CLI's input box and submits it. */
export async function submitPrompt(claude: ClaudeInTerminal, text: string): Promise<void> {
  const from = claude.output().length;
  claude.terminal.sendText(text, false);
  // Enter only once the input box shows the text, so it is not taken as part of a paste.
  await waitFor('the typed prompt', () => plain(claude.output().slice(from)).includes(text), 10_000);
  claude.terminal.sendText('\r', false);
}
