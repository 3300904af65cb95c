// Records what the real Claude Code CLI prints when the API reports a usage limit or an error.
// For each scenario it starts the mock API, runs `claude` in a private tmux server of a fixed size
// with a throwaway config dir and HOME holding a fake subscriber login, types a prompt, waits for
// the screen to settle and saves the raw pane bytes, the rendered screen, metadata and the session
// transcript under test/fixtures/.
//
//   bash test/support/install-claude-code.sh
//   npx tsc -p test/tsconfig.json
//   node out/test/support/recordScreens.js [scenario ...]
//
// Nothing here touches the real ~/.claude, and all API traffic goes to 127.0.0.1.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createSandboxDirs,
  paneLauncher,
  removeSandboxDirs,
  sandboxEnv,
  writeClaudeConfig,
  type SandboxLogin,
  type SubscriberIdentity,
} from './claudeSandbox';
import {
  MockAnthropicApi,
  unifiedHeaders,
  warningHeaders,
  type MockReply,
  type RecordedRequest,
} from './mockAnthropicApi';
import { scrub } from './fixtureScrub';

const REPO = path.resolve(__dirname, '..', '..', '..');
const OUT_RECORDINGS = path.join(REPO, 'test', 'fixtures', 'recordings');
const OUT_TRANSCRIPTS = path.join(REPO, 'test', 'fixtures', 'transcripts');
const COLS = 120;
const ROWS = 40;
const SOCKET = `cqs-rec-${process.pid}`;

export type Verdict = 'quota' | 'throttle' | 'server' | 'auth' | 'billing' | 'warning' | 'none';
export type Window = 'five_hour' | 'weekly' | 'weekly_model' | 'extra_usage' | 'spend' | null;
export type Mode = 'tui' | 'print' | 'api-key';

/** Shape of `<scenario>.json`. */
export interface RecordingMetadata {
  scenario: string;
  description: string;
  mode: Mode;
  cols: number;
  rows: number;
  timeZone: string;
  recordedAt: string;
  cliVersion: string;
  expected: { verdict: Verdict; window: Window; resetsAt: string | null };
  /** Epoch seconds the mock sent in anthropic-ratelimit-unified-reset, if any. */
  resetsAtEpoch: number | null;
  /** Unified headers sent on the limiting/warning response. */
  headersSent: Record<string, string>;
  prompt: string;
  command: string[];
  requests: { method: string; path: string; status?: number; credential: string; model?: string; stream?: boolean }[];
  transcript: string | null;
  notes: string[];
}

interface ScenarioDef {
  name: string;
  description: string;
  mode: Mode;
  timeZone: string;
  verdict: Verdict;
  window: Window;
  /** Reset epoch chosen for the scenario (unix s), or null when the reply carries none. */
  resetsAt: (now: number) => number | null;
  reply: (resetsAt: number | null) => MockReply;
  /** Keys sent after the screen settles, each followed by another settle (e.g. Esc for a menu). */
  afterKeys?: string[];
  /** The screen must match this before it counts as settled (for text that shows up late). */
  doneWhen?: RegExp;
  notes?: string[];
}

const HOUR = 3600;
const DAY = 86400;

/** Next whole hour at least `minAhead` seconds from now (all zones used have whole-hour offsets). */
function wholeHourAfter(now: number, minAhead: number, minute = 0): number {
  return Math.ceil((now + minAhead) / HOUR) * HOUR + minute * 60;
}

