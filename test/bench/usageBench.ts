// Usage scan bench: a generated transcript corpus (many projects and sessions, lines modelled on the
// real Claude Code transcripts in test/fixtures/transcripts), scanned in full by our tracker and by
// ccusage (its `daily --json --offline` report over the same CLAUDE_CONFIG_DIR), then incremental scans
// after appending 1 MB and 4 MB, and the scan of only the appended files that the editor runs when the
// transcript watcher reports them. Totals of both are printed so a mismatch shows.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageTracker } from '../../src/core/usage/usageTracker';
import { rng } from '../support/escapeFlood';
import { assistantLine, FILLER_LINES } from '../support/usageTranscripts';
import { median } from './stats';

const MB = 1024 * 1024;


const WORDS = 'the quick brown fox jumps over lazy dog function return const value file test build error fix change'.split(' ');

function text(r: () => number, bytes: number): string {
  let s = '';
  while (s.length < bytes) s += `${WORDS[Math.floor(r() * WORDS.length)]} `;
  return s;
}

/** A user line carrying a tool result, as Claude Code writes it after each tool call. */
function toolResultLine(r: () => number, sessionId: string, at: number): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    type: 'user',
    message: { role: 'user', content: [{ tool_use_id: `toolu_${Math.floor(r() * 1e12)}`, type: 'tool_result', content: text(r, 500 + Math.floor(r() * 6000)) }] },
    uuid: `u-${Math.floor(r() * 1e12)}`,
    timestamp: new Date(at).toISOString(),
    userType: 'external',
    cwd: '/work/project',
    sessionId,
    version: '2.1.330',
  });
}

export interface UsageCorpus {
  readonly dir: string;
  readonly bytes: number;
  readonly files: string[];
  readonly responses: number;
}

/** Writes about `totalBytes` of transcripts under `<dir>/projects`, timestamps within the last six days. */
export function generateUsageCorpus(dir: string, totalBytes: number, projects: number, now: number): UsageCorpus {
  const r = rng(42);
  const files: string[] = [];
  const sessionBytes = Math.max(256 * 1024, Math.min(4 * MB, Math.floor(totalBytes / (projects * 8))));
  let bytes = 0;
  let responses = 0;
  let n = 0;
  const earlier: string[] = [];
  while (bytes < totalBytes) {
    const project = path.join(dir, 'projects', `-work-project-${n % projects}`);
    fs.mkdirSync(project, { recursive: true });
    const sessionId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const file = path.join(project, `${sessionId}.jsonl`);
    let at = now - 6 * 86_400_000 + Math.floor(r() * 5 * 86_400_000);
    const parts: string[] = [];
    let size = 0;
    const push = (line: string): void => {
      parts.push(line);
      size += Buffer.byteLength(line) + 1;
    };
    for (const l of FILLER_LINES) push(l);
    // One session in twenty is resumed: it starts with lines copied from an earlier one (same ids).
    if (n % 20 === 19 && earlier.length > 0) for (const l of earlier.slice(-10)) push(l);
    while (size < sessionBytes) {
      const id = `${n}_${responses}`;
      const blocks = 1 + Math.floor(r() * 3);
      const line = assistantLine({
        at,
        messageId: `msg_${id}`,
        requestId: `req_${id}`,
        sessionId,
        input: 1 + Math.floor(r() * 50),
        output: 20 + Math.floor(r() * 2000),
        cacheCreation: Math.floor(r() * 8000),
        cacheRead: Math.floor(r() * 150_000),
        model: r() < 0.7 ? 'claude-opus-5-5' : 'claude-sonnet-5',
        text: text(r, 100 + Math.floor(r() * 1500)),
      });
      // Claude Code writes one line per content block, each with the response's usage.
      for (let b = 0; b < blocks; b++) push(line);
      if (earlier.length < 200) earlier.push(line);
      responses++;
      at += 5_000 + Math.floor(r() * 60_000);
      push(toolResultLine(r, sessionId, at));
    }
    fs.writeFileSync(file, `${parts.join('\n')}\n`);
    files.push(file);
    bytes += size;
    n++;
  }
  return { dir, bytes, files, responses };
}

/**
 * Appends about `bytes` of new turns (the corpus's mix: responses on 1–3 lines, tool results) spread
 * over four files; returns the bytes written and the files appended to.
 */
export function appendResponses(corpus: UsageCorpus, bytes: number, seed: number, now: number): { bytes: number; files: string[] } {
  const r = rng(seed);
  let written = 0;
  const touched: string[] = [];
  let i = 0;
  const per = Math.ceil(bytes / 4);
  for (let f = 0; f < 4; f++) {
    const file = corpus.files[Math.floor(r() * corpus.files.length)];
    const lines: string[] = [];
    let size = 0;
    while (size < per) {
      const id = `append_${seed}_${i++}`;
      const l = assistantLine({ at: now, messageId: `msg_${id}`, requestId: `req_${id}`, output: 100, cacheRead: 1000, text: text(r, 100 + Math.floor(r() * 1500)) });
      const blocks = 1 + Math.floor(r() * 3);
      for (let b = 0; b < blocks; b++) {
        lines.push(l);
        size += Buffer.byteLength(l) + 1;
      }
      const tool = toolResultLine(r, 'appended', now);
      lines.push(tool);
      size += Buffer.byteLength(tool) + 1;
    }
    fs.appendFileSync(file, `${lines.join('\n')}\n`);
    touched.push(file);
    written += size;
  }
  return { bytes: written, files: touched };
}

