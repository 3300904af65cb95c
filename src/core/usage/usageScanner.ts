// Reads every transcript under <config>/projects incrementally for accounting: each file is followed
// by a TranscriptTail from its persisted offset, so a scan reads only bytes appended since the last one
// and an unchanged file costs one stat. A file that shrank or was replaced is read again from the
// start (its responses already counted are recognised by their keys).

import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { TranscriptTail, type TailState } from '../sources/transcripts/transcriptTail';
import type { UsageLineResult } from './usageLine';
import { newUsageTail, readFiles, type FileRead } from './usageFileReads';
import type { UsageLedger, UsageWindow } from './usageLedger';
import type { LimitWindow } from '../detection/types';

export interface ScanStats {
  readonly files: number;
  /** Files that had new bytes. */
  readonly filesRead: number;
  readonly bytesRead: number;
  /** Responses counted, and repeated lines of responses already counted. */
  readonly counted: number;
  readonly duplicates: number;
  /** Lines that are not transcript lines (bad JSON, no type), skipped. */
  readonly malformed: number;
  readonly limitHits: number;
  /** Files read again from the start because they shrank or were replaced. */
  readonly restarted: number;
  /** Responses whose token counts cannot be real (non-finite, negative, out of range): not counted. */
  readonly rejected: number;
  /** Files and folders that could not be read (permissions, I/O errors): their usage is missing. */
  readonly unreadable: number;
  /** Files not read because they cannot be transcripts (sparse: mostly holes, as no append makes). */
  readonly notTranscripts: number;
  /** Files whose new bytes exceeded what one scan reads; the rest is read by the next scans. */
  readonly capped: number;
}

/** What one scan reads of one file at most: a real transcript never gains this much between scans. */
export const MAX_SCAN_BYTES_PER_FILE = 256 << 20;
/** A file this large with less than half of it on disk is sparse, so not something Claude Code appended. */
const SPARSE_MIN_BYTES = 16 << 20;

export interface UsageScannerOptions {
  /** Persisted offsets to resume from. */
  readonly offsets?: readonly TailState[];
  /** Files read at the same time. */
  readonly concurrency?: number;
  readonly clock?: () => number;
  /** What one scan reads of one file at most (default MAX_SCAN_BYTES_PER_FILE). */
  readonly maxScanBytesPerFile?: number;
  /**
   * Worker threads a scan of many new bytes may read files on, beside this thread (default: one per
   * further core; 0: none). Small scans stay on this thread: a worker costs more to start than they take.
   */
  readonly workers?: number;
  /** New bytes from which a scan uses workers (default WORKER_MIN_BYTES; tests lower it). */
  readonly workerMinBytes?: number;
}

/** projects/<slug>/<session>/subagents/<agent>.jsonl is the deepest transcript. */
const MAX_DEPTH = 4;
const STAT_BATCH = 256;

export class UsageScanner {
  private readonly tails = new Map<string, TranscriptTail<UsageLineResult>>();
  private readonly concurrency: number;
  private readonly clock: () => number;
  private readonly maxScanBytesPerFile: number;
  private readonly workers: number | undefined;
  private readonly workerMinBytes: number | undefined;
  private unreadableDirs = 0;

  constructor(
    readonly projectsDir: string,
    private readonly ledger: UsageLedger,
    options: UsageScannerOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.clock = options.clock ?? Date.now;
    this.maxScanBytesPerFile = options.maxScanBytesPerFile ?? MAX_SCAN_BYTES_PER_FILE;
    this.workers = options.workers;
    this.workerMinBytes = options.workerMinBytes;
    for (const s of options.offsets ?? []) this.tails.set(s.path, this.newTail(s.path, s));
  }

  /** Where every known file stands, for persisting. */
  states(): TailState[] {
    return [...this.tails.values()].map((t) => t.state());
  }

  /** Lists every transcript and reads what each gained; files gone from disk are forgotten. */
  async scan(): Promise<ScanStats> {
    const unreadable = { count: 0 };
    const files = await listTranscripts(this.projectsDir, unreadable);
    this.unreadableDirs = unreadable.count;
    const present = new Set(files);
    for (const p of this.tails.keys()) if (!present.has(p)) this.tails.delete(p);
    return this.readChanged(files);
  }

  /**
   * Reads what the given transcripts gained, without listing the others (a watcher named them).
   * Paths outside projects/ or not `.jsonl` are ignored; a vanished file is left to the next full scan.
   */
  scanFiles(paths: Iterable<string>): Promise<ScanStats> {
    const files = [...new Set(paths)].filter((p) => this.isTranscriptPath(p)).sort();
    return this.readChanged(files);
  }

