// Follows one transcript file by byte offset. Transcripts only grow, can reach hundreds of MB and are
// read again on every append, so each read starts where the last one stopped, newlines are found on
// Buffers, and only lines that can matter are decoded and parsed.

import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { interpretTranscriptLine, isTranscriptLine, RELEVANT_MARKERS, type TranscriptSignal } from './transcriptRecord';

/** Where a tail stands; persist it to resume after a restart without replaying or missing lines. */
export interface TailState {
  readonly path: string;
  /** Byte offset of the first line not yet consumed (always at a line start). */
  readonly offset: number;
  /** Inode the offset belongs to; 0 when not known yet. */
  readonly ino: number;
  /** File size at the last read. */
  readonly size: number;
}

/** The part of fs/promises a tail uses; injectable so tests can see every read. */
export interface TailFileHandle {
  stat(): Promise<{ readonly size: number; readonly ino: number }>;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ readonly bytesRead: number }>;
  close(): Promise<void>;
}

export interface TailFs {
  open(filePath: string): Promise<TailFileHandle>;
}

export const nodeTailFs: TailFs = {
  open: (filePath) => fsp.open(filePath, 'r'),
};

export interface MalformedReport {
  readonly path: string;
  /** Malformed lines since the previous report. */
  readonly count: number;
  readonly total: number;
  /** The start of the latest malformed line, for the log. */
  readonly sample: string;
}

/** Turns one parsed transcript line into what the tail returns (signals by default). */
export type LineInterpreter<S> = (value: unknown, now: Date) => readonly S[];

export interface TranscriptTailOptions<S = TranscriptSignal> {
  /** Where to start; a persisted TailState's offset. Default 0. An offset inside a line skips to the next line. */
  readonly offset?: number;
  /** The inode the offset belongs to; a different file at the path starts over from 0. */
  readonly ino?: number;
  /** The file size the offset was read up to (a persisted TailState's size), so state() tells an unchanged file. */
  readonly size?: number;
  readonly fs?: TailFs;
  readonly chunkSize?: number;
  /** A longer line is dropped (counted as malformed) instead of being buffered. */
  readonly maxLineBytes?: number;
  /** At most this many bytes are read by one readNew(); the rest waits for the next call. */
  readonly maxReadBytes?: number;
  /** Parse every line, not only those containing RELEVANT_MARKERS (slower; for validation). */
  readonly parseAll?: boolean;
  /** Called at most once per malformedReportIntervalMs with the count since the last call. */
  readonly onMalformed?: (report: MalformedReport) => void;
  readonly malformedReportIntervalMs?: number;
  readonly clock?: () => number;
  /** sessionId for lines that carry none; default the file name without `.jsonl`. */
  readonly fallbackSessionId?: string;
  /** Byte strings one of which a line must contain to be parsed; default RELEVANT_MARKERS. */
  readonly markers?: readonly string[];
  /** What a parsed line yields; default its TranscriptSignals (interpretTranscriptLine). */
  readonly interpret?: LineInterpreter<S>;
}

export const DEFAULT_CHUNK_SIZE = 1 << 20;
export const DEFAULT_MAX_LINE_BYTES = 64 << 20;
const NEWLINE = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const DEFAULT_MARKERS = RELEVANT_MARKERS.map((m) => Buffer.from(m, 'utf8'));

export class TranscriptTail<S = TranscriptSignal> {
  readonly path: string;
  /** Lines that were not transcript lines (bad JSON, no `type`, over maxLineBytes). */
  malformedCount = 0;
  /** Reads that stopped at maxReadBytes before the end of the file. */
  cappedReads = 0;
  /** Complete non-empty lines seen. */
  linesSeen = 0;
  /** Lines passed over without parsing because they cannot carry a signal. */
  skippedCount = 0;
  /** Bytes of file data read over the tail's life (a one-byte line-start probe after a resume is not counted). */
  bytesRead = 0;
  /** Times the tail started over because the file shrank or was replaced. */
  restarts = 0;

