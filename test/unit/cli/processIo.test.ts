// The real CLI's streams: output to a full disk or a closed pipe gives one line and an exit code
// that tells whether the command did its work, never a stack trace.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_DONE_OUTPUT_LOST, EXIT_FAILED_OUTPUT_LOST } from '../../../src/cli/processIo';
import { credentialsText, makeSandbox, removeSandbox, writeLogin, type Sandbox } from '../../support/accountsFixtures';
import { REPO } from '../../support/paths';

const CLI = path.join(REPO, 'dist', 'cli.js');

/** Runs the bundled CLI with stdout (or stderr) going to `target`: a file descriptor or 'closed-pipe'. */
function runCli(argv: string[], env: Record<string, string>, out: { stdout?: number | 'closed-pipe'; stderr?: number }) {
  if (out.stdout === 'closed-pipe') {
    // The reader of the pipe is gone before the CLI writes: a `| head -0`.
    const r = spawnSync('sh', ['-c', `"$0" "$@" | true`, process.execPath, CLI, ...argv], { env: { ...env, PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  }
  const r = spawnSync(process.execPath, [CLI, ...argv], { env, encoding: 'utf8', stdio: ['ignore', out.stdout ?? 'pipe', out.stderr ?? 'pipe'] });
  return { status: r.status, stderr: r.stderr ?? '' };
}

describe('CLI output failures', () => {
  let sb: Sandbox;
  let full: number;
  before(function () {
    if (!fs.existsSync('/dev/full')) this.skip(); // Linux only: a device that refuses every write
  });
  beforeEach(() => {
    sb = makeSandbox('cqs-cli-io-');
    full = fs.openSync('/dev/full', 'w');
  });
  afterEach(() => {
    fs.closeSync(full);
    removeSandbox(sb);
  });

  it('a switch whose output cannot be written still lands, says so in one line and exits 4', () => {
    writeLogin(sb, 'beta');
    assert.equal(runCli(['accounts', 'add', 'work'], sb.env, {}).status, 0);
    writeLogin(sb, 'alpha');
    assert.equal(runCli(['accounts', 'add', 'home'], sb.env, {}).status, 0);
    const r = runCli(['accounts', 'switch', 'work'], sb.env, { stdout: full });
    assert.equal(r.status, EXIT_DONE_OUTPUT_LOST, r.stderr);
    assert.equal(fs.readFileSync(sb.credentialsFile, 'utf8'), credentialsText('beta'));
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^claude-quota: could not write the output \(ENOSPC[^)]*\); the command itself completed$/);
  });

  it('a closed pipe gives the same one line', () => {
    const r = runCli(['parse-reset', 'resets 3pm', '--tz', 'UTC'], sb.env, { stdout: 'closed-pipe' });
    assert.match(r.stderr, /^claude-quota: could not write the output \(write EPIPE\); the command itself completed\n$/);
  });

  it('a failed command whose error cannot be written exits 5, without a stack trace anywhere', () => {
    const r = runCli(['accounts', 'switch', 'nobody'], sb.env, { stderr: full });
    assert.equal(r.status, EXIT_FAILED_OUTPUT_LOST);
    const both = runCli(['accounts', 'switch', 'nobody'], sb.env, { stdout: full });
    assert.notEqual(both.status, 0);
    assert.doesNotMatch(both.stderr, /\n\s+at /);
  });
});
