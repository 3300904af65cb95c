// Running tmux: one-shot commands and long-lived control-mode clients, through an injectable spawn.

import { spawn as nodeSpawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import * as path from 'node:path';
import { ControlEvent, ControlModeParser } from './controlModeParser';

export type SpawnFn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
export const defaultSpawn: SpawnFn = (command, args, options) => nodeSpawn(command, [...args], options);

/** `-L name` (a socket in tmux's socket directory) or `-S path`. */
export type TmuxSocket = { readonly name: string } | { readonly path: string };

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when tmux could not be started at all (e.g. ENOENT). */
  readonly spawnError: Error | null;
}

/** Where tmux puts a named socket: $TMUX_TMPDIR (or /tmp)/tmux-<uid>/<name>. */
export function socketPath(socket: TmuxSocket, env: NodeJS.ProcessEnv = process.env): string {
  if ('path' in socket) return path.resolve(socket.path);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  // tmux uses _PATH_TMP, not os.tmpdir(), when TMUX_TMPDIR is unset.
  const base = env.TMUX_TMPDIR !== undefined && env.TMUX_TMPDIR !== '' ? env.TMUX_TMPDIR : '/tmp';
  return path.join(base, `tmux-${uid}`, socket.name);
}

export function socketArgs(socket: TmuxSocket): string[] {
  return 'path' in socket ? ['-S', socket.path] : ['-L', socket.name];
}

export class TmuxRunner {
  constructor(
    private readonly tmux: string,
    private readonly socket: TmuxSocket,
    private readonly spawn: SpawnFn,
  ) {}

  get args(): string[] {
    return socketArgs(this.socket);
  }

  run(args: readonly string[]): Promise<RunResult> {
    return new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = this.spawn(this.tmux, [...this.args, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        resolve({ code: null, stdout: '', stderr: '', spawnError: err instanceof Error ? err : new Error(String(err)) });
        return;
      }
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let spawnError: Error | null = null;
      child.stdout?.on('data', (b: Buffer) => out.push(b));
      child.stderr?.on('data', (b: Buffer) => errOut.push(b));
      child.on('error', (err) => {
        spawnError = err;
      });
      child.on('close', (code) => {
        resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8'), spawnError });
      });
    });
  }

  /** Parses `tmux -V` ("tmux 3.3a", "tmux next-3.4", "tmux master"); null when unknown. */
  async version(): Promise<{ major: number; minor: number } | null> {
    const r = await this.run(['-V']);
    const m = /(\d+)\.(\d+)/.exec(r.stdout);
    if (m) return { major: Number(m[1]), minor: Number(m[2]) };
    return /master|next/.test(r.stdout) ? { major: 99, minor: 0 } : null;
  }
}

interface Pending {
  resolve(reply: { ok: boolean; lines: Buffer[] }): void;
}

/**
 * One `tmux -C attach` client. It only ever sends read commands (capture-pane, display-message);
 * read-only additionally stops it from passing keys, and ignore-size keeps it out of the session's
 * size calculation.
 */
export class ControlClient {
  private readonly child: ChildProcess;
  private readonly parser = new ControlModeParser();
  private readonly pending: Pending[] = [];
  private firstBlockSeen = false;
  private closed = false;
  private stderr = '';

  constructor(
    runner: TmuxRunner,
    tmux: string,
    spawn: SpawnFn,
    readonly sessionId: string,
    attachFlags: readonly string[],
    private readonly onEvents: (events: ControlEvent[]) => void,
    private readonly onClose: (code: number | null, stderr: string) => void,
  ) {
    this.child = spawn(tmux, [...runner.args, '-C', 'attach-session', '-t', sessionId, ...attachFlags], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += chunk.toString('utf8');
    });
    // A write after tmux exited fails with EPIPE; the close handler reports the exit.
    this.child.stdin?.on('error', () => undefined);
    this.child.on('error', (err) => {
      this.stderr += err.message;
    });
    this.child.on('close', (code) => {
      this.closed = true;
      for (const p of this.pending.splice(0)) p.resolve({ ok: false, lines: [] });
      this.onClose(code, this.stderr.trim());
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends one command line; resolves with one reply per command in it (`a ; b` gives two), in
   * order. tmux runs the commands of one line back to back, with no pane output in between.
   */
  command(line: string, replies = 1): Promise<Array<{ ok: boolean; lines: Buffer[] }>> {
    if (this.closed || this.child.stdin === null) return Promise.resolve([]);
    const all: Array<Promise<{ ok: boolean; lines: Buffer[] }>> = [];
    for (let i = 0; i < replies; i++) all.push(new Promise((resolve) => this.pending.push({ resolve })));
    this.child.stdin.write(`${line}\n`);
    return Promise.all(all);
  }

  close(): void {
    if (this.closed) return;
    // Closing stdin detaches the client; the signal covers a client that no longer reads.
    this.child.stdin?.end();
    this.child.kill();
  }

  private onData(chunk: Buffer): void {
    const events = this.parser.push(chunk);
    const forward: ControlEvent[] = [];
    for (const e of events) {
      if (e.type === 'reply') {
        // Flags 1 marks replies to this client's commands; tmux before 3.0 has no flags, and
        // there the first block is the reply to the attach itself.
        const first = !this.firstBlockSeen;
        this.firstBlockSeen = true;
        const mine = e.flags === 1 || (e.flags === null && !first);
        if (mine) this.pending.shift()?.resolve({ ok: e.ok, lines: e.lines });
        continue;
      }
      forward.push(e);
    }
    if (forward.length > 0) this.onEvents(forward);
  }
}