export interface CcusageRun {
  readonly seconds: number;
  readonly totals: [number, number, number, number] | null;
  readonly error: string | null;
}

/** The JavaScript release the bench compares with (a devDependency) and the native release its users get today. */
export const CCUSAGE_JS_VERSION = '18.0.11';
export const CCUSAGE_NATIVE_VERSION = '20.0.24';

/** How to start one ccusage release: `node <cli.js>` for the JavaScript one, the platform binary for the native one. */
export interface CcusagePeer {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
}

export function ccusageJsPeer(repo: string): CcusagePeer {
  return { label: `ccusage ${CCUSAGE_JS_VERSION}`, command: process.execPath, args: [path.join(repo, 'node_modules', 'ccusage', 'dist', 'index.js')] };
}

/**
 * Installs ccusage 20.0.24 into a folder of its own under .vscode-test (once; not a project dependency,
 * which stays 18.0.11) and returns its platform binary. Its launcher (src/cli.js) only finds and execs
 * the binary of the optional dependency @ccusage/ccusage-<platform>-<arch>, so the bench runs the binary
 * itself: the peer's time is the native tool's, not node's start-up too. 20.0.26 lacks linux-x64.
 */
export function ccusageNativePeer(repo: string): CcusagePeer | string {
  const prefix = path.join(repo, '.vscode-test', `ccusage-${CCUSAGE_NATIVE_VERSION}`);
  const pkg = `@ccusage/ccusage-${process.platform}-${process.arch}`;
  const pkgDir = path.join(prefix, 'node_modules', ...pkg.split('/'));
  const find = (): string | null => {
    for (const name of ['ccusage', 'ccusage.exe', path.join('bin', 'ccusage'), path.join('bin', 'ccusage.exe')]) {
      const p = path.join(pkgDir, name);
      if (fs.existsSync(p) && fs.statSync(p).isFile()) return p;
    }
    return null;
  };
  if (find() === null) {
    fs.mkdirSync(prefix, { recursive: true });
    const res = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `ccusage@${CCUSAGE_NATIVE_VERSION}`], { encoding: 'utf8' });
    if (res.status !== 0) return `npm install ccusage@${CCUSAGE_NATIVE_VERSION} failed: ${(res.stderr || String(res.error)).slice(0, 200)}`;
  }
  const bin = find();
  if (bin === null) return `${pkg}@${CCUSAGE_NATIVE_VERSION} has no binary in ${pkgDir}`;
  // The package is published without the exec bit; its launcher sets it before the first run, as here.
  if ((fs.statSync(bin).mode & 0o111) === 0) fs.chmodSync(bin, 0o755);
  return { label: `ccusage ${CCUSAGE_NATIVE_VERSION} native`, command: bin, args: [] };
}

