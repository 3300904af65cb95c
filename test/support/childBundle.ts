// One way to bundle a script a test runs as a child process: a single file in a temp folder, so a
// concurrent rebuild of out/ cannot hand the child a half-written module, resolved as the product's
// own bundles are (esbuild.mjs: packages' ES module builds first).
import { buildSync } from 'esbuild';

export function bundleChild(entry: string, outfile: string): string {
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', mainFields: ['module', 'main'], outfile, logLevel: 'error' });
  return outfile;
}
