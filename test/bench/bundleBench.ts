// Sizes of what ships: esbuild.mjs --production run into a temp directory (dist/ belongs to the dev
// build), so the bench measures the very files the package holds.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface BundleResult {
  readonly dir: string;
  /** Loaded at activation. */
  readonly extensionBytes: number;
  /** The terminal emulator, loaded at the first watched session. */
  readonly xtermBytes: number;
  readonly cliBytes: number;
  /** The dev build of the extension (dist/extension.js), when present. */
  readonly devExtensionBytes: number | null;
}

export function buildProduction(repo: string): BundleResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-bundle-'));
  execFileSync(process.execPath, [path.join(repo, 'esbuild.mjs'), '--production', `--outdir=${dir}`], { cwd: repo, stdio: 'inherit' });
  const size = (file: string): number => fs.statSync(path.join(dir, file)).size;
  const dev = path.join(repo, 'dist', 'extension.js');
  return {
    dir,
    extensionBytes: size('extension.js'),
    xtermBytes: size('xterm.js'),
    cliBytes: size('cli.js'),
    devExtensionBytes: fs.existsSync(dev) ? fs.statSync(dev).size : null,
  };
}
