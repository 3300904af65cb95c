// Tells from raw terminal output, before it is rendered, whether it may draw the start of a Claude
// Code status row (a limit, error or warning line). Sources look at the screen at once after such
// output and may otherwise wait a little, so a streaming session costs few looks while a limit line
// is still seen within the same tick.
//
// A status row starts its line: after a line end, a cursor move or erase, or a marker glyph, then blanks and colour changes, then one of the classifier's head words
// (classifierPatterns.ts). The same words inside prose, code or diffs do not count. The test is a
// hint for timing only: output it misses is still looked at, a moment later, and every row of it is
// read as long as it does not scroll out of the screen before that look.
import { HEAD_WORDS } from '../detection/classifierPatterns';

const MARKER = '[⎿●⏺✻✽✶✳✢·⚠✗✘×>❯│]\\uFE0F?';
/** Blanks and SGR (colour) sequences, which may sit between a row's start and its first word. */
const FILL = '(?:[\\s\\u00a0]|\\x1b\\[[0-9;:]*m)*';
/** A line end, a cursor move or erase (not a colour change: text after one continues its row), or a marker glyph. */
const ROW_START = `(?:[\\r\\n]|\\x1b\\[[0-9;?]*[A-HJKSTdf]|${MARKER})`;
const STATUS_ROW = new RegExp(`${ROW_START}${FILL}(?:${MARKER}${FILL}){0,2}${HEAD_WORDS}`, 'i');

/** Characters of the previous output kept, so a row start and its words may arrive in different chunks. */
const TAIL = 256;

export class StatusRowTrigger {
  /** The start of the output is the start of a row. */
  private tail = '\n';
  private readonly decoder = new TextDecoder('utf-8');

  /** True when `chunk`, joined to the output before it, may start drawing a status row. */
  test(chunk: Uint8Array | string): boolean {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const joined = this.tail + text;
    this.tail = joined.length > TAIL ? joined.slice(-TAIL) : joined;
    return STATUS_ROW.test(joined);
  }
}

/** True when a rendered line (no escapes) starts like a status row: the same test on finished text. */
export function startsLikeStatusRow(line: string): boolean {
  return STATUS_ROW.test(`\n${line}`);
}
