// A private tmux server for tests: its socket lives in a temp directory (never the user's server),
// with a fake `claude` executable on PATH that replays a recording.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Timers } from '../../src/core/base/timers';
import type { TmuxSourceEvent } from '../../src/core/sources/tmux/tmuxSource';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const RECORDINGS = path.join(REPO, 'test', 'fixtures', 'recordings');

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** For tests that need tmux: fails (never skips) when it is missing; test/host/setup.sh installs it. */
export function requireTmux(): void {
  if (!hasTmux()) throw new Error('tmux is not installed: run test/host/setup.sh (it installs tmux from apt)');
}

export class TmuxServer {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-tmux-'));
  readonly socket = path.join(this.dir, 'sock');
  readonly bin = path.join(this.dir, 'bin');
  private fifoCount = 0;

  constructor() {
    fs.mkdirSync(this.bin);
    // Replays the file named by $1 (a FIFO the test writes into, or a plain file), then idles.
    // No echo: tmux answers the recording's terminal queries, which would otherwise be printed.
    // The trailing `exit` stops sh from exec'ing sleep, so the `claude` process stays visible.
    const script = '#!/bin/sh\nstty -echo 2>/dev/null\ncat "$1"\nsleep 600\nexit 0\n';
    for (const name of ['claude', 'replay']) {
      fs.writeFileSync(path.join(this.bin, name), script, { mode: 0o755 });
    }
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** A shell command that runs `program` from the test's bin directory on `file`. */
  command(program: 'claude' | 'replay', file: string): string {
    return `${path.join(this.bin, program)} '${file}'`;
  }

  /** Starts (or adds to) the server a session whose first pane runs `cmd`; returns its pane id. */
  newSession(name: string, cmd: string, cols = 120, rows = 40): string {
    return this.tmux('new-session', '-d', '-P', '-F', '#{pane_id}', '-s', name, '-x', String(cols), '-y', String(rows), cmd).trim();
  }

  splitWindow(target: string, cmd: string): string {
    return this.tmux('split-window', '-d', '-P', '-F', '#{pane_id}', '-t', target, cmd).trim();
  }

  /** A full-size pane in a new window (a split would shrink the panes and cut recorded screens). */
  newWindow(session: string, cmd: string): string {
    return this.tmux('new-window', '-d', '-P', '-F', '#{pane_id}', '-t', `${session}:`, cmd).trim();
  }

  fifo(): string {
    const p = path.join(this.dir, `fifo${this.fifoCount++}`);
    execFileSync('mkfifo', [p]);
    return p;
  }

  capture(paneId: string): string {
    return this.tmux('capture-pane', '-p', '-t', paneId);
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // not running
    }
  }

  cleanup(): void {
    this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Records a source's events and waits for the ones a test expects. */
export class EventLog {
  readonly events: Array<TmuxSourceEvent & { t: number }> = [];
  private waiters: Array<() => void> = [];

  readonly listener = (e: TmuxSourceEvent): void => {
    this.events.push({ ...e, t: performance.now() });
    for (const w of this.waiters.splice(0)) w();
  };

  of<T extends TmuxSourceEvent['type']>(type: T): Array<Extract<TmuxSourceEvent, { type: T }> & { t: number }> {
    return this.events.filter((e) => e.type === type) as Array<Extract<TmuxSourceEvent, { type: T }> & { t: number }>;
  }

  async waitFor<T extends TmuxSourceEvent['type']>(
    type: T,
    pred: (e: Extract<TmuxSourceEvent, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<TmuxSourceEvent, { type: T }> & { t: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.of(type).find(pred);
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${type}; got ${JSON.stringify(this.events.map((e) => e.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** Node timers that remember which are still pending, to prove a source left none running. */
export class CountingTimers implements Timers {
  readonly active = new Set<NodeJS.Timeout>();

  setTimeout(fn: () => void, ms: number): unknown {
    const h = setTimeout(() => {
      this.active.delete(h);
      fn();
    }, ms);
    this.active.add(h);
    return h;
  }

  clearTimeout(handle: unknown): void {
    this.active.delete(handle as NodeJS.Timeout);
    clearTimeout(handle as NodeJS.Timeout);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
