// CPU cost of watching a busy session: ordinary Claude Code output arriving at a steady rate, fed
// to a ScreenWatcher as both sources feed it, against the same schedule that only copies the chunks
// into a Buffer. A look after every chunk is measured too, for scale.
import { ScreenClassifier } from '../../src/core/screen/screenClassifier';
import { ScreenWatcher } from '../../src/core/screen/screenWatcher';
import type { TimeContext } from '../../src/core/detection/types';

export interface CpuResult {
  /** Share of one core, in percent: CPU time (user + system) over wall time. */
  readonly percent: number;
  readonly seconds: number;
  readonly bytes: number;
}

/** Chunks every `tickMs` so `bytesPerSecond` arrive on average; `handle` receives each chunk. */
async function stream(corpus: Buffer, bytesPerSecond: number, seconds: number, tickMs: number, handle: (chunk: Buffer) => Promise<void> | void): Promise<CpuResult> {
  const perTick = Math.round((bytesPerSecond * tickMs) / 1000);
  const startWall = performance.now();
  const startCpu = process.cpuUsage();
  let off = 0;
  let sent = 0;
  for (let tick = 1; ; tick++) {
    if (off + perTick > corpus.length) off = 0;
    await handle(corpus.subarray(off, off + perTick));
    off += perTick;
    sent += perTick;
    // Scheduled against the start, so slow handling does not lower the rate.
    const due = startWall + tick * tickMs;
    if (due - startWall >= seconds * 1000) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const wall = (performance.now() - startWall) / 1000;
  const cpu = process.cpuUsage(startCpu);
  return { percent: ((cpu.user + cpu.system) / 1e6 / wall) * 100, seconds: wall, bytes: sent };
}

/** The ScreenWatcher both sources feed: looks when its LookScheduler says, deferred looks on its timer. */
export async function classifierCpu(corpus: Buffer, bytesPerSecond: number, seconds: number, ctx: TimeContext, tickMs = 20): Promise<CpuResult & { looks: number }> {
  let looks = 0;
  const watcher = new ScreenWatcher({
    screen: { cols: 120, rows: 40 },
    timeContext: () => {
      looks++;
      return ctx;
    },
    onVerdict: () => undefined,
    onError: (err) => {
      throw err;
    },
  });
  try {
    const result = await stream(corpus, bytesPerSecond, seconds, tickMs, (chunk) => watcher.feed(chunk));
    return { ...result, looks };
  } finally {
    watcher.dispose();
  }
}

/** The same stream rendered and never looked at: the floor of any screen-based watcher. */
export async function parseOnlyCpu(corpus: Buffer, bytesPerSecond: number, seconds: number, tickMs = 20): Promise<CpuResult> {
  const session = new ScreenClassifier({ cols: 120, rows: 40 });
  try {
    return await stream(corpus, bytesPerSecond, seconds, tickMs, (chunk) => session.write(chunk));
  } finally {
    session.dispose();
  }
}

/** The same stream with a look after every chunk. */
export async function everyChunkCpu(corpus: Buffer, bytesPerSecond: number, seconds: number, ctx: TimeContext, tickMs = 20): Promise<CpuResult> {
  const session = new ScreenClassifier({ cols: 120, rows: 40 });
  try {
    return await stream(corpus, bytesPerSecond, seconds, tickMs, async (chunk) => {
      session.write(chunk);
      await session.look(ctx);
    });
  } finally {
    session.dispose();
  }
}

export async function copyCpu(corpus: Buffer, bytesPerSecond: number, seconds: number, tickMs = 20): Promise<CpuResult> {
  const sink = Buffer.alloc(Math.round((bytesPerSecond * tickMs) / 1000) + 1);
  return stream(corpus, bytesPerSecond, seconds, tickMs, (chunk) => void chunk.copy(sink));
}
