// Renders raw terminal output with a headless xterm and reports which logical lines are new.
//
// Change tracking:
//  - Position: after each look a marker is placed on the row just above the normal buffer's viewport
//    (the newest scrollback row). Scrollback rows are never rewritten by the application, only trimmed,
//    and xterm moves markers when it trims, so on the next look `marker.line + 1` is where the old
//    viewport began. Only rows from there to the end (old viewport + everything that scrolled since) are
//    read: the cost of a look is the viewport plus the newly scrolled rows, never the whole scrollback.
//    If the marker was trimmed away (more output than the scrollback holds, or `ESC[3J`), every row
//    still held is newer than the last look, so reading starts at row 0. With no scrollback at the last
//    look there is no marker and row 0 is the old viewport top.
//  - Content: a line is reported when its text is not among the recently seen logical lines (an LRU set
//    sized well above the viewport). Identical redraws, lines shifted by a row, cursor-up + clear +
//    reprint cycles, and full-screen reprints of recent history therefore report nothing, while a row
//    whose text changed (CR overwrite, erase, rewrite) reports its new text.
//  - Buffers: the alternate screen is read whole (it has no scrollback). Leaving a buffer, or a full
//    reset (RIS), runs a look on it at that moment inside the parser (xterm erases the alternate screen
//    on exit), so nothing written in the same batch is missed; the marker is then re-placed.
//  Blank lines are never reported.

import type { IBuffer, IDisposable, IMarker, Terminal } from '@xterm/headless';
import { loadXterm } from './xtermLoader';

export interface TerminalScreenOptions {
  readonly cols?: number;
  readonly rows?: number;
  /** Rows kept above the viewport; bounds memory. */
  readonly scrollback?: number;
  /** Distinct recent line texts remembered to suppress redraws; at least 2 x (rows + scrollback). */
  readonly memoryLines?: number;
}

const DEFAULT_COLS = 200;
const DEFAULT_ROWS = 50;
const DEFAULT_SCROLLBACK = 1000;
const DEFAULT_MEMORY_LINES = 4096;

/**
 * xterm parses written data later, on a timer. Its core also has a synchronous path that parses at
 * once: a look then sees every byte written before it, with no timer per chunk (about four times
 * the throughput when each chunk is looked at). It is internal, so the package version is pinned and
 * a unit test fails if an upgrade removes it; without it the screen falls back to the timer path.
 */
type SyncWriter = (data: string | Uint8Array) => void;
function syncWriterOf(term: Terminal): SyncWriter | null {
  const core = (term as unknown as { _core?: { writeSync?: SyncWriter } })._core;
  return core && typeof core.writeSync === 'function' ? core.writeSync.bind(core) : null;
}

export class TerminalScreen {
  private readonly term: Terminal;
  private readonly subscriptions: IDisposable[] = [];
  /** Marker on the newest scrollback row of the normal buffer at the last look; null when it had none. */
  private anchor: IMarker | null = null;
  /**
   * Recently seen line texts: text -> stamp of its latest entry in `ring`, a circular log of the last
   * `ring.length` entries. A text is forgotten when its latest entry is overwritten.
   */
  private readonly seen = new Map<string, number>();
  private readonly ring: Array<string | undefined>;
  private clock = 0;
  /** Lines found by looks taken at buffer switches, waiting for the next takeChangedLines(). */
  private pending: string[] = [];
  private dirty = false;
  /** Unresolved flush() promises; dispose() resolves them, as xterm drops queued callbacks. */
  private readonly flushes = new Set<() => void>();
  private disposed = false;
  private readonly writeSync: SyncWriter | null;

