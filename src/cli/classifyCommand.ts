import { fstatSync } from 'node:fs';
import { describeError } from '../core/base/errors';
import { ScreenClassifier } from '../core/screen/screenClassifier';
import { Classification, NO_VERDICT } from '../core/detection/types';
import { parseArgs } from './argParser';
import { CliError, CliIo } from './cliIo';
import { readTimeContext } from './timeOptions';

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
// Look at the screen at least this often so nothing scrolls away unseen between looks.
const LOOK_EVERY_BYTES = 64 * 1024;

export interface ClassifyInput extends AsyncIterable<Uint8Array | string> {
  readonly isTTY?: boolean;
  /** process.stdin has one; a directory there reads as empty in Node, so it is checked first. */
  readonly fd?: number;
}

/**
 * `claude-quota classify [--now ISO] [--tz IANA] [--cols N] [--rows N] [--max-bytes N]`:
 * renders terminal output from stdin the way a watched session is rendered and prints one JSON
 * line with the latest verdict that is not `none`.
 */
export async function runClassifyCommand(argv: readonly string[], io: CliIo, input: ClassifyInput): Promise<number> {
  const args = parseArgs(argv, ['now', 'tz', 'cols', 'rows', 'max-bytes']);
  if (args.positional.length > 0) throw new CliError('usage: claude-quota classify [--now ISO] [--tz IANA] < output.txt');
  const ctx = readTimeContext(args.options);
  const cols = readInt(args.options, 'cols', 200, 20, 1000);
  const rows = readInt(args.options, 'rows', 50, 5, 500);
  const maxBytes = readInt(args.options, 'max-bytes', DEFAULT_MAX_BYTES, 1, Number.MAX_SAFE_INTEGER);
  if (input.isTTY) throw new CliError('classify reads terminal output from stdin: pipe a file or a recording into it');
  if (typeof input.fd === 'number' && isDirectory(input.fd)) throw new CliError('cannot read stdin (EISDIR): it is a directory');

  const screen = new ScreenClassifier({ cols, rows });
  const eol = new LineEndingNormalizer();
  let latest: Classification = NO_VERDICT;
  let total = 0;
  let sinceLook = 0;
  try {
    for await (const raw of readInput(input)) {
      const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
      total += chunk.length;
      if (total > maxBytes) throw new CliError(`input is larger than ${maxBytes} bytes (--max-bytes)`);
      screen.write(eol.normalize(chunk));
      sinceLook += chunk.length;
      if (sinceLook >= LOOK_EVERY_BYTES) {
        sinceLook = 0;
        latest = pick(latest, await screen.look(ctx));
      }
    }
    latest = pick(latest, await screen.look(ctx, true));
  } finally {
    screen.dispose();
  }
  io.stdout.write(
    `${JSON.stringify({
      verdict: latest.verdict,
      window: latest.window,
      resetsAt: latest.resetsAt ? latest.resetsAt.toISOString() : null,
      evidence: latest.evidence,
    })}\n`,
  );
  return 0;
}

function isDirectory(fd: number): boolean {
  try {
    return fstatSync(fd).isDirectory();
  } catch {
    return false;
  }
}

function pick(previous: Classification, next: Classification): Classification {
  return next.verdict === 'none' ? previous : next;
}

async function* readInput(input: ClassifyInput): AsyncIterable<Uint8Array | string> {
  try {
    yield* input;
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read stdin${code ? ` (${code})` : ''}: ${describeError(err)}`);
  }
}

function readInt(options: ReadonlyMap<string, string>, name: string, fallback: number, min: number, max: number): number {
  const text = options.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new CliError(`--${name} must be a whole number from ${min} to ${max}`);
  return value;
}

/**
 * Text piped from a file has bare LF line ends where a terminal would have received CR LF (the
 * tty adds the CR). Without the CR every line would start where the previous one ended.
 */
export class LineEndingNormalizer {
  private lastWasCr = false;

  normalize(chunk: Uint8Array): Uint8Array {
    let lone = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === 0x0a && !(i === 0 ? this.lastWasCr : chunk[i - 1] === 0x0d)) lone++;
    }
    const lastWasCr = chunk.length > 0 ? chunk[chunk.length - 1] === 0x0d : this.lastWasCr;
    if (lone === 0) {
      this.lastWasCr = lastWasCr;
      return chunk;
    }
    const out = new Uint8Array(chunk.length + lone);
    let j = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === 0x0a && !(i === 0 ? this.lastWasCr : chunk[i - 1] === 0x0d)) out[j++] = 0x0d;
      out[j++] = chunk[i];
    }
    this.lastWasCr = lastWasCr;
    return out;
  }
}