  private isTranscriptPath(p: string): boolean {
    if (!p.endsWith('.jsonl')) return false;
    const rel = path.relative(this.projectsDir, p);
    if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return false;
    return rel.split(path.sep).length <= MAX_DEPTH;
  }

  private async readChanged(files: readonly string[]): Promise<ScanStats> {
    const counted0 = this.ledger.counted;
    const dup0 = this.ledger.duplicates;
    let filesRead = 0;
    let bytesRead = 0;
    let malformed = 0;
    let limitHits = 0;
    let restarted = 0;
    let rejected = 0;
    let unreadable = this.unreadableDirs;
    let notTranscripts = 0;
    let capped = 0;
    this.unreadableDirs = 0;
    // Stat everything in wide batches (an unchanged file costs only this), then read the changed ones.
    const changed: { path: string; newBytes: number }[] = [];
    for (let i = 0; i < files.length; i += STAT_BATCH) {
      const batch = files.slice(i, i + STAT_BATCH);
      // A file gone since the listing is no loss; any other failure to stat it is.
      const stats = await Promise.all(batch.map((p) => fsp.stat(p).then((st) => st, (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : null))));
      batch.forEach((p, j) => {
        const st = stats[j];
        if (st === null || st === undefined || !st.isFile()) {
          if (st === null) unreadable++;
          return;
        }
        if (st.size >= SPARSE_MIN_BYTES && st.blocks * 512 < st.size / 2) {
          notTranscripts++;
          return;
        }
        const s = this.tails.get(p)?.state();
        if (s === undefined || s.ino !== st.ino || s.size !== st.size) changed.push({ path: p, newBytes: st.size - (s?.ino === st.ino && s.offset <= st.size ? s.offset : 0) });
      });
    }
    const apply = (p: string, r: FileRead): void => {
      if (r.unreadable) {
        unreadable++;
        return;
      }
      this.tails.set(p, r.tail ?? this.newTail(p, r.state));
      capped += r.capped;
      filesRead++;
      bytesRead += r.bytes;
      malformed += r.malformed;
      restarted += r.restarts;
      for (const e of r.results) {
        if (e.kind === 'usage') this.ledger.add(e);
        else if (e.kind === 'rejected') rejected++;
        else {
          const window = usageWindowOf(e.window);
          if (window !== null) {
            this.ledger.addHit({ key: null, window, at: e.at, resetsAt: e.resetsAt });
            limitHits++;
          }
        }
      }
    };
    const jobs = changed.map((c) => ({ state: this.tails.get(c.path)?.state() ?? { path: c.path, offset: 0, ino: 0, size: 0 }, newBytes: c.newBytes }));
    await readFiles(jobs, { concurrency: this.concurrency, maxScanBytesPerFile: this.maxScanBytesPerFile, clock: this.clock, workers: this.workers, workerMinBytes: this.workerMinBytes, tail: (s) => this.tails.get(s.path) }, apply);
    if (filesRead > 0) this.ledger.dirty = true;
    return {
      files: files.length,
      filesRead,
      bytesRead,
      counted: this.ledger.counted - counted0,
      duplicates: this.ledger.duplicates - dup0,
      malformed,
      limitHits,
      restarted,
      rejected,
      unreadable,
      notTranscripts,
      capped,
    };
  }

  private newTail(p: string, s: TailState): TranscriptTail<UsageLineResult> {
    return newUsageTail(p, s, this.maxScanBytesPerFile, this.clock);
  }
}

export function usageWindowOf(w: LimitWindow | string | null): UsageWindow | null {
  if (w === 'five_hour' || w === 'fiveHour') return 'fiveHour';
  if (w === 'weekly') return 'weekly';
  return null;
}

/**
 * Every `.jsonl` under projects/, sorted (missing directory: none). Folders that exist but cannot
 * be read are counted in `unreadable`, so their missing usage is reported instead of silent.
 */
export async function listTranscripts(projectsDir: string, unreadable: { count: number } = { count: 0 }): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') unreadable.count++;
      return;
    }
    const dirs: string[] = [];
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isFile() && e.name.endsWith('.jsonl')) out.push(p);
      else if (e.isDirectory() && depth < MAX_DEPTH) dirs.push(p);
    }
    await Promise.all(dirs.map((d) => walk(d, depth + 1)));
  };
  await walk(projectsDir, 1);
  return out.sort();
}