const SCENARIOS: ScenarioDef[] = [
  {
    name: 'five_hour',
    description: 'Subscriber hits the 5-hour limit in the TUI',
    mode: 'tui',
    timeZone: 'Asia/Tokyo',
    verdict: 'quota',
    window: 'five_hour',
    resetsAt: (now) => wholeHourAfter(now, 2 * HOUR),
    reply: (r) => ({ kind: 'usageLimit', claim: 'five_hour', resetsAt: r ?? 0 }),
    notes: [
      "one request, not retried; the TUI arms its own auto-continue (footer 'Continuing automatically at ... · Esc to cancel'), no menu",
      "the transcript gets a system/informational line 'Usage limit reached · set to continue automatically at ...'",
    ],
  },
  {
    name: 'five_hour_minutes',
    description: 'Subscriber hits the 5-hour limit; reset on a half hour, so the clock shows minutes',
    mode: 'tui',
    timeZone: 'America/Argentina/Cordoba',
    verdict: 'quota',
    window: 'five_hour',
    resetsAt: (now) => wholeHourAfter(now, HOUR, 30),
    reply: (r) => ({ kind: 'usageLimit', claim: 'five_hour', resetsAt: r ?? 0 }),
    notes: [
      "minutes are shown only when the reset is not on the hour ('10:30am' vs '11pm')",
    ],
  },
  {
    name: 'seven_day',
    description: 'Subscriber hits the weekly limit (reset more than 24 h away, shown with a date); the menu it opens is dismissed with Esc',
    mode: 'tui',
    timeZone: 'America/Chicago',
    verdict: 'quota',
    window: 'weekly',
    resetsAt: (now) => wholeHourAfter(now, 3 * DAY),
    reply: (r) => ({ kind: 'usageLimit', claim: 'seven_day', resetsAt: r ?? 0 }),
    doneWhen: /What do you want to do\?/,
    afterKeys: ['Escape'],
    notes: [
      "the TUI opened the 'What do you want to do?' menu; after Esc only the error line stays, no auto-continue footer",
    ],
  },
  {
    name: 'seven_day_menu',
    description: 'Weekly limit: the "What do you want to do?" menu the TUI opens, left open',
    mode: 'tui',
    timeZone: 'America/Chicago',
    verdict: 'quota',
    window: 'weekly',
    resetsAt: (now) => wholeHourAfter(now, 3 * DAY),
    reply: (r) => ({ kind: 'usageLimit', claim: 'seven_day', resetsAt: r ?? 0 }),
    doneWhen: /What do you want to do\?/,
    notes: [
      "menu options: '1. Stop and wait for limit to reset', '2. Wait here, then continue automatically at <date, time>' (no usage-credits or upgrade entries for this account)",
    ],
  },
  {
    name: 'seven_day_wait',
    description: 'Weekly limit; option 2 of the menu ("Wait here, then continue automatically") chosen',
    mode: 'tui',
    timeZone: 'America/Argentina/Cordoba',
    verdict: 'quota',
    window: 'weekly',
    resetsAt: (now) => wholeHourAfter(now, 2 * DAY, 15),
    reply: (r) => ({ kind: 'usageLimit', claim: 'seven_day', resetsAt: r ?? 0 }),
    doneWhen: /What do you want to do\?/,
    afterKeys: ['Down', 'Enter'],
    notes: [
      "choosing option 2 echoes '/rate-limit-options' as a prompt line and arms the same auto-continue footer as the 5-hour limit, with a date",
    ],
  },
  {
    name: 'seven_day_opus',
    description: 'Subscriber hits the per-model (Opus) weekly limit',
    mode: 'tui',
    timeZone: 'Europe/Paris',
    verdict: 'quota',
    window: 'weekly_model',
    resetsAt: (now) => wholeHourAfter(now, 2 * DAY, 30),
    reply: (r) => ({ kind: 'usageLimit', claim: 'seven_day_opus', resetsAt: r ?? 0 }),
    notes: [
      "shown as 'You've hit your Opus limit'; the same menu opens",
    ],
  },
  {
    name: 'seven_day_sonnet',
    description: 'Subscriber hits the per-model (Sonnet) weekly limit while using the default model',
    mode: 'tui',
    timeZone: 'UTC',
    verdict: 'quota',
    window: 'weekly_model',
    resetsAt: (now) => wholeHourAfter(now, 4 * DAY),
    reply: (r) => ({ kind: 'usageLimit', claim: 'seven_day_sonnet', resetsAt: r ?? 0 }),
    notes: [
      "shown as 'You've hit your Sonnet limit' although the session model is Opus; the same menu opens",
    ],
  },
  {
    name: 'overage',
    description: 'Usage credits (extra usage / overage) exhausted: claim overage, overage-status rejected, out_of_credits',
    mode: 'tui',
    timeZone: 'Europe/Paris',
    verdict: 'quota',
    window: 'extra_usage',
    resetsAt: (now) => wholeHourAfter(now, 5 * HOUR),
    reply: (r) => ({
      kind: 'usageLimit',
      claim: 'overage',
      resetsAt: r ?? 0,
      headers: { 'anthropic-ratelimit-unified-overage-reset': String(r ?? 0) },
    }),
    notes: [
      "shown as 'You're out of usage credits · resets ...' and the 5-hour style auto-continue is armed",
    ],
  },
  {
    name: 'throttle',
    description: 'Plain 429 without unified headers (retry-after: 1); retried, then shown as an error',
    mode: 'tui',
    timeZone: 'UTC',
    verdict: 'throttle',
    window: null,
    resetsAt: () => null,
    reply: () => ({ kind: 'throttle', retryAfterSeconds: 1 }),
    notes: [
      "retried (3 requests for CLAUDE_CODE_MAX_RETRIES=2); the final text says '(not your usage limit)': it contains the words 'usage limit' but is no quota hit",
    ],
  },
  {
    name: 'server_error',
    description: '500 api_error on every attempt',
    mode: 'tui',
    timeZone: 'Europe/Paris',
    verdict: 'server',
    window: null,
    resetsAt: () => null,
    reply: () => ({ kind: 'serverError' }),
    notes: [
      "retried; the message names the base URL host and port ('check your inference gateway (127.0.0.1:PORT)'), which differs per recording",
    ],
  },
  {
    name: 'overloaded',
    description: '529 overloaded_error whose message mentions "rate limit" (must not count as a quota hit)',
    mode: 'tui',
    timeZone: 'America/Chicago',
    verdict: 'server',
    window: null,
    resetsAt: () => null,
    reply: () => ({
      kind: 'overloaded',
      message: 'Overloaded: the service is under heavy load right now. This is not a rate limit on your account.',
    }),
    notes: [
      "retried like a 500; the final line quotes the body message, so 'rate limit' appears on screen",
    ],
  },
  {
    name: 'auth',
    description: '401 authentication_error for the OAuth token',
    mode: 'tui',
    timeZone: 'Asia/Tokyo',
    verdict: 'auth',
    window: null,
    resetsAt: () => null,
    reply: () => ({ kind: 'authError', message: 'Invalid bearer token' }),
    notes: [
      "retried once (2 requests) before 'Please run /login · API Error: 401 ...'",
    ],
  },
  {
    name: 'billing',
    description: '400 invalid_request_error "Your credit balance is too low..." (API-key billing)',
    mode: 'api-key',
    timeZone: 'America/Argentina/Cordoba',
    verdict: 'billing',
    window: null,
    resetsAt: () => null,
    reply: () => ({ kind: 'billingError' }),
    notes: [
      "shown as 'Credit balance too low · Add funds: ...'; the transcript text is 'Credit balance is too low'",
    ],
  },
  {
    name: 'warning',
    description: 'Successful reply carrying 5-hour utilization warning headers (91%, threshold 0.9)',
    mode: 'tui',
    timeZone: 'Asia/Tokyo',
    verdict: 'warning',
    window: 'five_hour',
    resetsAt: (now) => wholeHourAfter(now, 2 * HOUR),
    reply: (r) => ({ kind: 'success', text: 'Hello! How can I help?', headers: warningHeaders('five_hour', 0.91, r ?? 0) }),
    doneWhen: /You've used \d+%/,
    notes: ['the warning is a footer notification that appears a few seconds after the reply, not with it'],
  },
  {
    name: 'warning_weekly',
    description: 'Successful reply carrying weekly utilization warning headers (76%, threshold 0.75)',
    mode: 'tui',
    timeZone: 'America/Chicago',
    verdict: 'warning',
    window: 'weekly',
    resetsAt: (now) => wholeHourAfter(now, 3 * DAY),
    reply: (r) => ({ kind: 'success', text: 'Hello! How can I help?', headers: warningHeaders('seven_day', 0.76, r ?? 0) }),
    doneWhen: /You've used \d+%/,
    notes: ['the warning is a footer notification that appears a few seconds after the reply, not with it'],
  },
  {
    name: 'success',
    description: 'Normal successful reply with "allowed" unified headers',
    mode: 'tui',
    timeZone: 'UTC',
    verdict: 'none',
    window: null,
    resetsAt: () => null,
    reply: () => {
      const now = Math.floor(Date.now() / 1000);
      return {
        kind: 'success',
        text: 'Hello! How can I help?',
        headers: unifiedHeaders({
          status: 'allowed',
          resetsAt: wholeHourAfter(now, 3 * HOUR),
          claim: 'five_hour',
          fallbackAvailable: false,
          windows: {
            five_hour: { utilization: 0.12, resetsAt: wholeHourAfter(now, 3 * HOUR), status: 'allowed' },
            seven_day: { utilization: 0.3, resetsAt: wholeHourAfter(now, 4 * DAY), status: 'allowed' },
          },
        }),
      };
    },
  },
  {
    name: 'api_key_five_hour',
    description: 'API-key session (ANTHROPIC_API_KEY) receiving the same five_hour 429 as a subscriber',
    mode: 'api-key',
    timeZone: 'UTC',
    verdict: 'quota',
    window: 'five_hour',
    resetsAt: (now) => wholeHourAfter(now, 2 * HOUR),
    reply: (r) => ({ kind: 'usageLimit', claim: 'five_hour', resetsAt: r ?? 0 }),
    notes: [
      "unlike a subscriber, retried (3 requests); the retry status line reads '5-hour limit reached · retrying in 1s (<time>) · attempt 1/2' but the final error is the generic 'API Error: Request rejected (429) · <body message>'; the transcript has no quotaLimits/apiError",
    ],
  },
  {
    name: 'print_five_hour',
    description: 'Print mode (claude -p "hi") hitting the 5-hour limit',
    mode: 'print',
    timeZone: 'Europe/Paris',
    verdict: 'quota',
    window: 'five_hour',
    resetsAt: (now) => wholeHourAfter(now, 2 * HOUR),
    reply: (r) => ({ kind: 'usageLimit', claim: 'five_hour', resetsAt: r ?? 0 }),
    notes: [
      'prints the limit line on stdout and exits with status 1; nothing on stderr',
    ],
  },
];

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
}

