/*
 * npm run bench: detection-core throughput, latency per chunk and memory, each reported next to a
 * baseline measured in the same run (a plain Buffer.indexOf scan of the same bytes), so the
 * ratios stay meaningful on any machine.
 */
import * as path from 'node:path';
import { ScreenClassifier } from '../../src/core/screenClassifier';
import { TerminalScreen } from '../../src/core/terminalScreen';
import { buildSessionCorpus } from './sessionCorpus';

const MB = 1024 * 1024;
const CHUNK = 4096;
const repo = path.resolve(__dirname, '../../..');
const ctx = { now: new Date('2026-11-23T12:00:00Z'), timeZone: 'UTC' };

function baselineScan(corpus: Buffer): { seconds: number; hits: number } {
  const needle = Buffer.from('limit');
  const start = process.hrtime.bigint();
  let hits = 0;
  for (let off = 0; off < corpus.length; off += CHUNK) {
    const chunk = corpus.subarray(off, off + CHUNK);
    let at = chunk.indexOf(needle);
    while (at !== -1) {
      hits++;
      at = chunk.indexOf(needle, at + 1);
    }
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, hits };
}

/** The emulator alone, no looks: the ceiling for anything that renders the screen. */
function parseOnly(corpus: Buffer): number {
  const screen = new TerminalScreen({ cols: 160, rows: 50 });
  const start = process.hrtime.bigint();
  for (let off = 0; off < corpus.length; off += CHUNK) screen.write(corpus.subarray(off, off + CHUNK));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  screen.dispose();
  return seconds;
}

async function screenClassify(corpus: Buffer, timeChunks: boolean): Promise<{ seconds: number; p99ms: number; quota: number }> {
  const session = new ScreenClassifier({ cols: 160, rows: 50 });
  const times: number[] = [];
  let quota = 0;
  const start = process.hrtime.bigint();
  for (let off = 0; off < corpus.length; off += CHUNK) {
    const t0 = timeChunks ? process.hrtime.bigint() : 0n;
    const verdict = await session.feed(corpus.subarray(off, off + CHUNK), ctx);
    if (timeChunks) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (verdict.verdict === 'quota') quota++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  session.dispose();
  times.sort((a, b) => a - b);
  return { seconds, p99ms: times.length ? times[Math.floor(times.length * 0.99)] : 0, quota };
}

async function memoryOverStream(corpus: Buffer, totalBytes: number): Promise<number[]> {
  const session = new ScreenClassifier({ cols: 160, rows: 50 });
  const samples: number[] = [];
  let streamed = 0;
  const every = totalBytes / 4;
  let next = every;
  while (streamed < totalBytes) {
    for (let off = 0; off < corpus.length && streamed < totalBytes; off += CHUNK) {
      session.write(corpus.subarray(off, off + CHUNK));
      streamed += CHUNK;
      if (streamed % (16 * CHUNK) === 0) await session.look(ctx);
      if (streamed >= next) {
        await session.look(ctx);
        global.gc?.();
        samples.push(process.memoryUsage().rss / MB);
        next += every;
      }
    }
  }
  session.dispose();
  return samples;
}

async function main(): Promise<void> {
  const corpusMb = Number(process.env.BENCH_CORPUS_MB ?? 50);
  const streamMb = Number(process.env.BENCH_STREAM_MB ?? 1024);
  const corpus = buildSessionCorpus(corpusMb * MB, path.join(repo, 'test/fixtures/recordings'));
  const base = baselineScan(corpus);
  const baseChunk = base.seconds / Math.ceil(corpus.length / CHUNK) * 1000;
  const parseSeconds = parseOnly(corpus);
  const timed = await screenClassify(corpus, true);
  const mbps = corpus.length / MB / timed.seconds;
  const baseMbps = corpus.length / MB / base.seconds;

  global.gc?.();
  const rssBefore = process.memoryUsage().rss / MB;
  const rss = await memoryOverStream(corpus, streamMb * MB);

  const row = (name: string, value: string, ratio: string, goal: string): string => `${name.padEnd(38)} ${value.padStart(14)} ${ratio.padStart(22)}  ${goal}`;
  console.log(`corpus: ${corpus.length / MB} MB recorded session (ordinary output + recorded limit screens), chunks of ${CHUNK} B`);
  console.log(row('measure', 'value', 'vs Buffer.indexOf scan', 'goal'));
  console.log(row('screen+classify throughput', `${mbps.toFixed(1)} MB/s`, `${(baseMbps / mbps).toFixed(1)}x slower`, '>= 50 MB/s'));
  console.log(row('  of which xterm parsing alone', `${(corpus.length / MB / parseSeconds).toFixed(1)} MB/s`, `${(base.seconds > 0 ? parseSeconds / base.seconds : 0).toFixed(1)}x slower`, 'ceiling'));
  console.log(row('p99 time per 4 KiB chunk', `${timed.p99ms.toFixed(3)} ms`, `${(timed.p99ms / baseChunk).toFixed(0)}x baseline mean`, ''));
  console.log(row('quota verdicts seen in corpus', String(timed.quota), `baseline hits ${base.hits}`, ''));
  console.log(row(`RSS before streaming ${streamMb} MB`, `${rssBefore.toFixed(0)} MB`, '', ''));
  console.log(row(`RSS at 1/4..4/4 of ${streamMb} MB`, rss.map((r) => r.toFixed(0)).join('/') + ' MB', `growth ${(rss[rss.length - 1] - rss[0]).toFixed(0)} MB`, 'constant'));
}

void main();