export function runCcusage(peer: CcusagePeer, configDir: string, command: 'daily' | 'blocks'): CcusageRun {
  const start = process.hrtime.bigint();
  const res = spawnSync(peer.command, [...peer.args, command, '--json', '--offline'], {
    env: { ...process.env, CLAUDE_CONFIG_DIR: configDir, TZ: 'UTC', NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 256 * MB,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (res.status !== 0) return { seconds, totals: null, error: (res.stderr || String(res.error ?? res.status)).slice(0, 300) };
  try {
    const out = JSON.parse(res.stdout) as { totals?: { inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number } };
    const t = out.totals;
    return { seconds, totals: t ? [t.inputTokens, t.outputTokens, t.cacheCreationTokens, t.cacheReadTokens] : null, error: null };
  } catch (err) {
    return { seconds, totals: null, error: `unreadable output: ${String(err)}` };
  }
}

/**
 * Our CLI as a separate process (`claude-quota usage --json`), like ccusage is run. With a fresh `home`
 * it is a cold scan (and saves its offsets there); run again with the same home it is incremental.
 */
export function runOurCli(repo: string, configDir: string, home: string): { seconds: number; totals: number[] | null } {
  fs.mkdirSync(home, { recursive: true });
  const start = process.hrtime.bigint();
  const res = spawnSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'usage', '--json'], {
    env: { ...process.env, CLAUDE_CONFIG_DIR: configDir, CLAUDE_QUOTA_HOME: home, HOME: home },
    encoding: 'utf8',
    maxBuffer: 256 * MB,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (res.status !== 0) return { seconds, totals: null };
  return { seconds, totals: (JSON.parse(res.stdout) as { report: { totals: number[] } }).report.totals };
}

/** Process against process, interleaved rounds so every tool sees the same cache and machine load. */
export interface ProcessRows {
  readonly rounds: number;
  /** Cold: a fresh state folder, every byte read. */
  readonly oursCold: number[];
  /** The second run on the same state folder: only the listing, the stats and new bytes. */
  readonly oursSecond: number[];
  readonly oursTotals: number[] | null;
  readonly js: { readonly label: string; readonly runs: CcusageRun[] };
  readonly native: { readonly label: string; readonly runs: CcusageRun[] } | { readonly label: string; readonly error: string };
}

function processRows(repo: string, configDir: string, dir: string, rounds: number): ProcessRows {
  const js = ccusageJsPeer(repo);
  const native = ccusageNativePeer(repo);
  const oursCold: number[] = [];
  const oursSecond: number[] = [];
  const jsRuns: CcusageRun[] = [];
  const nativeRuns: CcusageRun[] = [];
  let oursTotals: number[] | null = null;
  for (let k = 0; k < rounds; k++) {
    const home = path.join(dir, `home-${k}`);
    const cold = runOurCli(repo, configDir, home);
    oursCold.push(cold.seconds);
    oursTotals = cold.totals;
    oursSecond.push(runOurCli(repo, configDir, home).seconds);
    if (typeof native !== 'string') nativeRuns.push(runCcusage(native, configDir, 'daily'));
    // The JavaScript release takes ten times as long: once is enough for its row.
    if (k === 0) jsRuns.push(runCcusage(js, configDir, 'daily'));
  }
  return {
    rounds,
    oursCold,
    oursSecond,
    oursTotals,
    js: { label: js.label, runs: jsRuns },
    native: typeof native === 'string' ? { label: `ccusage ${CCUSAGE_NATIVE_VERSION} native`, error: native } : { label: native.label, runs: nativeRuns },
  };
}

export interface UsageBenchResult {
  readonly corpus: UsageCorpus;
  readonly fullSeconds: number[];
  readonly ours: readonly number[];
  /** Null when dist/cli.js is not built. */
  readonly processes: ProcessRows | null;
  readonly increments: { readonly bytes: number; readonly ms: number[] }[];
  /**
   * After appending a few responses (one turn) and about 1 MB, alternately: a scan of only the appended
   * files (what a watch event triggers) and a listing + scan of every file (what the 30 s timer did).
   */
  readonly changedOnly: { readonly bytes: number; readonly ms: number[]; readonly listedMs: number[] }[];
}

export async function usageBench(repo: string, totalMb: number, projects: number, rounds: number): Promise<UsageBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usage-bench-'));
  try {
    const now = Date.now();
    const corpus = generateUsageCorpus(path.join(dir, 'claude'), totalMb * MB, projects, now);
    const configDir = corpus.dir;
    const fullSeconds: number[] = [];
    let tracker: UsageTracker | null = null;
    let ours: readonly number[] = [];
    // Two full scans (fresh tracker each): the first warms the page cache for both tools.
    for (let i = 0; i < 2; i++) {
      global.gc?.();
      const t = new UsageTracker({ configDir, stateFile: null });
      const start = process.hrtime.bigint();
      await t.scan();
      fullSeconds.push(Number(process.hrtime.bigint() - start) / 1e9);
      tracker = t;
      ours = t.report().totals;
    }
    const processes = fs.existsSync(path.join(repo, 'dist', 'cli.js')) ? processRows(repo, configDir, dir, rounds) : null;
    const increments: { bytes: number; ms: number[] }[] = [];
    const idle: number[] = [];
    for (let k = 0; k < 3; k++) {
      const start = process.hrtime.bigint();
      await (tracker as UsageTracker).scan();
      idle.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    increments.push({ bytes: 0, ms: idle });
    for (const size of [1 * MB, 4 * MB]) {
      const ms: number[] = [];
      let bytes = 0;
      for (let k = 0; k < 3; k++) {
        bytes = appendResponses(corpus, size, size + k, Date.now()).bytes;
        const start = process.hrtime.bigint();
        await (tracker as UsageTracker).scan();
        ms.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      increments.push({ bytes, ms });
    }
    // Interleaved, so both see the same cache and JIT state.
    const changedOnly: { bytes: number; ms: number[]; listedMs: number[] }[] = [];
    for (const size of [16 * 1024, MB]) {
      const ms: number[] = [];
      const listedMs: number[] = [];
      let bytes = 0;
      for (let k = 0; k < 5; k++) {
        const appended = appendResponses(corpus, size, 100 + size + 2 * k, Date.now());
        bytes = appended.bytes;
        let start = process.hrtime.bigint();
        await (tracker as UsageTracker).scanFiles(appended.files);
        ms.push(Number(process.hrtime.bigint() - start) / 1e6);
        appendResponses(corpus, size, 101 + size + 2 * k, Date.now());
        start = process.hrtime.bigint();
        await (tracker as UsageTracker).scan();
        listedMs.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      changedOnly.push({ bytes, ms, listedMs });
    }
    return { corpus, fullSeconds, ours, processes, increments, changedOnly };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export { median };
