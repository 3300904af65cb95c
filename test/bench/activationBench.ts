// Activation time of a bundle, measured in fresh Node processes (a cold require each time) with a
// no-op vscode module: see activationChild.ts for what is and is not included.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from './stats';

export interface ActivationResult {
  readonly runs: number;
  /** Medians over the runs, in ms. */
  readonly requireMs: number;
  readonly activateMs: number;
  /** What activate() itself logs ("activated in X ms"). */
  readonly reportedMs: number;
  /** Medians of require() and activate() without the built-ins preloaded (a bare Node process). */
  readonly coldRequireMs: number;
  readonly coldActivateMs: number;
  /** Median require() of an empty file in the same kind of child: the floor of any require. */
  readonly baselineMs: number;
  /** Whether any run had loaded the terminal emulator by the end of activation. */
  readonly xtermLoaded: boolean;
}

export function activationTime(bundle: string, runs: number): ActivationResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-activate-'));
  try {
    const env = {
      ...process.env,
      HOME: dir,
      CLAUDE_CONFIG_DIR: path.join(dir, '.claude'),
      CLAUDE_QUOTA_HOME: path.join(dir, 'claude-quota'),
      CQS_BENCH_DIR: dir,
      // A socket no server listens on: the tmux source runs its real start-up but finds nothing.
      CQS_BENCH_TMUX_SOCKET: path.join(dir, 'no-tmux-server'),
    };
    type Sample = { requireMs: number; activateMs: number; reportedMs: number; xtermLoaded: boolean };
    const child = (file: string, mode: 'host' | 'cold' = 'host'): Sample => {
      const out = execFileSync(process.execPath, [path.join(__dirname, 'activationChild.js'), file, mode], { env, encoding: 'utf8', timeout: 30_000 });
      return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Sample;
    };
    const empty = path.join(dir, 'empty.js');
    fs.writeFileSync(empty, 'exports.activate = () => undefined;\n');
    const samples: Sample[] = [];
    const cold: Sample[] = [];
    const baseline: number[] = [];
    // Interleaved, so load from other processes falls on all alike.
    for (let i = 0; i < runs; i++) {
      samples.push(child(bundle));
      cold.push(child(bundle, 'cold'));
      baseline.push(child(empty).requireMs);
    }
    return {
      runs,
      requireMs: median(samples.map((s) => s.requireMs)),
      activateMs: median(samples.map((s) => s.activateMs)),
      reportedMs: median(samples.map((s) => s.reportedMs)),
      coldRequireMs: median(cold.map((s) => s.requireMs)),
      coldActivateMs: median(cold.map((s) => s.activateMs)),
      baselineMs: median(baseline),
      xtermLoaded: [...samples, ...cold].some((s) => s.xtermLoaded),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