  constructor(options: TerminalScreenOptions = {}) {
    const cols = options.cols ?? DEFAULT_COLS;
    const rows = options.rows ?? DEFAULT_ROWS;
    const scrollback = options.scrollback ?? DEFAULT_SCROLLBACK;
    // The set must hold at least what one look can read (viewport + scrollback), or a look could evict its own lines.
    this.ring = new Array<string | undefined>(Math.max(options.memoryLines ?? DEFAULT_MEMORY_LINES, 2 * (rows + scrollback)));
    this.term = new (loadXterm().Terminal)({ cols, rows, scrollback, allowProposedApi: true, logLevel: 'off' });
    this.writeSync = syncWriterOf(this.term);
    this.subscriptions.push(
      this.term.onWriteParsed(() => {
        this.dirty = true;
      }),
      this.term.buffer.onBufferChange((buffer) => this.onBufferChange(buffer)),
      // Leaving the alternate screen erases it before any event fires, so read it just before.
      this.term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, (params) => {
        if (params.some((p) => p === 47 || p === 1047 || p === 1049)) {
          this.checkpointActive();
        }
        return false;
      }),
      // A full reset (RIS) replaces both buffers.
      this.term.parser.registerEscHandler({ final: 'c' }, () => {
        this.checkpointActive();
        return false;
      }),
    );
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  /** Rows currently held (viewport + scrollback); never exceeds rows + scrollback. */
  get bufferLength(): number {
    return this.term.buffer.active.length;
  }

  /**
   * Queues raw output. Chunks may split escape sequences and UTF-8 sequences anywhere; a Uint8Array is
   * decoded as UTF-8 incrementally. The array is read later, so the caller must not reuse it.
   */
  write(chunk: Uint8Array | string): void {
    if (this.disposed) {
      return;
    }
    if (this.writeSync) {
      this.writeSync(chunk);
      this.dirty = true;
    } else {
      this.term.write(chunk);
    }
  }

  /** True when writes are parsed at once (see SyncWriter). */
  get parsesSynchronously(): boolean {
    return this.writeSync !== null;
  }

