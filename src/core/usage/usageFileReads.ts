// Reads the new bytes of many transcripts for one scan: on this thread, and for a scan of many new
// bytes (a first scan of a large history) on worker threads too, so every core parses lines. Each
// file is read by exactly one thread with the same tail, so what a line counts is the same on any.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { TranscriptTail, type TailState } from '../sources/transcripts/transcriptTail';
import { interpretUsageLine, USAGE_MARKERS, type UsageLineResult } from './usageLine';

/** What reading one file gave. */
export interface FileRead {
  readonly state: TailState;
  /** The tail that read it, when read on this thread (kept: it holds the partial last line). */
  readonly tail?: TranscriptTail<UsageLineResult>;
  readonly unreadable: boolean;
  readonly results: readonly UsageLineResult[];
  readonly bytes: number;
  readonly malformed: number;
  readonly restarts: number;
  readonly capped: number;
}

export interface FileJob {
  readonly state: TailState;
  /** Bytes the read will consume (size minus offset), to balance threads. */
  readonly newBytes: number;
}

export interface ReadFilesOptions {
  /** Files read at the same time on this thread. */
  readonly concurrency: number;
  readonly maxScanBytesPerFile: number;
  readonly clock: () => number;
  /** Worker threads beside this one; default one per further core. */
  readonly workers?: number;
  /** New bytes from which workers are used (default WORKER_MIN_BYTES). */
  readonly workerMinBytes?: number;
  /** The tail already following a file, if any. */
  readonly tail: (state: TailState) => TranscriptTail<UsageLineResult> | undefined;
}

/** Below this many new bytes a scan stays on this thread: starting a worker costs tens of ms. */
export const WORKER_MIN_BYTES = 48 << 20;
/** The compiled worker, beside this module (and beside the bundles in dist/). */
const WORKER_FILE = path.join(__dirname, 'usageScanWorker.js');

export function newUsageTail(p: string, s: TailState, maxReadBytes: number, clock: () => number): TranscriptTail<UsageLineResult> {
  return new TranscriptTail<UsageLineResult>(p, {
    offset: s.offset,
    ino: s.ino,
    size: s.size,
    clock,
    markers: USAGE_MARKERS,
    maxReadBytes,
    interpret: interpretUsageLine,
  });
}

/** Reads one file with its tail; never throws (a failure is an unreadable file). */
export async function readWithTail(tail: TranscriptTail<UsageLineResult>): Promise<FileRead> {
  const before = { bytes: tail.bytesRead, malformed: tail.malformedCount, restarts: tail.restarts, capped: tail.cappedReads };
  let results: UsageLineResult[];
  try {
    results = await tail.readNew();
  } catch {
    return { state: tail.state(), unreadable: true, results: [], bytes: 0, malformed: 0, restarts: 0, capped: 0 };
  }
  return {
    state: tail.state(),
    tail,
    unreadable: false,
    results,
    bytes: tail.bytesRead - before.bytes,
    malformed: tail.malformedCount - before.malformed,
    restarts: tail.restarts - before.restarts,
    capped: tail.cappedReads - before.capped,
  };
}

/** Reads every job's file, calling `apply` on this thread with each file's result as it arrives. */
export async function readFiles(jobs: readonly FileJob[], opts: ReadFilesOptions, apply: (p: string, r: FileRead) => void): Promise<void> {
  const total = jobs.reduce((n, j) => n + Math.max(0, j.newBytes), 0);
  const workers = Math.min(opts.workers ?? Math.max(0, os.availableParallelism() - 1), jobs.length - 1);
  const useWorkers = workers > 0 && total >= (opts.workerMinBytes ?? WORKER_MIN_BYTES) && fs.existsSync(WORKER_FILE);
  // Largest first, so no thread is left with one big file at the end.
  const queue = useWorkers ? [...jobs].sort((a, b) => b.newBytes - a.newBytes) : [...jobs];
  const local = async (): Promise<void> => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const tail = opts.tail(job.state) ?? newUsageTail(job.state.path, job.state, opts.maxScanBytesPerFile, opts.clock);
      apply(job.state.path, await readWithTail(tail));
    }
  };
  const threads: Promise<void>[] = Array.from({ length: Math.max(1, opts.concurrency) }, () => local());
  if (useWorkers) for (let i = 0; i < workers; i++) threads.push(remote(queue, opts, apply));
  await Promise.all(threads);
}

/** Message from the worker: one file's result; the first one (`ready`) has none. */
export type WorkerReply = { readonly ready: true } | { readonly ready: false; readonly path: string; readonly read: FileRead };
/** Message to the worker: the next file, or null to stop. */
export type WorkerRequest = { readonly state: TailState; readonly maxScanBytesPerFile: number; readonly now: number } | null;

/** One worker taking files from the shared queue until it is empty; a worker that fails hands its file back. */
function remote(queue: FileJob[], opts: ReadFilesOptions, apply: (p: string, r: FileRead) => void): Promise<void> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_FILE);
    let current: FileJob | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      // A file the worker did not finish is read here, so nothing is lost.
      if (current !== undefined) queue.unshift(current);
      current = undefined;
      void worker.terminate();
      const rest: FileJob[] = [];
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) rest.push(job);
      void Promise.all(
        rest.map(async (job) => {
          const tail = opts.tail(job.state) ?? newUsageTail(job.state.path, job.state, opts.maxScanBytesPerFile, opts.clock);
          apply(job.state.path, await readWithTail(tail));
        }),
      ).then(() => resolve());
    };
    const next = (): void => {
      current = queue.shift();
      if (current === undefined) {
        worker.postMessage(null satisfies WorkerRequest);
        done = true;
        void worker.terminate().then(() => resolve());
        return;
      }
      worker.postMessage({ state: current.state, maxScanBytesPerFile: opts.maxScanBytesPerFile, now: opts.clock() } satisfies WorkerRequest);
    };
    worker.on('message', (m: WorkerReply) => {
      if (done) return;
      if (!m.ready) {
        current = undefined;
        apply(m.path, m.read);
      }
      next();
    });
    worker.on('error', finish);
    worker.on('exit', finish);
  });
}
