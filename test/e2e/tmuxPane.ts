// One program in a pane of a private tmux server (own socket, no user config, fixed size), with
// the pane's raw output bytes copied to a file by pipe-pane.
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { paneLauncher } from '../support/claudeSandbox';
import { waitFor } from './claudeCli';

let sockets = 0;
/** Servers still running; killed on exit too, so an interrupted run leaves no tmux (or claude) behind. */
const live = new Set<string>();
process.once('exit', () => {
  for (const socket of live) {
    try {
      execFileSync('tmux', ['-L', socket, '-f', '/dev/null', 'kill-server'], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // Already gone.
    }
  }
});

export function tmuxAvailable(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class TmuxPane {
  readonly rawFile: string;
  private readonly socket = `cqs-e2e-${process.pid}-${++sockets}`;
  private panePid: number | undefined;
  private socketPath: string | undefined;

  private constructor(
    workDir: string,
    readonly cols: number,
    readonly rows: number,
  ) {
    this.rawFile = path.join(workDir, 'pane.bin');
  }

  /**
   * Starts `command` under exactly `env` in a `cols`×`rows` pane. The program waits for a go file
   * until pipe-pane is attached, so the raw file holds its output from the first byte.
   */
  static async start(options: { workDir: string; cwd: string; env: Record<string, string>; command: readonly string[]; cols: number; rows: number }): Promise<TmuxPane> {
    const pane = new TmuxPane(options.workDir, options.cols, options.rows);
    const goFile = path.join(options.workDir, 'go');
    live.add(pane.socket);
    try {
      await pane.tmux(
        'start-server', ';',
        // Keep the pane (and its screen) after the program exits, to read what it printed last.
        'set-option', '-g', 'remain-on-exit', 'on', ';',
        'new-session', '-d', '-s', 'e2e', '-x', String(options.cols), '-y', String(options.rows), '-c', options.cwd,
        ...paneLauncher(options.env, goFile, options.command),
      );
      pane.panePid = Number((await pane.tmux('display-message', '-p', '-t', 'e2e', '#{pane_pid}')).trim());
      pane.socketPath = (await pane.tmux('display-message', '-p', '#{socket_path}')).trim();
      await pane.tmux('pipe-pane', '-o', '-t', 'e2e', `cat >> '${pane.rawFile}'`);
      fs.writeFileSync(goFile, '');
    } catch (err) {
      // The caller never gets the pane, so it cannot clean up.
      await pane.kill();
      throw err;
    }
    return pane;
  }

  /** The visible screen as text. */
  screen(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-J', '-t', 'e2e');
  }

  /** Polls the screen until `test` matches; returns that screen. */
  async waitForScreen(what: string, test: (screen: string) => boolean, timeoutMs: number): Promise<string> {
    let last = '';
    try {
      return await waitFor(
        what,
        async () => {
          last = await this.screen();
          return test(last) ? last : undefined;
        },
        timeoutMs,
        150,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}; last screen:\n${last}`);
    }
  }

  /** Types `text` literally (no key names). */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'e2e', '-l', text);
  }

  async key(name: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'e2e', name);
  }

  raw(): Buffer {
    return fs.existsSync(this.rawFile) ? fs.readFileSync(this.rawFile) : Buffer.alloc(0);
  }

  /** Kills the server, then the pane's program if the hangup did not end it; safe to call twice. */
  async kill(): Promise<void> {
    try {
      await this.tmux('kill-server');
    } catch {
      // Already gone.
    }
    live.delete(this.socket);
    if (this.socketPath) {
      // kill-server leaves the socket file behind.
      fs.rmSync(this.socketPath, { force: true });
    }
    if (this.panePid !== undefined) {
      try {
        process.kill(this.panePid, 'SIGKILL');
      } catch {
        // Exited with the server.
      }
      this.panePid = undefined;
    }
  }

  /** Asynchronous, so the mock API in this process keeps answering while tmux runs. */
  private tmux(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', timeout: 10_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`tmux ${args[0] ?? ''}: ${err.message} ${stderr}`));
        else resolve(stdout);
      });
    });
  }
}