function tmuxQuiet(...args: string[]): void {
  try {
    tmux(...args);
  } catch {
    // The server may already be gone.
  }
}

function capture(full: boolean): string {
  return tmux('capture-pane', '-p', '-J', '-t', 'rec', ...(full ? ['-S', '-'] : []));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls the pane until it has stopped changing for `quietMs` and `ready` holds, or `timeoutMs`. */
async function waitSettled(ready: (screen: string) => boolean, quietMs: number, timeoutMs: number): Promise<{ screen: string; timedOut: boolean; seen: string[] }> {
  const start = Date.now();
  let last = '';
  let lastChange = Date.now();
  const seen: string[] = [];
  for (;;) {
    const screen = capture(false);
    if (screen !== last) {
      last = screen;
      lastChange = Date.now();
      seen.push(screen);
    }
    if (ready(screen) && Date.now() - lastChange >= quietMs) {
      return { screen, timedOut: false, seen };
    }
    if (Date.now() - start > timeoutMs) {
      return { screen, timedOut: true, seen };
    }
    await sleep(200);
  }
}

/** The login the recordings were made with (matches the mock's /api/oauth/profile answer). */
const RECORDING_IDENTITY: SubscriberIdentity = {
  accessToken: 'test-access-token-alpha',
  refreshToken: 'test-refresh-token-alpha',
  expiresAt: Date.UTC(2099, 0, 1),
  subscriptionType: 'max',
  rateLimitTier: 'default_claude_max_20x',
  account: {
    accountUuid: '00000000-0000-4000-8000-000000000001',
    emailAddress: 'alpha@example.test',
    organizationUuid: '00000000-0000-4000-8000-00000000000a',
    displayName: 'Alpha',
    organizationName: 'Test Org Alpha',
  },
};

function findTranscript(config: string): string | null {
  const projects = path.join(config, 'projects');
  if (!fs.existsSync(projects)) {
    return null;
  }
  let best: { file: string; mtime: number } | null = null;
  for (const slug of fs.readdirSync(projects)) {
    for (const f of fs.readdirSync(path.join(projects, slug))) {
      if (!f.endsWith('.jsonl')) {
        continue;
      }
      const file = path.join(projects, slug, f);
      const mtime = fs.statSync(file).mtimeMs;
      if (!best || mtime > best.mtime) {
        best = { file, mtime };
      }
    }
  }
  return best?.file ?? null;
}

function describeCredential(r: RecordedRequest): string {
  if (r.apiKey !== undefined) {
    return `x-api-key:${r.apiKey}`;
  }
  if (r.authorization !== undefined) {
    return `authorization:${r.authorization}`;
  }
  return 'none';
}

async function record(def: ScenarioDef, claude: string, cliVersion: string): Promise<void> {
  const dirs = createSandboxDirs('cqs-rec-');
  const tmpRoot = dirs.root;
  const apiKey = 'test-api-key-alpha-not-a-real-key-0001';
  const login: SandboxLogin = def.mode === 'api-key' ? { kind: 'apiKey', apiKey } : { kind: 'subscriber', identity: RECORDING_IDENTITY };
  writeClaudeConfig(dirs, login);

  const nowS = Math.floor(Date.now() / 1000);
  const resetsAt = def.resetsAt(nowS);
  const reply = def.reply(resetsAt);
  const api = new MockAnthropicApi({ scenario: () => reply });
  const { url } = await api.start();
  const rawFile = path.join(tmpRoot, 'pane.bin');
  const goFile = path.join(tmpRoot, 'go');
  const prompt = 'hi';
  const notes = [...(def.notes ?? [])];

  const env = sandboxEnv(dirs, {
    baseUrl: url,
    timeZone: def.timeZone,
    ...(def.mode === 'api-key' && { apiKey }),
  });
  const command = def.mode === 'print' ? [claude, '-p', prompt] : [claude];
  const launcher = paneLauncher(env, goFile, command);

  const startedAt = new Date();
  let panePid: number | undefined;
  let socketPath: string | undefined;
  try {
    tmux(
      'start-server', ';',
      // Keep a print-mode pane readable after the CLI exits, without tmux's "Pane is dead" line.
      'set-option', '-g', 'remain-on-exit', 'on', ';',
      'set-option', '-g', 'remain-on-exit-format', '', ';',
      'set-option', '-g', 'history-limit', '10000', ';',
      'new-session', '-d', '-s', 'rec', '-x', String(COLS), '-y', String(ROWS), '-c', dirs.cwd, ...launcher,
    );
    panePid = Number(tmux('display-message', '-p', '-t', 'rec', '#{pane_pid}').trim());
    socketPath = tmux('display-message', '-p', '#{socket_path}').trim();
    tmux('pipe-pane', '-o', '-t', 'rec', `cat >> '${rawFile}'`);
    fs.writeFileSync(goFile, '');

    if (def.mode !== 'print') {
      // Wait for the input box, then type the prompt; text and Enter go separately, as typed.
      const boot = await waitSettled((s) => s.includes('❯'), 1500, 30000);
      if (boot.timedOut) {
        notes.push('TUI prompt did not appear within 30 s');
      }
      tmux('send-keys', '-t', 'rec', '-l', prompt);
      await sleep(400);
      tmux('send-keys', '-t', 'rec', 'Enter');
    }

    const finished = await waitSettled(
      (s) => api.messageRequests().length > 0 && !/esc to interrupt/i.test(s) && (def.doneWhen?.test(s) ?? true),
      3000,
      120000,
    );
    if (finished.timedOut) {
      notes.push('screen did not settle within 120 s');
    }
    const retrying = finished.seen.find((s) => /attempt \d+\/\d+/i.test(s));
    if (retrying !== undefined) {
      fs.writeFileSync(path.join(OUT_RECORDINGS, `${def.name}.retrying.txt`), scrub(retrying, tmpRoot));
      notes.push(`a screen during retries was saved as ${def.name}.retrying.txt`);
    }
    const menu = finished.screen.includes('What do you want to do?');
    if (menu) {
      notes.push('the "What do you want to do?" menu opened');
    }
    if (def.afterKeys) {
      for (const key of def.afterKeys) {
        tmux('send-keys', '-t', 'rec', key);
        await waitSettled(() => true, 2000, 15000);
      }
    }

    const text = capture(true);
    const dead = tmux('display-message', '-p', '-t', 'rec', '#{pane_dead}:#{pane_dead_status}').trim();
    if (dead.startsWith('1:')) {
      notes.push(`the CLI exited with status ${dead.slice(2)}`);
    }
    const recordedAt = startedAt.toISOString();
    // Give pipe-pane a moment to flush before reading the raw bytes.
    await sleep(300);
    const raw = fs.existsSync(rawFile) ? fs.readFileSync(rawFile) : Buffer.alloc(0);

    const transcriptSrc = findTranscript(dirs.config);
    let transcriptName: string | null = null;
    if (transcriptSrc) {
      transcriptName = `${def.name}.jsonl`;
      fs.writeFileSync(path.join(OUT_TRANSCRIPTS, transcriptName), scrub(fs.readFileSync(transcriptSrc, 'utf8'), tmpRoot));
    } else {
      notes.push('the CLI wrote no transcript');
    }

    const lastMessage = api.messageRequests().at(-1);
    const headersSent = Object.fromEntries(
      Object.entries(lastMessage?.responseHeaders ?? {}).filter(([k]) => k.startsWith('anthropic-ratelimit-') || k.startsWith('retry-after')),
    );
    const meta: RecordingMetadata = {
      scenario: def.name,
      description: def.description,
      mode: def.mode,
      cols: COLS,
      rows: ROWS,
      timeZone: def.timeZone,
      recordedAt,
      cliVersion,
      expected: {
        verdict: def.verdict,
        window: def.window,
        resetsAt: resetsAt === null ? null : new Date(resetsAt * 1000).toISOString(),
      },
      resetsAtEpoch: resetsAt,
      headersSent,
      prompt,
      command: ['claude', ...command.slice(1)],
      requests: api.requests.map((r) => {
        const b = r.body as { model?: unknown; stream?: unknown } | undefined;
        return {
          method: r.method,
          path: r.path,
          status: r.status,
          credential: describeCredential(r),
          ...(typeof b?.model === 'string' && { model: b.model }),
          ...(typeof b?.stream === 'boolean' && { stream: b.stream }),
        };
      }),
      transcript: transcriptName === null ? null : `../transcripts/${transcriptName}`,
      notes,
    };
    fs.writeFileSync(path.join(OUT_RECORDINGS, `${def.name}.bin`), scrubBuffer(raw, tmpRoot));
    fs.writeFileSync(path.join(OUT_RECORDINGS, `${def.name}.txt`), scrub(text, tmpRoot));
    fs.writeFileSync(path.join(OUT_RECORDINGS, `${def.name}.json`), JSON.stringify(meta, null, 2) + '\n');
    console.log(`recorded ${def.name}: ${raw.length} bytes, ${api.requests.length} requests${notes.length ? ` (${notes.join('; ')})` : ''}`);
  } finally {
    tmuxQuiet('kill-server');
    if (socketPath) {
      // tmux leaves the socket file behind after kill-server.
      fs.rmSync(socketPath, { force: true });
    }
    if (panePid !== undefined) {
      killIfAlive(panePid);
    }
    await api.close();
    removeSandboxDirs(dirs);
  }
}

/** Same placeholder substitution as scrub(), on raw bytes (paths are ASCII, so byte-safe). */
function scrubBuffer(raw: Buffer, tmpRoot: string): Buffer {
  return Buffer.from(scrub(raw.toString('latin1'), tmpRoot), 'latin1');
}

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 0);
  } catch {
    return;
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Exited in between.
  }
}

async function main(): Promise<void> {
  const claude = execFileSync('bash', [path.join(REPO, 'test', 'support', 'install-claude-code.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const cliVersion = execFileSync(claude, ['--version'], { encoding: 'utf8' }).trim().split(/\s+/)[0] ?? 'unknown';
  fs.mkdirSync(OUT_RECORDINGS, { recursive: true });
  fs.mkdirSync(OUT_TRANSCRIPTS, { recursive: true });
  const wanted = process.argv.slice(2);
  const selected = wanted.length ? SCENARIOS.filter((s) => wanted.includes(s.name)) : SCENARIOS;
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w));
  if (unknown.length) {
    console.error(`unknown scenarios: ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  for (const def of selected) {
    await record(def, claude, cliVersion);
  }
}

const killServer = (): void => {
  tmuxQuiet('kill-server');
  process.exit(130);
};
process.on('SIGINT', killServer);
process.on('SIGTERM', killServer);

void main();
