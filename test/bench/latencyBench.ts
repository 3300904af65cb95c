// Detection latency: from the moment the limit line's bytes are handed over to the moment the
// extension knows. Two paths, each measured per run on a fresh session:
//  - tmux: bytes written into a FIFO that a `claude` replay script in a private tmux server cats
//    into its pane; measured to TmuxSource's `verdict` event (pty, tmux server, control-mode client,
//    parser, screen and classifier included).
//  - integrated terminal, in-process: a fake execution.read() iterator yields the bytes to the real
//    TerminalSource, SessionsController (QuotaDetector) and status text (describeWatch); VS Code's
//    own pty-to-extension-host hop is not included.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { ProfileView } from '../../src/core/accounts/accountManager';
import { ScreenClassifier } from '../../src/core/screen/screenClassifier';
import { TmuxSource } from '../../src/core/sources/tmux/tmuxSource';
import type { TimeContext } from '../../src/core/detection/types';
import { Emitter } from '../../src/core/base/event';
import { SessionsController } from '../../src/extension/sessions/sessionsController';
import { DEFAULTS, type SettingKey, type Settings } from '../../src/extension/settings';
import type { SourceEvent } from '../../src/extension/sources/sessionSource';
import { TerminalSource, type TerminalWindow } from '../../src/extension/sources/terminalSource';
import { describeWatch } from '../../src/extension/statusBar/statusView';
import { EventLog, RECORDINGS, TmuxServer } from '../support/tmuxHarness';
import { sleep } from './stats';

export interface Recording {
  readonly bytes: Buffer;
  /** Offset of the first byte that draws the limit line: everything before it shows no limit. */
  readonly cut: number;
  readonly ctx: TimeContext;
}

/**
 * The recording split just before the line that says the limit was hit: at the carriage return
 * that starts drawing it. Checked with a ScreenClassifier, so a changed recording cannot silently
 * measure something else.
 */
export async function loadRecording(name = 'five_hour'): Promise<Recording> {
  const bytes = fs.readFileSync(path.join(RECORDINGS, `${name}.bin`));
  const meta = JSON.parse(fs.readFileSync(path.join(RECORDINGS, `${name}.json`), 'utf8')) as { recordedAt: string; timeZone: string; cols: number; rows: number };
  const ctx = { now: new Date(meta.recordedAt), timeZone: meta.timeZone };
  const first = Math.min(...['hit your', 'limit'].map((n) => bytes.indexOf(n)).filter((i) => i >= 0));
  if (!Number.isFinite(first)) throw new Error(`${name}: no limit line found`);
  const cr = bytes.lastIndexOf('\r', first);
  const cut = cr > 0 ? cr : first;
  const before = new ScreenClassifier({ cols: meta.cols, rows: meta.rows });
  const early = await before.feed(bytes.subarray(0, cut), ctx, true);
  before.dispose();
  const whole = new ScreenClassifier({ cols: meta.cols, rows: meta.rows });
  const late = await whole.feed(bytes, ctx, true);
  whole.dispose();
  if (early.verdict === 'quota' || late.verdict !== 'quota') throw new Error(`${name}: cut at ${cut} does not separate the limit line`);
  return { bytes, cut, ctx };
}


/** Milliseconds from the write of the limit line into a pane's FIFO to TmuxSource's quota verdict, per run. */
export async function tmuxLatency(rec: Recording, runs: number): Promise<number[]> {
  const server = new TmuxServer();
  const log = new EventLog();
  let source: TmuxSource | null = null;
  try {
    // An idle first window keeps the session (and the server) alive while run windows come and go.
    server.newSession('bench', 'sleep 600', 120, 40);
    source = new TmuxSource({ socket: { path: server.socket }, timeContext: () => rec.ctx, recheckMs: 200 }, log.listener);
    source.start();
    await log.waitFor('state', (e) => e.state === 'connected');
    const samples: number[] = [];
    // One warm-up run: the first attach and the first screen pay one-off costs (JIT, xterm setup).
    for (let i = 0; i < runs + 1; i++) {
      const fifo = server.fifo();
      const pane = server.newWindow('bench', server.command('claude', fifo));
      await log.waitFor('paneAdded', (e) => e.paneId === pane);
      await sleep(300); // the seed capture; output during it is taken from the capture instead
      const fh = await fs.promises.open(fifo, 'w');
      try {
        await fh.write(rec.bytes.subarray(0, rec.cut));
        await sleep(150); // the screen settles on everything before the limit line
        const t0 = performance.now();
        await fh.write(rec.bytes.subarray(rec.cut));
        const verdict = await log.waitFor('verdict', (e) => e.paneId === pane && e.classification.verdict === 'quota');
        if (i > 0) samples.push(verdict.t - t0);
      } finally {
        await fh.close();
      }
      server.tmux('kill-window', '-t', pane);
      await log.waitFor('paneRemoved', (e) => e.paneId === pane);
    }
    return samples;
  } finally {
    source?.dispose();
    server.cleanup();
  }
}

