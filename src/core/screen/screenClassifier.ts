import { classify } from '../detection/classifier';
import { StatusRowTrigger, startsLikeStatusRow } from './statusRowTrigger';
import { TerminalScreen, TerminalScreenOptions } from './terminalScreen';
import { Classification, NO_VERDICT, TimeContext } from '../detection/types';

/**
 * One session's path from raw bytes to a verdict: bytes are rendered into the session's screen,
 * and only the lines that changed since the last look are classified. This is the unit every
 * source (VS Code terminal, tmux pane, the CLI) feeds.
 *
 * Cost under streaming output: a look reads the viewport and every row that scrolled since the last
 * look. When nothing written since then can start a status row (StatusRowTrigger, which also sees
 * a row start and its first words split across chunks) and the line held back from the last look
 * does not start like one, the scrolled rows are passed over: they hold ordinary output only, and
 * reading them is most of a look's cost. The viewport is always read.
 */
export class ScreenClassifier {
  private readonly screen: TerminalScreen;
  /** A line held back at the last look because the cursor was still at its end. */
  private held: string | null = null;
  private readonly trigger = new StatusRowTrigger();
  /** Output since the last look may draw the start of a status row. */
  private statusRowWritten = false;

  constructor(options: TerminalScreenOptions = {}) {
    this.screen = new TerminalScreen(options);
  }

  /** Writes a chunk without looking; cheap enough to call for every chunk a source delivers. */
  write(chunk: Uint8Array | string): void {
    this.screen.write(chunk);
    if (this.trigger.test(chunk)) this.statusRowWritten = true;
  }

  /**
   * True when output written since the last look may draw a status row (a limit line): the source
   * should look at once rather than wait for its next scheduled look.
   */
  get urgent(): boolean {
    return this.statusRowWritten || (this.held !== null && startsLikeStatusRow(this.held));
  }

  /**
   * Waits for the written bytes to be rendered, then classifies what changed since the last look.
   * A chunk may end in the middle of a line ("limit reached · resets 11" of "resets 11pm"), so the
   * line the cursor is still writing is held back until the next look shows it finished or
   * replaced. `final` classifies it anyway (no more output will come).
   */
  async look(ctx: TimeContext, final = false): Promise<Classification> {
    await this.flush();
    return this.lookParsed(ctx, final);
  }

  /** Resolves once everything written so far has been parsed (at once when parsing is synchronous). */
  flush(): Promise<void> {
    return this.screen.flush();
  }

  /** look() of what has been parsed so far, synchronously: after flush(), all that was written. */
  lookParsed(ctx: TimeContext, final = false): Classification {
    if (!final && !this.statusRowWritten && (this.held === null || !startsLikeStatusRow(this.held))) this.screen.skipScrolled();
    this.statusRowWritten = false;
    const lines = this.screen.takeChangedLines();
    const held = this.held;
    this.held = null;
    // A held line that was completed since shows up again, longer; otherwise it was finished as it stood.
    if (held !== null && !lines.some((l) => l !== held && l.startsWith(held))) lines.unshift(held);
    if (!final && lines.length > 0) {
      // A TUI redraws top-down and may leave the cursor mid-screen, so the open line need not be the last changed one.
      const open = this.screen.openRowText();
      let at = lines.length - 1;
      while (open !== null && at >= 0 && !lines[at].endsWith(open)) at--;
      if (open !== null && at >= 0) this.held = lines.splice(at, 1)[0];
    }
    return lines.length === 0 ? NO_VERDICT : classify(lines, ctx);
  }

  async feed(chunk: Uint8Array | string, ctx: TimeContext, final = false): Promise<Classification> {
    this.write(chunk);
    return this.look(ctx, final);
  }

  resize(cols: number, rows: number): void {
    this.screen.resize(cols, rows);
  }

  visibleLines(): string[] {
    return this.screen.visibleLines();
  }

  dispose(): void {
    this.screen.dispose();
  }
}
