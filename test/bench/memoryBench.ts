// Memory per watched session: many ScreenClassifiers, each having rendered a recorded session and
// then a stretch of ordinary output (so their scrollback is as full as it gets), kept alive while
// the heap and the resident set are measured after a full GC.
import { ScreenClassifier } from '../../src/core/screen/screenClassifier';
import type { TimeContext } from '../../src/core/detection/types';

const MB = 1024 * 1024;
const CHUNK = 4096;

export interface MemoryResult {
  readonly sessions: number;
  /** Per session, in MB. */
  readonly heapMb: number;
  readonly rssMb: number;
  /** The same stream copied into one Buffer per session, kept alive: the raw bytes alone, per session. */
  readonly baselineMb: number;
}

function settle(): { heap: number; rss: number } {
  global.gc?.();
  global.gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

export async function memoryPerSession(recording: Buffer, ordinary: Buffer, sessions: number, outputBytes: number, ctx: TimeContext): Promise<MemoryResult> {
  const before = settle();
  const kept: ScreenClassifier[] = [];
  for (let i = 0; i < sessions; i++) {
    // The default size, as the integrated-terminal source uses: the larger of the two sources' screens.
    const s = new ScreenClassifier();
    await s.feed(recording, ctx);
    let sent = 0;
    let off = 0;
    while (sent < outputBytes) {
      if (off + CHUNK > ordinary.length) off = 0;
      s.write(ordinary.subarray(off, off + CHUNK));
      off += CHUNK;
      sent += CHUNK;
      if (sent % (16 * CHUNK) === 0) await s.look(ctx);
    }
    await s.look(ctx);
    kept.push(s);
  }
  const after = settle();
  const result = {
    sessions,
    heapMb: (after.heap - before.heap) / sessions / MB,
    rssMb: (after.rss - before.rss) / sessions / MB,
  };
  for (const s of kept) s.dispose();
  kept.length = 0;

  const base0 = settle();
  const copies: Buffer[] = [];
  for (let i = 0; i < sessions; i++) copies.push(Buffer.concat([recording, ordinary.subarray(0, Math.min(outputBytes, ordinary.length))]));
  const base1 = settle();
  const baselineMb = (base1.heap - base0.heap) / sessions / MB;
  copies.length = 0;
  return { ...result, baselineMb };
}