  private readonly fs: TailFs;
  private readonly chunkSize: number;
  private readonly maxLineBytes: number;
  private readonly maxReadBytes: number;
  private readonly parseAll: boolean;
  private readonly onMalformed: ((report: MalformedReport) => void) | undefined;
  private readonly reportIntervalMs: number;
  private readonly clock: () => number;
  private readonly markers: readonly Buffer[];
  private readonly interpret: LineInterpreter<S>;

  /** Next byte to read. */
  private readPos: number;
  private ino: number;
  private size = 0;
  /** The start of the line being written, held until its newline arrives. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Discarding bytes up to the next newline (started mid-line, or the line is too long). */
  private skipping = false;
  private needsAlign: boolean;
  private unreported = 0;
  private lastReportAt = -Infinity;
  private lastSample = '';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(filePath: string, options: TranscriptTailOptions<S> = {}) {
    this.path = filePath;
    this.fs = options.fs ?? nodeTailFs;
    this.chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.maxReadBytes = Math.max(1, options.maxReadBytes ?? Number.POSITIVE_INFINITY);
    this.parseAll = options.parseAll ?? false;
    this.onMalformed = options.onMalformed;
    this.reportIntervalMs = options.malformedReportIntervalMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
    const fallbackSessionId = options.fallbackSessionId ?? path.basename(filePath, '.jsonl');
    this.markers = options.markers?.map((m) => Buffer.from(m, 'utf8')) ?? DEFAULT_MARKERS;
    this.interpret =
      options.interpret ??
      // Without an interpreter S is TranscriptSignal (the type parameter's default).
      (((value: unknown, now: Date) =>
        interpretTranscriptLine(value, now).map((signal) => (signal.sessionId === null ? { ...signal, sessionId: fallbackSessionId } : signal))) as unknown as LineInterpreter<S>);
    this.readPos = Math.max(0, options.offset ?? 0);
    this.ino = options.ino ?? 0;
    this.size = Math.max(0, options.size ?? 0);
    this.needsAlign = this.readPos > 0;
  }

  state(): TailState {
    return { path: this.path, offset: this.readPos - this.pendingBytes, ino: this.ino, size: this.size };
  }

