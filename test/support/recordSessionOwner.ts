// What the real Claude Code CLI writes as `session-owner` lines when the stored login is replaced
// during a session: one interactive session answers a turn with login alpha, the credentials and
// `.claude.json` `oauthAccount` are rewritten to login beta (as /login or an account switch does),
// two more turns follow; optionally the session is then continued by `claude -c -p` and by an
// interactive `claude -c`, still as beta. Run directly, it writes the transcript (scrubbed) to
// test/fixtures/session-owner/login_switch.jsonl and prints a line-by-line summary:
//
//   bash test/support/install-claude-code.sh && npx tsc -p test/tsconfig.json
//   node out/test/support/recordSessionOwner.js
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureClaudeInstalled, REPO, run, runQuotaCli, waitFor } from '../e2e/claudeCli';
import { TmuxPane } from '../e2e/tmuxPane';
import {
  createSandboxDirs,
  removeSandboxDirs,
  sandboxEnv,
  subscriberIdentity,
  writeClaudeConfig,
  writeSubscriberLogin,
  type SandboxDirs,
  type SubscriberIdentity,
} from './claudeSandbox';
import { MockAnthropicApi } from './mockAnthropicApi';
import { scrub } from './fixtureScrub';

const OUT = path.join(REPO, 'test', 'fixtures', 'session-owner', 'login_switch.jsonl');

