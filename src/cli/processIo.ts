// The CLI's real standard streams. A write that fails (stdout to a full disk, a pipe whose reader
// went away) must not become a stack trace after the command already did its work: the failure is
// recorded, and the exit code says both that the output was lost and whether the command ran.
import { describeError } from '../core/base/errors';
import type { CliIo } from './cliIo';

/** Exit code when the command did its work (a switch landed) but its output could not be written. */
export const EXIT_DONE_OUTPUT_LOST = 4;
/** Exit code when the command failed and its error could not be written either. */
export const EXIT_FAILED_OUTPUT_LOST = 5;

interface Stream {
  write(text: string): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export class ProcessIo {
  private lost: { stream: string; error: string } | null = null;
  readonly io: CliIo;

  constructor(
    stdout: Stream,
    private readonly stderr: Stream,
    env: NodeJS.ProcessEnv,
  ) {
    // Pipes report EPIPE asynchronously, files report ENOSPC synchronously: both paths end here.
    stdout.on('error', (err) => this.fail('stdout', err));
    stderr.on('error', (err) => this.fail('stderr', err));
    this.io = { stdout: { write: (t) => this.write(stdout, 'stdout', t) }, stderr: { write: (t) => this.write(stderr, 'stderr', t) }, env };
  }

  /**
   * Ends the run of a command that returned `code`: one line on stderr when its output was lost,
   * and the exit code that says so. Waits a turn first: a pipe's EPIPE arrives as a later event.
   */
  async finish(code: number): Promise<number> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.lost === null) return code;
    const outcome = code === 0 ? 'the command itself completed' : `the command itself failed (exit code ${code})`;
    if (this.lost.stream === 'stdout') this.writeQuietly(`claude-quota: could not write the output (${this.lost.error}); ${outcome}\n`);
    return code === 0 ? EXIT_DONE_OUTPUT_LOST : EXIT_FAILED_OUTPUT_LOST;
  }

  private write(stream: Stream, name: string, text: string): void {
    if (this.lost !== null) return; // the rest of the output goes nowhere
    try {
      stream.write(text);
    } catch (err) {
      this.fail(name, err);
    }
  }

  private fail(name: string, err: unknown): void {
    this.lost ??= { stream: name, error: describeError(err) };
  }

  private writeQuietly(text: string): void {
    try {
      this.stderr.write(text);
    } catch {
      // stderr is gone too: the exit code still tells.
    }
  }
}
