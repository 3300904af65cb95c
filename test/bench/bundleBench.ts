// Sizes of the production bundles, built into a temp directory with esbuild.mjs's --production
// options (repeated here because esbuild.mjs always writes dist/, which the dev build owns).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface BundleResult {
  readonly dir: string;
  readonly extensionBytes: number;
  readonly cliBytes: number;
  /** The extension bundle from the dev build (dist/extension.js), when present. */
  readonly devExtensionBytes: number | null;
}

export async function buildProduction(repo: string): Promise<BundleResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-bundle-'));
  const common: esbuild.BuildOptions = {
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    sourcemap: false,
    sourcesContent: false,
    logLevel: 'warning',
    external: ['vscode'],
    legalComments: 'none',
    absWorkingDir: repo,
  };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: path.join(dir, 'extension.js') }),
    esbuild.build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: path.join(dir, 'cli.js'), banner: { js: '#!/usr/bin/env node' } }),
  ]);
  const dev = path.join(repo, 'dist', 'extension.js');
  return {
    dir,
    extensionBytes: fs.statSync(path.join(dir, 'extension.js')).size,
    cliBytes: fs.statSync(path.join(dir, 'cli.js')).size,
    devExtensionBytes: fs.existsSync(dev) ? fs.statSync(dev).size : null,
  };
}
