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
    const samples: Array<{ requireMs: number; activateMs: number; reportedMs: number }> = [];
    for (let i = 0; i < runs; i++) {
      const out = execFileSync(process.execPath, [path.join(__dirname, 'activationChild.js'), bundle], { env, encoding: 'utf8', timeout: 30_000 });
      samples.push(JSON.parse(out.trim().split('\n').pop() ?? '{}') as { requireMs: number; activateMs: number; reportedMs: number });
    }
    return {
      runs,
      requireMs: median(samples.map((s) => s.requireMs)),
      activateMs: median(samples.map((s) => s.activateMs)),
      reportedMs: median(samples.map((s) => s.reportedMs)),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