export interface SessionOwnerRun {
  readonly alpha: SubscriberIdentity;
  readonly beta: SubscriberIdentity;
  /** The session's transcript as written. */
  readonly transcript: string;
  /** Lines (1-based count) the transcript had when the login was switched. */
  readonly linesBeforeSwitch: number;
  /** The bearer token of every successful Messages request, in order. */
  readonly tokens: readonly (string | undefined)[];
  /** Sandbox root, for scrubbing. */
  readonly root: string;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function transcriptOf(config: string): string | undefined {
  const projects = path.join(config, 'projects');
  if (!fs.existsSync(projects)) return undefined;
  for (const slug of fs.readdirSync(projects)) {
    for (const f of fs.readdirSync(path.join(projects, slug))) {
      if (f.endsWith('.jsonl')) return path.join(projects, slug, f);
    }
  }
  return undefined;
}

async function turn(pane: TmuxPane, api: MockAnthropicApi, text: string): Promise<void> {
  const answered = api.messageRequests().filter((m) => m.status === 200).length;
  await pane.type(text);
  await pane.key('Enter');
  await waitFor(`the answer to "${text}"`, () => (api.messageRequests().filter((m) => m.status === 200).length > answered ? true : undefined), 30_000);
  // The turn's closing lines are written just after the answer.
  await pause(2000);
}

async function startPane(dirs: SandboxDirs, workDir: string, env: Record<string, string>, command: readonly string[]): Promise<TmuxPane> {
  fs.mkdirSync(workDir, { recursive: true });
  return TmuxPane.start({ workDir, cwd: dirs.cwd, env, command, cols: 120, rows: 40 });
}

export interface SessionOwnerOptions {
  /** Also continue the session with `claude -c -p` and an interactive `claude -c`. */
  readonly continued: boolean;
  /**
   * How the login is switched: `files` rewrites the stored login as /login does; `accounts` uses
   * `claude-quota accounts switch` (both logins saved as profiles first; needs dist/cli.js).
   */
  readonly switchWith: 'files' | 'accounts';
}

/** Runs the scenario in a throwaway sandbox, removed afterwards. */
export async function runSessionOwnerSwitch(options: SessionOwnerOptions): Promise<SessionOwnerRun> {
  const claude = await ensureClaudeInstalled();
  const alpha = subscriberIdentity('alpha');
  const beta = subscriberIdentity('beta');
  const dirs = createSandboxDirs('cqs-owner-');
  writeClaudeConfig(dirs, { kind: 'subscriber', identity: alpha });
  const api = new MockAnthropicApi({
    scenario: (r) => ({ kind: 'success', text: r.authorization === `Bearer ${beta.accessToken}` ? 'Hello from beta.' : 'Hello from alpha.' }),
  });
  await api.start();
  const env = sandboxEnv(dirs, { baseUrl: api.url, timeZone: 'UTC' });
  const quota = async (...args: string[]): Promise<void> => {
    const r = await runQuotaCli(args, { HOME: dirs.home, CLAUDE_CONFIG_DIR: dirs.config, CLAUDE_QUOTA_HOME: path.join(dirs.root, 'quota') });
    if (r.code !== 0) throw new Error(`claude-quota ${args.join(' ')} exited ${String(r.code)}: ${r.stderr}`);
  };
  try {
    if (options.switchWith === 'accounts') {
      await quota('accounts', 'add', 'alpha');
      writeSubscriberLogin(dirs, beta);
      await quota('accounts', 'add', 'beta');
      await quota('accounts', 'switch', 'alpha');
    }
    const pane = await startPane(dirs, path.join(dirs.root, 'first'), env, [claude]);
    let file: string;
    let linesBeforeSwitch: number;
    try {
      await pane.waitForScreen('the input box', (s) => s.includes('❯') || s.includes('>'), 30_000);
      await pause(1500);
      await turn(pane, api, 'first turn');
      file = await waitFor('the transcript', () => transcriptOf(dirs.config), 10_000);
      linesBeforeSwitch = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
      if (options.switchWith === 'accounts') await quota('accounts', 'switch', 'beta');
      else writeSubscriberLogin(dirs, beta);
      // Claude Code notices rewritten credentials by their mtime.
      await pause(2000);
      await turn(pane, api, 'second turn');
      await turn(pane, api, 'third turn');
      await pane.type('/exit');
      await pane.key('Enter');
      await pause(3000);
    } finally {
      await pane.kill();
    }
    if (options.continued) {
      const cont = await run(claude, ['-c', '-p', 'fourth turn'], { env, cwd: dirs.cwd, timeoutMs: 60_000 });
      if (cont.code !== 0) throw new Error(`claude -c -p exited ${String(cont.code)}: ${cont.stderr}`);
      const resumed = await startPane(dirs, path.join(dirs.root, 'resumed'), env, [claude, '-c']);
      try {
        await resumed.waitForScreen('the resumed session', (s) => s.includes('fourth turn'), 30_000);
        await pause(1500);
        await turn(resumed, api, 'fifth turn');
        await resumed.type('/exit');
        await resumed.key('Enter');
        await pause(3000);
      } finally {
        await resumed.kill();
      }
    }
    return {
      alpha,
      beta,
      transcript: fs.readFileSync(file, 'utf8'),
      linesBeforeSwitch,
      tokens: api.messageRequests().filter((m) => m.status === 200).map((m) => m.authorization?.replace(/^Bearer\s+/, '')),
      root: dirs.root,
    };
  } finally {
    await api.close();
    removeSandboxDirs(dirs);
  }
}

async function record(): Promise<void> {
  const r = await runSessionOwnerSwitch({ continued: true, switchWith: 'files' });
  const name = (uuid: unknown): string => (uuid === r.alpha.account.accountUuid ? 'alpha' : uuid === r.beta.account.accountUuid ? 'beta' : String(uuid));
  console.log(`answered with: ${r.tokens.join(', ')}; switched after line ${r.linesBeforeSwitch}`);
  r.transcript.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const v = JSON.parse(line) as { type?: string; accountUuid?: string; message?: { content?: unknown } };
    const detail = v.type === 'session-owner' ? name(v.accountUuid) : v.type === 'user' || v.type === 'assistant' ? JSON.stringify(v.message?.content).slice(0, 60) : '';
    console.log(`${i + 1}: ${v.type ?? '?'} ${detail}`);
  });
  for (const s of [r.alpha.accessToken, r.alpha.refreshToken, r.beta.accessToken, r.beta.refreshToken]) {
    if (r.transcript.includes(s)) throw new Error('the transcript holds a token');
  }
  fs.writeFileSync(OUT, scrub(r.transcript, r.root));
  console.log(`wrote ${OUT}`);
}

if (require.main === module) {
  record().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