  /**
   * Reads what was appended since the last call and returns its signals in file order. Calls are
   * serialized. A missing file gives no signals and keeps the position (it may come back).
   */
  readNew(): Promise<S[]> {
    const run = this.queue.then(() => this.readOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readOnce(): Promise<S[]> {
    let fh: TailFileHandle;
    try {
      fh = await this.fs.open(this.path);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    const signals: S[] = [];
    try {
      const st = await fh.stat();
      if (this.ino !== 0 && st.ino !== this.ino) {
        this.restart();
      } else if (st.size < this.readPos) {
        this.restart();
      }
      this.ino = st.ino;
      // A capped read records the size it stopped at, so the file still looks grown next time.
      const end = Math.min(st.size, this.readPos + this.maxReadBytes);
      if (end < st.size) this.cappedReads++;
      this.size = end;
      if (this.needsAlign) {
        this.needsAlign = false;
        // A position right after a newline is a line start; anything else is inside a line.
        const one = Buffer.alloc(1);
        // Not counted in bytesRead, which measures the data consumed.
        const { bytesRead } = await fh.read(one, 0, 1, this.readPos - 1);
        this.skipping = bytesRead === 1 && one[0] !== NEWLINE;
      }
      if (this.readPos >= end) return signals;
      const buf = Buffer.allocUnsafe(Math.min(this.chunkSize, end - this.readPos));
      const now = new Date(this.clock());
      while (this.readPos < end) {
        const len = Math.min(buf.length, end - this.readPos);
        const { bytesRead } = await fh.read(buf, 0, len, this.readPos);
        if (bytesRead === 0) break;
        this.bytesRead += bytesRead;
        this.readPos += bytesRead;
        this.consume(buf, bytesRead, signals, now);
      }
    } finally {
      await fh.close();
    }
    this.reportMalformed();
    return signals;
  }

  private restart(): void {
    this.readPos = 0;
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = false;
    this.needsAlign = false;
    this.restarts++;
  }

  private consume(buf: Buffer, length: number, out: S[], now: Date): void {
    // Marker positions for the whole chunk at once: one indexOf sweep per marker instead of one per line.
    const hits = this.parseAll ? [] : markerHits(buf, length, this.markers);
    let h = 0;
    let start = 0;
    let nl = buf.indexOf(NEWLINE, 0);
    while (nl !== -1 && nl < length) {
      if (this.skipping) {
        this.skipping = false;
      } else if (this.pendingBytes + (nl - start) > this.maxLineBytes) {
        this.pending = [];
        this.pendingBytes = 0;
        this.noteMalformed('(line longer than the limit)');
      } else if (this.pendingBytes > 0) {
        const line = Buffer.concat([...this.pending, buf.subarray(start, nl)]);
        this.pending = [];
        this.pendingBytes = 0;
        this.handleLine(line, 0, line.length, out, now, hasMarker(line, 0, line.length, this.markers));
      } else {
        while (h < hits.length && hits[h] < start) h++;
        // Markers hold no newline, so one starting inside the line ends inside it.
        this.handleLine(buf, start, nl, out, now, h < hits.length && hits[h] < nl);
      }
      start = nl + 1;
      nl = start < length ? buf.indexOf(NEWLINE, start) : -1;
    }
    if (start >= length || this.skipping) return;
    const restBytes = length - start;
    if (this.pendingBytes + restBytes > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.skipping = true;
      this.noteMalformed('(line longer than the limit)');
      return;
    }
    // Copied: buf is reused for the next chunk.
    this.pending.push(Buffer.from(buf.subarray(start, length)));
    this.pendingBytes += restBytes;
  }

  private handleLine(buf: Buffer, start: number, end: number, out: S[], now: Date, relevant: boolean): void {
    if (end > start && buf[end - 1] === CR) end--;
    if (end === start) return;
    this.linesSeen++;
    if (!this.parseAll && !relevant) {
      // Not parsed, but a line that is not even an object still counts as malformed.
      if (!looksLikeObject(buf, start, end)) {
        this.noteMalformed(buf.toString('utf8', start, Math.min(end, start + 80)));
      } else {
        this.skippedCount++;
      }
      return;
    }
    const text = buf.toString('utf8', start, end);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.noteMalformed(text.slice(0, 80));
      return;
    }
    if (!isTranscriptLine(value)) {
      this.noteMalformed(text.slice(0, 80));
      return;
    }
    for (const item of this.interpret(value, now)) out.push(item);
  }

  private noteMalformed(sample: string): void {
    this.malformedCount++;
    this.unreported++;
    this.lastSample = sample;
  }

  private reportMalformed(): void {
    if (this.unreported === 0 || this.onMalformed === undefined) return;
    const now = this.clock();
    if (now - this.lastReportAt < this.reportIntervalMs) return;
    const report: MalformedReport = { path: this.path, count: this.unreported, total: this.malformedCount, sample: this.lastSample };
    this.unreported = 0;
    this.lastReportAt = now;
    try {
      this.onMalformed(report);
    } catch {
      // A failing warning callback must not stop the tail.
    }
  }
}

function markerHits(buf: Buffer, length: number, markers: readonly Buffer[]): number[] {
  const hits: number[] = [];
  const view = length === buf.length ? buf : buf.subarray(0, length);
  for (const marker of markers) {
    for (let i = view.indexOf(marker, 0); i !== -1; i = view.indexOf(marker, i + marker.length)) hits.push(i);
  }
  if (markers.length > 1) hits.sort((a, b) => a - b);
  return hits;
}

function hasMarker(buf: Buffer, start: number, end: number, markers: readonly Buffer[]): boolean {
  const line = buf.subarray(start, end);
  for (const marker of markers) {
    if (line.indexOf(marker) !== -1) return true;
  }
  return false;
}

function looksLikeObject(buf: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end && isSpace(buf[i])) i++;
  let j = end - 1;
  while (j > i && isSpace(buf[j])) j--;
  return j > i && buf[i] === OPEN_BRACE && buf[j] === CLOSE_BRACE;
}

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === CR;
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}
