/*
 * npm run bench: every number is printed next to a baseline measured in the same run (a plain
 * Buffer scan or copy of the same bytes) or a stated anchor (the goal, or the 60 s an older
 * 30-second poller with two confirmations needs), so the ratios stay meaningful on any machine.
 * Timings are reported, never asserted. Sizes: BENCH_* environment variables (see README).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScreenClassifier } from '../../src/core/screen/screenClassifier';
import { TerminalScreen } from '../../src/core/screen/terminalScreen';
import { activationTime } from './activationBench';
import { buildProduction } from './bundleBench';
import { classifierCpu, copyCpu, everyChunkCpu, parseOnlyCpu } from './cpuBench';
import { hasTmux } from '../support/tmuxHarness';
import { loadRecording, terminalLatency, tmuxLatency } from './latencyBench';
import { memoryPerSession } from './memoryBench';
import { buildSessionCorpus } from './sessionCorpus';
import { envNumber, median, percentile } from './stats';
import { usageBench } from './usageBench';

const MB = 1024 * 1024;
const KB = 1024;
const CHUNK = 4096;
const repo = path.resolve(__dirname, '../../..');
const ctx = { now: new Date('2026-11-23T12:00:00Z'), timeZone: 'UTC' };
/** Older tools poll every 30 s and want two matching polls before they report a limit. */
const POLL_ANCHOR_MS = 60_000;

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

const row = (name: string, value: string, ratio: string, goal: string): string => `${name.padEnd(44)} ${value.padStart(18)}  ${ratio.padEnd(40)} ${goal}`;
const section = (title: string): void => console.log(`\n== ${title}`);
const ms = (n: number): string => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
const medP95 = (xs: number[]): string => `${ms(median(xs))} / ${ms(percentile(xs, 95))}`;
const anchorRatio = (xs: number[]): string => `${Math.round(POLL_ANCHOR_MS / median(xs)).toLocaleString('en-US')}x faster than 60 s poll anchor`;
const ofGoal = (value: number, goal: number, unit: string): string => `<= ${goal} ${unit} (${(value / goal).toFixed(2)} of it)`;

