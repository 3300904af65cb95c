import { classify } from './classifier';
import { TerminalScreen, TerminalScreenOptions } from './terminalScreen';
import { Classification, NO_VERDICT, TimeContext } from './types';

/**
 * One session's path from raw bytes to a verdict: bytes are rendered into the session's screen,
 * and only the lines that changed since the last look are classified. This is the unit every
 * source (VS Code terminal, tmux pane, the CLI) feeds.
 */
export class ScreenClassifier {
  private readonly screen: TerminalScreen;
  /** A line held back at the last look because the cursor was still at its end. */
  private held: string | null = null;

  constructor(options: TerminalScreenOptions = {}) {
    this.screen = new TerminalScreen(options);
  }

  /** Writes a chunk without looking; cheap enough to call for every chunk a source delivers. */
  write(chunk: Uint8Array | string): void {
    this.screen.write(chunk);
  }

  /**
   * Waits for the written bytes to be rendered, then classifies what changed since the last look.
   * A chunk may end in the middle of a line ("limit reached · resets 11" of "resets 11pm"), so the
   * line the cursor is still writing is held back until the next look shows it finished or
   * replaced. `final` classifies it anyway (no more output will come).
   */
  async look(ctx: TimeContext, final = false): Promise<Classification> {
    await this.screen.flush();
    const lines = this.screen.takeChangedLines();
    const held = this.held;
    this.held = null;
    // A held line that was completed since shows up again, longer; otherwise it was finished as it stood.
    if (held !== null && !lines.some((l) => l !== held && l.startsWith(held))) lines.unshift(held);
    if (!final && lines.length > 0) {
      const open = this.screen.openRowText();
      if (open !== null && lines[lines.length - 1].endsWith(open)) this.held = lines.pop() ?? null;
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
