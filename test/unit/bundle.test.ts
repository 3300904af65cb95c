// What ships: the production bundles built by esbuild.mjs, the files the package holds, and what
// activation loads. The terminal emulator is a separate file loaded at the first screen.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from '../support/paths';

const repo = REPO;
const RECORDING = path.join(repo, 'test/fixtures/recordings/five_hour');

/** The files `./x.js` the bundle requires at run time (besides node built-ins and vscode). */
function localRequires(bundle: string): string[] {
  const text = fs.readFileSync(bundle, 'utf8');
  return [...new Set([...text.matchAll(/require\("\.\/([^"]+)"\)/g)].map((m) => m[1]))].sort();
}

describe('shipped bundles', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-bundle-test-'));
    execFileSync(process.execPath, [path.join(repo, 'esbuild.mjs'), '--production', `--outdir=${dir}`], { cwd: repo, stdio: 'pipe' });
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('leaves the terminal emulator out of the extension and the CLI, as a file beside them', () => {
    assert.deepEqual(localRequires(path.join(dir, 'extension.js')), ['xterm.js']);
    assert.deepEqual(localRequires(path.join(dir, 'cli.js')), ['xterm.js']);
    assert.ok(!/@xterm\/headless/.test(fs.readFileSync(path.join(dir, 'extension.js'), 'utf8')), 'no unresolved package require left');
    // The emulator's own entry point, so a change of esbuild options cannot leave it empty.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const xterm = require(path.join(dir, 'xterm.js')) as { Terminal?: unknown };
    assert.equal(typeof xterm.Terminal, 'function');
  });

  it('activates without loading the terminal emulator', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-activate-test-'));
    try {
      const out = execFileSync(process.execPath, [path.join(repo, 'out/test/bench/activationChild.js'), path.join(dir, 'extension.js')], {
        encoding: 'utf8',
        env: { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: path.join(home, '.claude'), CLAUDE_QUOTA_HOME: path.join(home, 'cq'), CQS_BENCH_DIR: home, CQS_BENCH_TMUX_SOCKET: path.join(home, 'no-tmux') },
      });
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { reportedMs?: number; xtermLoaded?: boolean };
      assert.ok(Number.isFinite(result.reportedMs), `activate() did not log its start-up: ${out}`);
      assert.equal(result.xtermLoaded, false);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('the production CLI loads the emulator from beside it and classifies a recorded limit screen', () => {
    const meta = JSON.parse(fs.readFileSync(`${RECORDING}.json`, 'utf8')) as { recordedAt: string; timeZone: string };
    const r = spawnSync(process.execPath, [path.join(dir, 'cli.js'), 'classify', '--now', meta.recordedAt, '--tz', meta.timeZone], {
      input: fs.readFileSync(`${RECORDING}.bin`),
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { verdict: string }).verdict, 'quota');
  });

  it('the package holds every file the bundles load', () => {
    const listed = execFileSync(process.execPath, [path.join(repo, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: repo, encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const shipped = listed.filter((f) => f.startsWith('dist/'));
    for (const bundle of ['extension.js', 'cli.js']) {
      assert.ok(shipped.includes(`dist/${bundle}`), `dist/${bundle} not packaged: ${shipped.join(', ')}`);
      for (const file of localRequires(path.join(dir, bundle))) assert.ok(shipped.includes(`dist/${file}`), `dist/${file} (loaded by ${bundle}) not packaged`);
    }
    assert.deepEqual(shipped.filter((f) => f.endsWith('.map')), [], 'source maps stay out of the package');
  });

  it('the manifest is ready for the Marketplace: icon, licence, where it runs and in which workspaces', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      icon?: string;
      extensionKind?: string[];
      capabilities?: { untrustedWorkspaces?: { supported?: unknown }; virtualWorkspaces?: { supported?: unknown; description?: string } };
    };
    assert.ok(manifest.icon !== undefined, 'no icon');
    const png = fs.readFileSync(path.join(repo, manifest.icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    // The Marketplace wants at least 128×128: width and height are the IHDR chunk's first fields.
    assert.ok(png.readUInt32BE(16) >= 128 && png.readUInt32BE(20) >= 128, 'icon under 128 px');
    // It watches local terminals, processes and files: it runs where the workspace does.
    assert.deepEqual(manifest.extensionKind, ['workspace']);
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, true);
    assert.equal(manifest.capabilities?.virtualWorkspaces?.supported, false);
    assert.ok((manifest.capabilities?.virtualWorkspaces?.description ?? '').length > 0);
    const listed = execFileSync(process.execPath, [path.join(repo, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: repo, encoding: 'utf8' });
    for (const file of [manifest.icon, 'LICENSE']) assert.match(listed, new RegExp(`^${file.replace('.', '\\.')}$`, 'm'), `${file} not packaged`);
  });
});