/** Usage scan against ccusage on one generated corpus (BENCH_USAGE_MB, default 1024; BENCH_USAGE_PROJECTS). */
async function usageSection(): Promise<void> {
  const usageMb = envNumber('BENCH_USAGE_MB', 1024);
  const projects = Math.max(1, Math.round(envNumber('BENCH_USAGE_PROJECTS', 60)));
  section(`usage scan: ${usageMb} MB of generated transcripts in ${projects} projects, vs ccusage (same corpus, same run)`);
  const rounds = Math.max(1, Math.round(envNumber('BENCH_USAGE_ROUNDS', 3)));
  const u = await usageBench(repo, usageMb, projects, rounds);
  const full = Math.min(...u.fullSeconds);
  const totalsText = (t: readonly number[] | null): string => (t === null ? 'n/a' : `${t.reduce((a, b) => a + b, 0).toLocaleString('en-US')} [${t.join(', ')}]`);
  const same = (t: readonly number[] | null): string => (t !== null && t.every((v, i) => v === u.ours[i]) ? 'EQUAL to ours' : 'DIFFERENT from ours');
  console.log(row('corpus', `${(u.corpus.bytes / MB).toFixed(0)} MB`, `${u.corpus.files.length} files, ${u.corpus.responses.toLocaleString('en-US')} responses`, '>= 1024 MB'));
  console.log(row('full scan, in-process (best of 2)', `${full.toFixed(2)} s`, `${(u.corpus.bytes / MB / full).toFixed(0)} MB/s`, ''));
  const p = u.processes;
  if (p !== null) {
    const cold = median(p.oursCold);
    const second = median(p.oursSecond);
    const n = `median/${p.rounds}, interleaved`;
    console.log(row(`ours cold: \`claude-quota usage --json\` process (${n})`, `${cold.toFixed(2)} s`, '', ''));
    console.log(row(`ours second run, same state (incremental, ${n})`, `${second.toFixed(2)} s`, `${(cold / second).toFixed(1)}x faster than our cold run`, ''));
    if ('error' in p.native) {
      console.log(row(`${p.native.label} daily --json --offline`, 'failed', p.native.error, 'ours >= 1.5x faster'));
    } else {
      const failed = p.native.runs.find((r) => r.error !== null);
      if (failed !== undefined) console.log(row(`${p.native.label} daily --json --offline`, 'failed', failed.error ?? '', 'ours >= 1.5x faster'));
      else {
        const t = median(p.native.runs.map((r) => r.seconds));
        console.log(row(`${p.native.label} daily --json --offline (${n})`, `${t.toFixed(2)} s`, `ours cold ${(t / cold).toFixed(2)}x faster; second run ${(t / second).toFixed(1)}x`, 'ours >= 1.5x faster'));
      }
    }
    const js = p.js.runs[0];
    if (js === undefined || js.error !== null) console.log(row(`${p.js.label} daily --json --offline`, 'failed', js?.error ?? '', ''));
    else console.log(row(`${p.js.label} (JavaScript) daily --json --offline (1 run)`, `${js.seconds.toFixed(2)} s`, `ours cold ${(js.seconds / cold).toFixed(1)}x faster; second run ${(js.seconds / second).toFixed(0)}x`, ''));
    console.log(row('totals, ours in-process (in, out, cache create, cache read)', totalsText(u.ours), '', ''));
    console.log(row('totals, our CLI', totalsText(p.oursTotals), same(p.oursTotals), 'equal'));
    if (js !== undefined) console.log(row(`totals, ${p.js.label}`, totalsText(js.totals), same(js.totals), 'equal'));
    if (!('error' in p.native) && p.native.runs[0] !== undefined) console.log(row(`totals, ${p.native.label}`, totalsText(p.native.runs[0].totals), same(p.native.runs[0].totals), 'equal or explained'));
  }
  const fullMsPerMb = (full * 1000) / (u.corpus.bytes / MB);
  for (const inc of u.increments) {
    const m = median(inc.ms);
    if (inc.bytes === 0) {
      console.log(row('incremental scan, nothing appended (median/3)', ms(m), `${u.corpus.files.length} files listed and stat'ed`, 'fixed cost'));
      continue;
    }
    console.log(
      row(
        `incremental scan after appending ${(inc.bytes / MB).toFixed(0)} MB (median/3)`,
        ms(m),
        `${(m / (inc.bytes / MB)).toFixed(1)} ms/MB; ${((m / 1000 / full) * 100).toFixed(2)} % of the full scan`,
        'proportional to new bytes',
      ),
    );
  }
  const [idle, one, four] = u.increments.map((i) => median(i.ms));
  if (idle !== undefined && one !== undefined && four !== undefined) {
    // The listing and stat of every file is paid once per scan whatever was appended; the rest scales with the bytes.
    console.log(row('  marginal cost per MB: (4 MB run - 1 MB run) / 3', ms((four - one) / 3), `full scan ${fullMsPerMb.toFixed(1)} ms/MB; fixed part ${ms(idle)}`, 'about the full scan per MB'));
  }
  // The editor scans the files the transcript watcher names; it lists everything only every 5 minutes.
  for (const c of u.changedOnly) {
    const live = median(c.ms);
    const listed = median(c.listedMs);
    const size = c.bytes < MB ? `${(c.bytes / 1024).toFixed(0)} KB` : `${(c.bytes / MB).toFixed(0)} MB`;
    console.log(
      row(
        `changed files only after appending ${size} (median/5)`,
        ms(live),
        `${(listed / live).toFixed(1)}x faster than listing + scanning after the same append (${ms(listed)}, interleaved)`,
        'no listing cost',
      ),
    );
  }
}

