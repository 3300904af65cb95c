import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { main } from '../../../src/cli/main';

describe('claude-quota bridge', () => {
  let root: string;
  let env: Record<string, string>;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-bridge-cli-'));
    env = { HOME: path.join(root, 'home'), CLAUDE_CONFIG_DIR: path.join(root, 'claude'), CLAUDE_QUOTA_HOME: path.join(root, 'quota') };
    fs.mkdirSync(env['CLAUDE_CONFIG_DIR']!, { recursive: true });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  async function run(...argv: string[]) {
    let out = '';
    let err = '';
    const code = await main(['bridge', ...argv, '--project', root], { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env }, Readable.from([]));
    return { code, out, err };
  }

  it('installs, reports and uninstalls, leaving settings.json as it was', async () => {
    const settings = path.join(env['CLAUDE_CONFIG_DIR']!, 'settings.json');
    const original = '{\n  "model": "opus", // mine\n  "statusLine": {"type": "command", "command": "echo hi"}\n}\n';
    fs.writeFileSync(settings, original);
    assert.match((await run('status')).out, /^Not connected: .*settings\.json\nYour statusLine command: echo hi\n$/);
    const installed = await run('install');
    assert.equal(installed.code, 0, installed.err);
    assert.match(installed.out, /^Connected Claude Code: .* \(backup: .*settings\.json\.\d+\)\.\n$/);
    assert.match((await run('status')).out, /^Connected: .*\nYour statusLine command, still run by the bridge: echo hi\n$/);
    assert.match((await run('uninstall')).out, /back as it was before install/);
    assert.equal(fs.readFileSync(settings, 'utf8'), original);
    assert.match((await run('uninstall')).out, /was not installed/);
  });

  it('refuses a malformed settings.json with one line and exit code 1', async () => {
    fs.writeFileSync(path.join(env['CLAUDE_CONFIG_DIR']!, 'settings.json'), '{"model": ');
    const r = await run('install');
    assert.equal(r.code, 1);
    assert.match(r.err, /^claude-quota: .*settings\.json is not a JSON object Claude Code can read; nothing was changed \(fix it, then try again\)\n$/);
  });

  it('shows the limits Claude Code reported through the installed statusLine shim, and the user\'s line unchanged', async () => {
    const settings = path.join(env['CLAUDE_CONFIG_DIR']!, 'settings.json');
    fs.writeFileSync(settings, '{"statusLine": {"type": "command", "command": "printf mine"}}\n');
    assert.equal((await run('install')).code, 0);
    const command = (JSON.parse(fs.readFileSync(settings, 'utf8')) as { statusLine: { command: string } }).statusLine.command;
    // What Claude Code does after a response: run the statusLine command with its JSON on stdin.
    const stdin = JSON.stringify({ session_id: 's', cwd: root, model: { display_name: 'Opus' }, rate_limits: { five_hour: { used_percentage: 62, resets_at: Math.floor(Date.now() / 1000) + 3600 }, seven_day: { used_percentage: 41 } } });
    const shown = spawnSync('/bin/sh', ['-c', command], { input: stdin, env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal(shown.stdout, 'mine', "the user's statusLine output, byte for byte");
    const status = await run('status');
    assert.match(status.out, /^Claude Code's own figures \(process \d+, Opus, .*, reported .*\): 5-hour 62 % \(resets [^)]+\) · weekly 41 %$/m);
    const json = JSON.parse((await run('status', '--json')).out) as { records: { windows: { key: string; usedPercent: number }[] }[] };
    assert.deepEqual(json.records[0]?.windows.map((w) => [w.key, w.usedPercent]), [['five_hour', 62], ['seven_day', 41]]);
  });
});
