// Bundles the extension and the CLI into dist/. Type-checking is separate (npm run check-types).
//
// The terminal emulator (@xterm/headless) is most of the code but only needed once a session is
// watched, so it is its own file, dist/xterm.js: the extension and the CLI require it at first use
// (see src/core/screen/xtermLoader.ts) and activation does not pay for loading it.
//
// Flags: --production (minified, no source maps), --watch, --outdir=<dir> (default dist; the bench
// builds what ships into a temp directory with it).
import * as esbuild from 'esbuild';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outdir = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length) || 'dist';

const XTERM = '@xterm/headless';
const XTERM_ESM = 'node_modules/@xterm/headless/lib-headless/xterm-headless.mjs';
/** Output file of the emulator, next to the bundles that load it. */
const XTERM_FILE = 'xterm.js';

/** Leaves the emulator out of a bundle: its require becomes one of the file beside the bundle. */
const lazyXterm = {
  name: 'lazy-xterm',
  setup(build) {
    build.onResolve({ filter: /^@xterm\/headless$/ }, () => ({ path: `./${XTERM_FILE}`, external: true }));
  },
};

const common = {
  bundle: true,
  // Packages' ES module builds first: a UMD build (jsonc-parser's) hides its requires from the bundler.
  mainFields: ['module', 'main'],
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  external: ['vscode'],
  legalComments: 'none',
  absWorkingDir: path.dirname(new URL(import.meta.url).pathname),
};

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: path.join(outdir, 'extension.js'), plugins: [lazyXterm] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: path.join(outdir, 'cli.js'), banner: { js: '#!/usr/bin/env node' }, plugins: [lazyXterm] },
  // The usage scan's worker thread, loaded from beside the bundle that starts it.
  { ...common, entryPoints: ['src/core/usage/usageScanWorker.ts'], outfile: path.join(outdir, 'usageScanWorker.js') },
  // The package's ES module build: about 35 KB smaller than its webpack CommonJS build, same code.
  { ...common, entryPoints: [XTERM_ESM], outfile: path.join(outdir, XTERM_FILE) },
];

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  process.stdout.write('[esbuild] watching\n');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