async function main(): Promise<void> {
  const corpusMb = envNumber('BENCH_CORPUS_MB', 50);
  const streamMb = envNumber('BENCH_STREAM_MB', 1024);
  const latencyRuns = Math.max(1, Math.round(envNumber('BENCH_LATENCY_RUNS', 30)));
  const cpuSeconds = envNumber('BENCH_CPU_SECONDS', 10);
  const cpuKbps = envNumber('BENCH_CPU_KBPS', 200);
  const memSessions = Math.max(1, Math.round(envNumber('BENCH_MEMORY_SESSIONS', 50)));
  const memOutputMb = envNumber('BENCH_MEMORY_OUTPUT_MB', 1);
  const activationRuns = Math.max(1, Math.round(envNumber('BENCH_ACTIVATION_RUNS', 5)));
  const recordings = path.join(repo, 'test/fixtures/recordings');

  console.log(`node ${process.version}, ${process.platform}/${process.arch}; global.gc ${global.gc ? 'available' : 'missing (run with --expose-gc)'}`);
  console.log(row('measure', 'value', 'vs baseline / anchor (same run)', 'goal'));
  if (process.env.BENCH_ONLY === 'usage') {
    await usageSection();
    return;
  }

  // ---- bundles and activation (fresh processes, before this one has warmed anything up)
  section('bundles (esbuild.mjs --production into a temp dir: the files the package holds) and activation');
  const bundles = buildProduction(repo);
  try {
    const shipped = bundles.extensionBytes + bundles.xtermBytes;
    const kb = (n: number): string => `${(n / KB).toFixed(1)} KB`;
    console.log(row('extension, production: extension.js + xterm.js', kb(shipped), `${(shipped / (400 * KB)).toFixed(2)} of the 400 KB goal`, '<= 400 KB'));
    console.log(row('  dist/extension.js (loaded at activation)', kb(bundles.extensionBytes), `${(bundles.extensionBytes / shipped).toFixed(2)} of the extension`, ''));
    console.log(row('  dist/xterm.js (loaded at the first session)', kb(bundles.xtermBytes), `${(bundles.xtermBytes / shipped).toFixed(2)} of the extension`, ''));
    console.log(row('dist/cli.js, production (uses xterm.js too)', kb(bundles.cliBytes), `${(bundles.cliBytes / (400 * KB)).toFixed(2)} of the extension's 400 KB goal`, 'none'));
    if (bundles.devExtensionBytes !== null) {
      console.log(row('  dev build dist/extension.js (for scale)', kb(bundles.devExtensionBytes), `production is ${(bundles.extensionBytes / bundles.devExtensionBytes).toFixed(2)} of it`, ''));
    }
    const act = activationTime(path.join(bundles.dir, 'extension.js'), activationRuns);
    console.log(row(`activation: require + activate() (median/${act.runs})`, ms(act.requireMs + act.activateMs), `${((act.requireMs + act.activateMs) / 20).toFixed(2)} of the 20 ms goal`, '<= 20 ms'));
    console.log(row('  of which require() of the bundle', ms(act.requireMs), `${(act.requireMs / act.baselineMs).toFixed(1)}x require() of an empty file (${ms(act.baselineMs)})`, ''));
    console.log(row('  of which activate() ("activated in" log)', ms(act.reportedMs), `${(act.reportedMs / 20).toFixed(2)} of the 20 ms goal`, ''));
    console.log(row('  terminal emulator loaded by activation', act.xtermLoaded ? 'yes' : 'no', '', 'no'));
    const cold = act.coldRequireMs + act.coldActivateMs;
    console.log(row('  cold: built-ins not preloaded (bare Node)', ms(cold), `${(cold / 20).toFixed(2)} of the 20 ms goal; require ${ms(act.coldRequireMs)}`, ''));
  } finally {
    fs.rmSync(bundles.dir, { recursive: true, force: true });
  }

  // ---- detection latency
  section(`detection latency, median / p95 over ${latencyRuns} runs (+1 warm-up), recording five_hour split before its limit line`);
  const rec = await loadRecording('five_hour');
  const term = await terminalLatency(rec, latencyRuns);
  const verdicts = term.map((s) => s.verdict);
  const blocked = term.map((s) => s.blocked);
  const status = term.map((s) => s.status);
  console.log(row('terminal (in-process): yield -> verdict', medP95(verdicts), anchorRatio(verdicts), ofGoal(median(verdicts), 100, 'ms')));
  console.log(row('terminal (in-process): yield -> blocked', medP95(blocked), anchorRatio(blocked), ofGoal(median(blocked), 100, 'ms')));
  console.log(row('terminal (in-process): yield -> status text', medP95(status), anchorRatio(status), ofGoal(median(status), 100, 'ms')));
  if (hasTmux()) {
    const tmux = await tmuxLatency(rec, latencyRuns);
    console.log(row('tmux: FIFO write -> TmuxSource verdict', medP95(tmux), anchorRatio(tmux), ofGoal(median(tmux), 250, 'ms')));
  } else {
    console.log(row('tmux: FIFO write -> TmuxSource verdict', 'tmux not installed: skipped', '', '<= 250 ms'));
  }

  // ---- CPU while streaming
  section(`CPU while one session streams ${cpuKbps} KB/s of ordinary output for ${cpuSeconds} s (20 ms chunks)`);
  const ordinary = buildSessionCorpus(Math.max(2, memOutputMb * 2) * MB, path.join(repo, 'no-recordings'));
  // Warm-up, not reported: the first seconds of a stream pay for compiling the emulator's hot paths.
  await classifierCpu(ordinary, cpuKbps * KB, Math.min(2, cpuSeconds), ctx);
  const copy = await copyCpu(ordinary, cpuKbps * KB, cpuSeconds);
  const cls = await classifierCpu(ordinary, cpuKbps * KB, cpuSeconds, ctx);
  const parse = await parseOnlyCpu(ordinary, cpuKbps * KB, cpuSeconds);
  const every = await everyChunkCpu(ordinary, cpuKbps * KB, cpuSeconds, ctx);
  const net = cls.percent - copy.percent;
  console.log(row('ScreenWatcher as the sources run it', `${cls.percent.toFixed(2)} % of a core`, `${(cls.percent / copy.percent).toFixed(1)}x the Buffer copy (${copy.percent.toFixed(2)} %)`, ofGoal(cls.percent, 1, '%')));
  console.log(row('  over the Buffer copy (the watching alone)', `${net.toFixed(2)} % of a core`, `${(cls.looks / cls.seconds).toFixed(1)} looks/s for ${(1000 / 20).toFixed(0)} chunks/s`, ofGoal(net, 1, '%')));
  console.log(row('  for scale: rendering alone, never looking', `${parse.percent.toFixed(2)} % of a core`, `${(parse.percent / copy.percent).toFixed(1)}x the Buffer copy; looks add ${(cls.percent - parse.percent).toFixed(2)} %`, 'floor'));
  console.log(row('  for scale: a look after every chunk', `${every.percent.toFixed(2)} % of a core`, `${(every.percent / copy.percent).toFixed(1)}x the Buffer copy`, ''));

  // ---- memory per session
  section(`memory per watched session: ${memSessions} sessions, each a recording + ${memOutputMb} MB of output, after GC`);
  const mem = await memoryPerSession(fs.readFileSync(path.join(recordings, 'five_hour.bin')), ordinary, memSessions, memOutputMb * MB, ctx);
  console.log(row('heap + external per session', `${mem.heapMb.toFixed(2)} MB`, `${(mem.heapMb / mem.baselineMb).toFixed(1)}x its raw bytes kept (${mem.baselineMb.toFixed(2)} MB)`, ''));
  console.log(row('RSS per session', `${mem.rssMb.toFixed(2)} MB`, '', ''));

  // ---- throughput and memory of one session under a long stream
  section(`throughput: ${corpusMb} MB recorded session (ordinary output + recorded limit screens), chunks of ${CHUNK} B`);
  const corpus = buildSessionCorpus(corpusMb * MB, recordings);
  const base = baselineScan(corpus);
  const baseChunk = (base.seconds / Math.ceil(corpus.length / CHUNK)) * 1000;
  const parseSeconds = parseOnly(corpus);
  const timed = await screenClassify(corpus, true);
  const mbps = corpus.length / MB / timed.seconds;
  const baseMbps = corpus.length / MB / base.seconds;
  console.log(row('screen+classify throughput', `${mbps.toFixed(1)} MB/s`, `${(baseMbps / mbps).toFixed(1)}x slower than Buffer.indexOf scan`, '>= 50 MB/s'));
  console.log(row('  of which xterm parsing alone', `${(corpus.length / MB / parseSeconds).toFixed(1)} MB/s`, `${(base.seconds > 0 ? parseSeconds / base.seconds : 0).toFixed(1)}x slower than the scan`, 'ceiling'));
  console.log(row('p99 time per 4 KiB chunk', `${timed.p99ms.toFixed(3)} ms`, `${(timed.p99ms / baseChunk).toFixed(0)}x the scan's mean per chunk`, ''));
  console.log(row('quota verdicts seen in corpus', String(timed.quota), `scan hits for "limit": ${base.hits}`, ''));

  global.gc?.();
  const rssBefore = process.memoryUsage().rss / MB;
  const rss = await memoryOverStream(corpus, streamMb * MB);
  console.log(row(`RSS before streaming ${streamMb} MB`, `${rssBefore.toFixed(0)} MB`, '', ''));
  console.log(row(`RSS at 1/4..4/4 of ${streamMb} MB`, rss.map((r) => r.toFixed(0)).join('/') + ' MB', `growth ${(rss[rss.length - 1] - rss[0]).toFixed(0)} MB`, 'constant'));

  await usageSection();

  console.log(`
What the rows cover:
  terminal (in-process): a fake execution.read() yields the limit line's bytes to the real TerminalSource; measured to its
    verdict event, to the QuotaDetector's 'blocked' (through SessionsController) and to the status text StatusBarController
    would show (describeWatch). VS Code's pty -> extension host hop is not included (it needs a running VS Code).
  tmux: write into the FIFO a 'claude' replay script cats into a pane of a private tmux server -> TmuxSource 'verdict'
    event (pty, tmux server, read-only control-mode client, parser, screen and classifier included).
  anchor: a poller every 30 s that wants two matching polls reports a limit after about 60 s.
  CPU: process.cpuUsage (user + system) over wall time while chunks arrive on a timer; the baseline runs the same timer
    and copies each chunk into a Buffer, so the difference is what watching the session adds. Looks are spaced as the
    terminal and tmux sources space them (LookScheduler); output that may draw a limit line is looked at at once.
  memory: (heapUsed + external) and RSS growth with all sessions alive, divided by their number.
  activation: a cold require() of the production bundle plus activate() in fresh Node processes with a no-op vscode
    module: the extension's own cost, not VS Code's. The Node built-ins the extension host has loaded before any extension
    activates (fs, path, os, crypto, child_process, util) are loaded before timing; the cold row loads them inside the
    require. Baseline: the same child requiring an empty file. Work activate() starts but does not wait for (the tmux
    listing, the transcript watches, account recovery) runs after it returns and is not included.`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