  /** Resolves once everything written so far has been parsed. */
  flush(): Promise<void> {
    if (this.disposed || this.writeSync) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.flushes.add(resolve);
      this.term.write('', () => {
        this.flushes.delete(resolve);
        resolve();
      });
    });
  }

  /**
   * Logical lines (wrapped rows joined, trailing spaces trimmed) that are new or changed since the
   * previous call, in screen order. Reflects what has been parsed so far; call flush() first to include
   * everything written.
   */
  takeChangedLines(): string[] {
    if (this.disposed) {
      return [];
    }
    const out = this.pending;
    this.pending = [];
    if (!this.dirty) {
      return out;
    }
    this.dirty = false;
    if (this.term.buffer.active.type === 'alternate') {
      this.lookAlternate(out);
    } else {
      this.lookNormal(out);
      this.placeAnchor();
    }
    return out;
  }

  /**
   * The next takeChangedLines() reads the viewport only: rows that scrolled into the scrollback since
   * the last look are passed over unread (and are not remembered as seen). For output known to hold
   * nothing worth reading (see ScreenClassifier); the normal buffer only, the alternate has no scrollback.
   */
  skipScrolled(): void {
    if (this.disposed || this.term.buffer.active.type !== 'normal') {
      return;
    }
    this.placeAnchor();
  }

  /** The viewport of the active buffer as logical lines; trailing blank lines dropped. */
  visibleLines(): string[] {
    if (this.disposed) {
      return [];
    }
    const buffer = this.term.buffer.active;
    const lines = readLogicalLines(buffer, buffer.baseY, buffer.length);
    while (lines.length > 0 && lines[lines.length - 1] === '') {
      lines.pop();
    }
    return lines;
  }

  /**
   * The text of the cursor's row when the cursor stands right after its last character: a line
   * that may still be being written. Null when the cursor is elsewhere (e.g. parked in an input box).
   */
  openRowText(): string | null {
    if (this.disposed) {
      return null;
    }
    const buffer = this.term.buffer.active;
    const text = buffer.getLine(buffer.baseY + buffer.cursorY)?.translateToString(true) ?? '';
    return text.length > 0 && buffer.cursorX === text.length ? text : null;
  }

  resize(cols: number, rows: number): void {
    if (this.disposed || (cols === this.term.cols && rows === this.term.rows)) {
      return;
    }
    this.term.resize(cols, rows);
    this.dirty = true;
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    for (const s of this.subscriptions) {
      s.dispose();
    }
    this.anchor?.dispose();
    this.anchor = null;
    this.seen.clear();
    this.ring.fill(undefined);
    this.pending = [];
    this.term.dispose();
    for (const resolve of this.flushes) {
      resolve();
    }
    this.flushes.clear();
  }

  /** Reads the active buffer into `pending` before the parser erases or replaces it. */
  private checkpointActive(): void {
    if (this.term.buffer.active.type === 'alternate') {
      this.lookAlternate(this.pending);
    } else {
      this.lookNormal(this.pending);
    }
  }

  private onBufferChange(buffer: IBuffer): void {
    if (buffer.type === 'alternate') {
      // Leaving the normal buffer: read what reached it since the last look; it stays frozen until we return.
      this.lookNormal(this.pending);
    } else {
      // Back from the alternate buffer (normal is as it was when left) or after a full reset (new buffers).
      this.placeAnchor();
    }
  }

  private lookNormal(out: string[]): void {
    const buffer = this.term.buffer.normal;
    let start = 0;
    if (this.anchor !== null && !this.anchor.isDisposed && this.anchor.line >= 0) {
      start = Math.min(this.anchor.line + 1, buffer.length);
    }
    this.collect(readLogicalLines(buffer, start, buffer.length), out);
  }

  private lookAlternate(out: string[]): void {
    const buffer = this.term.buffer.alternate;
    this.collect(readLogicalLines(buffer, 0, buffer.length), out);
  }

  /** Re-anchors on the normal buffer; only valid while it is the active one. */
  private placeAnchor(): void {
    const buffer = this.term.buffer.normal;
    const target = buffer.baseY - 1;
    if (this.anchor !== null && !this.anchor.isDisposed && this.anchor.line === target) {
      return;
    }
    this.anchor?.dispose();
    this.anchor = null;
    if (target >= 0) {
      // registerMarker counts from the cursor row of the active (normal) buffer.
      this.anchor = this.term.registerMarker(target - (buffer.baseY + buffer.cursorY)) ?? null;
    }
  }

  private collect(lines: readonly string[], out: string[]): void {
    const ring = this.ring;
    const capacity = ring.length;
    for (const text of lines) {
      if (text === '') {
        continue;
      }
      const stamp = this.seen.get(text);
      if (stamp === undefined) {
        out.push(text);
      } else if (this.clock - stamp < capacity / 2) {
        // Seen recently enough to survive until the next look; skip the refresh.
        continue;
      }
      // Refresh: record it at the head; its older ring slot becomes stale and is skipped when evicted.
      const slot = this.clock % capacity;
      const evicted = ring[slot];
      if (evicted !== undefined && this.seen.get(evicted) === this.clock - capacity) {
        this.seen.delete(evicted);
      }
      ring[slot] = text;
      this.seen.set(text, this.clock);
      this.clock++;
    }
  }
}

/**
 * Logical lines covering rows [start, end): starts at the first row of the line containing `start` and
 * runs past `end` to finish a line that continues. Rows followed by a continuation keep their trailing
 * spaces (a space can sit at the wrap point); only the end of each logical line is trimmed.
 */
function readLogicalLines(buffer: IBuffer, start: number, end: number): string[] {
  const lines: string[] = [];
  const length = buffer.length;
  let row = Math.min(start, length);
  while (row > 0 && buffer.getLine(row)?.isWrapped === true) {
    row--;
  }
  let line = buffer.getLine(row);
  let current = '';
  let open = false;
  while (line !== undefined) {
    const wrapped = line.isWrapped && open;
    if (!wrapped && row >= end) {
      break;
    }
    const next = row + 1 < length ? buffer.getLine(row + 1) : undefined;
    const continues = next !== undefined && next.isWrapped;
    const text = line.translateToString(!continues);
    current = wrapped ? current + text : text;
    open = true;
    if (!continues) {
      lines.push(wrapped ? current.trimEnd() : current);
      current = '';
      open = false;
    }
    line = next;
    row++;
  }
  if (open) {
    lines.push(current.trimEnd());
  }
  return lines;
}
