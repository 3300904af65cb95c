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

  constructor(options: TerminalScreenOptions = {}) {
    this.screen = new TerminalScreen(options);
  }

  /** Writes a chunk without looking; cheap enough to call for every chunk a source delivers. */
  write(chunk: Uint8Array | string): void {
    this.screen.write(chunk);
  }

  /** Waits for the written bytes to be rendered, then classifies what changed since the last look. */
  async look(ctx: TimeContext): Promise<Classification> {
    await this.screen.flush();
    const changed = this.screen.takeChangedLines();
    return changed.length === 0 ? NO_VERDICT : classify(changed, ctx);
  }

  async feed(chunk: Uint8Array | string, ctx: TimeContext): Promise<Classification> {
    this.write(chunk);
    return this.look(ctx);
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