/** A stream the bench pushes into, shaped like TerminalShellExecution.read(). */
class PushStream {
  private queue: string[] = [];
  private ended = false;
  private waiting: (() => void) | null = null;

  readonly iterable: AsyncIterable<string> = {
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<string>> => {
        for (;;) {
          const value = this.queue.shift();
          if (value !== undefined) return { done: false, value };
          if (this.ended) return { done: true, value: undefined };
          await new Promise<void>((resolve) => (this.waiting = resolve));
        }
      },
      return: async (): Promise<IteratorResult<string>> => ({ done: true, value: undefined }),
    }),
  };

  push(chunk: string): void {
    this.queue.push(chunk);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }
}

class BenchEvent<T> {
  private readonly listeners = new Set<(e: T) => unknown>();
  readonly event = ((listener: (e: T) => unknown) => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }) as vscode.Event<T>;
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
}

export interface TerminalSample {
  /** TerminalSource's quota verdict event. */
  readonly verdict: number;
  /** The detector's `blocked` event, through the sessions controller. */
  readonly blocked: number;
  /** The status bar text computed from the snapshot changed to the countdown. */
  readonly status: number;
}

const PROFILE = { id: 'work', label: 'work', email: 'work@example.com', organizationName: null, plan: null, state: { kind: 'available' }, active: true, tokenExpiresAt: null, tokenExpired: false } as ProfileView;

async function until<T>(get: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** One integrated-terminal run: fresh source, controller and status text, prefix first, then the limit line. */
async function terminalRun(rec: Recording): Promise<TerminalSample> {
  const start = new BenchEvent<vscode.TerminalShellExecutionStartEvent>();
  const end = new BenchEvent<vscode.TerminalShellExecutionEndEvent>();
  const none = new BenchEvent<never>();
  const window = {
    terminals: [],
    onDidOpenTerminal: none.event,
    onDidCloseTerminal: none.event,
    onDidChangeTerminalShellIntegration: none.event,
    onDidStartTerminalShellExecution: start.event,
    onDidEndTerminalShellExecution: end.event,
    createTerminal: () => {
      throw new Error('not used');
    },
  } as unknown as TerminalWindow;
  const settings: Settings = { ...DEFAULTS, 'sources.transcripts': false };
  const read = <K extends SettingKey>(k: K): Settings[K] => settings[k];
  const source = new TerminalSource({ settings: read, window, timeContext: () => rec.ctx });
  let verdictAt: number | undefined;
  let blockedAt: number | undefined;
  let statusAt: number | undefined;
  // Subscribed before the controller, so the verdict is stamped before the controller handles it.
  source.onEvent((e: SourceEvent) => {
    if (e.type === 'verdict' && e.classification.verdict === 'quota') verdictAt ??= performance.now();
  });
  const accountsChanged = new Emitter<void>();
  const controller = new SessionsController({
    accounts: { list: () => Promise.resolve([PROFILE]), onDidChangeAccounts: accountsChanged.event },
    config: { onChange: () => ({ dispose: () => undefined }) },
    read,
    sources: [source],
    now: () => rec.ctx.now,
  });
  try {
    await controller.refreshAccounts();
    const idleText = describeWatch([PROFILE], controller.snapshot(), rec.ctx.now, rec.ctx.timeZone).text;
    controller.onDetectorEvent((e) => {
      if (e.type === 'blocked') blockedAt ??= performance.now();
    });
    // What StatusBarController.render() computes on every change, minus the vscode item itself.
    controller.onDidChange(() => {
      if (statusAt !== undefined) return;
      if (describeWatch([PROFILE], controller.snapshot(), rec.ctx.now, rec.ctx.timeZone).text !== idleText) statusAt = performance.now();
    });

    const stream = new PushStream();
    const execution = { commandLine: { value: 'claude', isTrusted: true, confidence: 2 }, cwd: undefined, read: () => stream.iterable };
    const terminal = { name: 'bash', shellIntegration: {}, creationOptions: {}, processId: Promise.resolve(undefined) };
    start.fire({ terminal, shellIntegration: terminal.shellIntegration, execution } as unknown as vscode.TerminalShellExecutionStartEvent);
    stream.push(rec.bytes.subarray(0, rec.cut).toString('utf8'));
    await sleep(50);
    if (verdictAt !== undefined || blockedAt !== undefined) throw new Error('limit reported before the limit line');
    const t0 = performance.now();
    stream.push(rec.bytes.subarray(rec.cut).toString('utf8'));
    const verdict = await until(() => verdictAt, 'terminal verdict');
    const blocked = await until(() => blockedAt, 'blocked');
    const status = await until(() => statusAt, 'status text change');
    stream.end();
    return { verdict: verdict - t0, blocked: blocked - t0, status: status - t0 };
  } finally {
    controller.dispose();
    source.dispose();
  }
}

export async function terminalLatency(rec: Recording, runs: number): Promise<TerminalSample[]> {
  const samples: TerminalSample[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const s = await terminalRun(rec);
    if (i > 0) samples.push(s); // the first run is a warm-up
  }
  return samples;
}
