// Runs the real Claude Code CLI (the version install-claude-code.sh pins) against the mock API
// inside a throwaway sandbox, and the project's built CLI (dist/cli.js) next to it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import {
  createSandboxDirs,
  removeSandboxDirs,
  sandboxEnv,
  subscriberIdentity,
  writeClaudeConfig,
  writeSubscriberLogin,
  type SandboxDirs,
  type SubscriberIdentity,
} from '../support/claudeSandbox';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const QUOTA_CLI = path.join(REPO, 'dist', 'cli.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let installed: Promise<string> | undefined;

/**
 * Path of the pinned `claude` executable. The install script (idempotent, well under a second once
 * installed; it brings node 24 along on a fresh machine) runs once per process.
 */
export function ensureClaudeInstalled(): Promise<string> {
  installed ??= new Promise<string>((resolve, reject) => {
    execFile(
      'bash',
      [path.join(REPO, 'test', 'support', 'install-claude-code.sh')],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 15 * 60_000 },
      (err, stdout, stderr) => {
        if (err) {
          installed = undefined; // let a later call try again
          reject(new Error(`install-claude-code.sh failed: ${err.message}\n${stderr}`));
          return;
        }
        const exe = stdout.trim().split('\n').at(-1) ?? '';
        if (!fs.existsSync(exe)) {
          installed = undefined;
          reject(new Error(`install-claude-code.sh printed no executable (${JSON.stringify(stdout)})`));
          return;
        }
        resolve(exe);
      },
    );
  });
  return installed;
}

/** Fails early with a clear message instead of a confusing error from a stale or missing build. */
export function assertQuotaCliBuilt(): void {
  if (!fs.existsSync(QUOTA_CLI)) {
    throw new Error(`${QUOTA_CLI} is missing: run npm run build first`);
  }
}

export class ClaudeSandbox {
  private constructor(readonly dirs: SandboxDirs) {}

  /** A sandbox logged in as the made-up subscriber `name` (see subscriberIdentity). */
  static create(name: string): ClaudeSandbox {
    const dirs = createSandboxDirs('cqs-e2e-');
    writeClaudeConfig(dirs, { kind: 'subscriber', identity: subscriberIdentity(name) });
    return new ClaudeSandbox(dirs);
  }

  /** Replaces the stored login, as /login with another account would. */
  login(identity: SubscriberIdentity): void {
    writeSubscriberLogin(this.dirs, identity);
  }

  /** Profiles of `claude-quota accounts` live here, next to the sandbox. */
  get quotaHome(): string {
    return path.join(this.dirs.root, 'quota');
  }

  env(baseUrl: string, timeZone = 'UTC'): Record<string, string> {
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl)) {
      throw new Error(`refusing to point Claude Code at ${baseUrl}: tests talk to the local mock only`);
    }
    return sandboxEnv(this.dirs, { baseUrl, timeZone });
  }

  /** `claude -p <prompt>` with the sandbox's login, talking only to `baseUrl`. */
  async runPrint(prompt: string, baseUrl: string, options: { timeZone?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    const claude = await ensureClaudeInstalled();
    return run(claude, ['-p', prompt], {
      env: this.env(baseUrl, options.timeZone),
      cwd: this.dirs.cwd,
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  }

  /**
   * `claude -p <prompt>` with its stdout piped straight into `node dist/cli.js <quotaArgs>`, as a
   * user would with `claude -p … | claude-quota classify`.
   */
  async runPrintInto(
    prompt: string,
    baseUrl: string,
    quotaArgs: readonly string[],
    options: { timeZone?: string; timeoutMs?: number } = {},
  ): Promise<{ claude: RunResult; quota: RunResult }> {
    const claudeExe = await ensureClaudeInstalled();
    const child = spawn(claudeExe, ['-p', prompt], {
      env: this.env(baseUrl, options.timeZone),
      cwd: this.dirs.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Piped before any I/O callback can run, so the reader sees every byte.
    const quota = pipeIntoQuotaCli(child.stdout!, quotaArgs);
    const claude = collect(child, options.timeoutMs ?? 60_000, `claude -p ${prompt}`);
    const [claudeResult, quotaResult] = await Promise.all([claude, quota]);
    return { claude: claudeResult, quota: quotaResult };
  }

  /** `node dist/cli.js <args>` with only this sandbox's Claude Code paths and profile store. */
  runQuota(args: readonly string[], input?: string | Buffer): Promise<RunResult> {
    return runQuotaCli(args, { HOME: this.dirs.home, CLAUDE_CONFIG_DIR: this.dirs.config, CLAUDE_QUOTA_HOME: this.quotaHome }, input);
  }

  remove(): void {
    removeSandboxDirs(this.dirs);
  }
}

/**
 * The project's built CLI, with an environment built from nothing (no override variable of the
 * caller can leak in) plus `extraEnv`.
 */
export function runQuotaCli(args: readonly string[], extraEnv: Record<string, string>, input?: string | Buffer): Promise<RunResult> {
  return run(process.execPath, [QUOTA_CLI, ...args], { env: quotaEnv(extraEnv), cwd: REPO, timeoutMs: 30_000, input });
}

/** The built CLI reading its stdin from `source` (e.g. another process's stdout). */
export function pipeIntoQuotaCli(source: Readable, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  const child = spawn(process.execPath, [QUOTA_CLI, ...args], { env: quotaEnv(extraEnv), cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  source.pipe(child.stdin!);
  return collect(child, 60_000, `claude-quota ${args.join(' ')}`);
}

function quotaEnv(extraEnv: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', USER: 'tester', LANG: 'C.UTF-8', ...extraEnv };
}

interface RunOptions {
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  input?: string | Buffer;
}

export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) {
    child.stdin?.end(options.input);
  }
  return collect(child, options.timeoutMs, `${path.basename(command)} ${args.join(' ')}`);
}

/** Everything the child prints until it exits; it is killed (and the promise rejected) after `timeoutMs`. */
export function collect(child: ChildProcess, timeoutMs: number, what: string): Promise<RunResult> {
  return new Promise<RunResult>((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not exit within ${timeoutMs} ms; stdout: ${Buffer.concat(out).toString('utf8')}; stderr: ${Buffer.concat(err).toString('utf8')}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // 'close' rather than 'exit': it fires after stdout and stderr are drained.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Polls `check` every `everyMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Next whole hour at least `minAheadS` seconds from `nowS` (unix seconds). */
export function wholeHourAfter(nowS: number, minAheadS: number): number {
  return Math.ceil((nowS + minAheadS) / 3600) * 3600;
}
