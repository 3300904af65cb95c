// Connecting Claude Code: the settings edits keep every byte that is not the bridge's, uninstall
// gives the file back, and the shims run the user's own statusLine unchanged.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { ClaudeCodeBridge } from '../../../../src/core/bridge/bridge';

const USER_SETTINGS = `{
  // my settings, kept by hand
  "model":   "opus",
  "permissions": { "allow": ["Bash(ls:*)"], },
  "statusLine": { "type": "command", "command": "printf 'MARK %s' \\"$(wc -c)\\"; exit 3", "padding": 1 },
  "hooks": {
    "StopFailure": [ { "matcher": "", "hooks": [ { "type": "command", "command": "notify-send failed" } ] } ]
  },
  "unknownKey": [1, 2, 3,],
}
`;

describe('Claude Code bridge', () => {
  let root: string;
  let configDir: string;
  let settingsFile: string;
  let bridge: ClaudeCodeBridge;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-bridge-'));
    configDir = path.join(root, 'claude');
    fs.mkdirSync(configDir);
    settingsFile = path.join(configDir, 'settings.json');
    bridge = new ClaudeCodeBridge({ configDir, quotaHome: path.join(root, 'quota home'), projectDirs: [], managedSettingsFile: path.join(root, 'managed.json'), now: (() => { let t = 1; return () => t++; })() });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const settings = (): string => fs.readFileSync(settingsFile, 'utf8');
  const runShim = (command: string, stdin: string) => {
    const r = spawnSync('/bin/sh', ['-c', command], { input: stdin, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const installed = () => parseJsonc(settings()) as {
    statusLine: { command: string; padding?: number };
    hooks: Record<string, { hooks: { command: string }[] }[]>;
  };

  for (const [name, text] of [
    ['comments, odd spacing, trailing commas, unknown keys, a statusLine and a hook of the same event', USER_SETTINGS],
    ['CRLF line ends and tabs', USER_SETTINGS.replace(/\n/g, '\r\n').replace(/ {2}/g, '\t')],
    ['a BOM and a compact one-line file', `\uFEFF${JSON.stringify({ model: 'sonnet', hooks: {} })}`],
    ['an empty object', '{}'],
  ] as const) {
    it(`install then uninstall gives back the same bytes: ${name}`, async () => {
      fs.writeFileSync(settingsFile, text);
      assert.equal((await bridge.install()).changed, true);
      assert.notEqual(settings(), text);
      const r = await bridge.uninstall();
      assert.deepEqual(r, { changed: true, restoredBytes: true });
      assert.equal(settings(), text);
      assert.equal(fs.existsSync(bridge.layout.binDir), false);
    });
  }

  it('adds its hooks beside the user\'s and keeps every other setting, byte for byte where it can', async () => {
    fs.writeFileSync(settingsFile, USER_SETTINGS);
    await bridge.install();
    const s = installed();
    assert.equal(s.statusLine.padding, 1);
    assert.match(s.statusLine.command, /statusline'?$/);
    assert.deepEqual(s.hooks['StopFailure']!.map((g) => g.hooks[0]!.command.replace(/'.*'/, 'SHIM')), ['notify-send failed', 'SHIM StopFailure']);
    assert.equal(s.hooks['SessionStart']!.length, 1);
    for (const kept of ['// my settings, kept by hand', '"model":   "opus"', '"unknownKey": [1, 2, 3,]', '"permissions": { "allow": ["Bash(ls:*)"], }']) assert.ok(settings().includes(kept), kept);
    // Installing again changes nothing.
    const before = settings();
    assert.equal((await bridge.install()).changed, false);
    assert.equal(settings(), before);
  });

  it('the statusLine shim prints the user\'s output byte for byte with its exit code, and records the input', async () => {
    fs.writeFileSync(settingsFile, USER_SETTINGS);
    await bridge.install();
    const input = JSON.stringify({ session_id: 's1', rate_limits: { five_hour: { used_percentage: 62, resets_at: 1_800_000_000 } } });
    const r = runShim(installed().statusLine.command, input);
    assert.equal(r.stdout, `MARK ${input.length}`);
    assert.equal(r.status, 3);
    assert.equal(r.stderr, '');
    const records = fs.readdirSync(bridge.layout.statusLineRecords);
    assert.equal(records.length, 1);
    assert.match(records[0]!, /^\d+\.json$/);
    assert.equal(fs.readFileSync(path.join(bridge.layout.statusLineRecords, records[0]!), 'utf8'), input);
    assert.equal(fs.statSync(path.join(bridge.layout.statusLineRecords, records[0]!)).mode & 0o777, 0o600);
  });

  it('with the product\'s records gone the user\'s line still shows; without a user command nothing is printed', async () => {
    fs.writeFileSync(settingsFile, USER_SETTINGS);
    await bridge.install();
    fs.rmSync(bridge.layout.statusLineRecords, { recursive: true });
    const r = runShim(installed().statusLine.command, '{}');
    assert.deepEqual([r.stdout, r.status, r.stderr], ['MARK 2', 3, '']);
    fs.rmSync(bridge.layout.userCommandFile);
    assert.deepEqual(Object.values(runShim(installed().statusLine.command, '{}')), [0, '', '']);
  });

  it('the hook shim files the event input and prints nothing', async () => {
    fs.writeFileSync(settingsFile, USER_SETTINGS);
    await bridge.install();
    const command = installed().hooks['StopFailure']![1]!.hooks[0]!.command;
    const r = runShim(command, '{"hook_event_name":"StopFailure","error":"rate_limit"}');
    assert.deepEqual([r.status, r.stdout], [0, '']);
    const files = fs.readdirSync(bridge.layout.hookRecords);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^\d+-\d+-StopFailure\.json$/);
  });

  it('uninstall after the user changed the file removes only the bridge and keeps their change', async () => {
    fs.writeFileSync(settingsFile, USER_SETTINGS);
    await bridge.install();
    fs.writeFileSync(settingsFile, settings().replace('"opus"', '"haiku"'));
    assert.deepEqual(await bridge.uninstall(), { changed: true, restoredBytes: false });
    assert.equal(settings(), USER_SETTINGS.replace('"opus"', '"haiku"'));
  });

  it('a missing settings.json is created by install and removed by uninstall', async () => {
    await bridge.install();
    assert.ok(fs.existsSync(settingsFile));
    await bridge.uninstall();
    assert.equal(fs.existsSync(settingsFile), false);
  });

  it('edits a symlinked settings.json in its target and keeps the link', async () => {
    const dotfiles = path.join(root, 'dotfiles');
    fs.mkdirSync(dotfiles);
    fs.writeFileSync(path.join(dotfiles, 'claude.json'), USER_SETTINGS);
    fs.symlinkSync(path.join(dotfiles, 'claude.json'), settingsFile);
    await bridge.install();
    assert.ok(fs.lstatSync(settingsFile).isSymbolicLink());
    assert.match(fs.readFileSync(path.join(dotfiles, 'claude.json'), 'utf8'), /bridge/);
    await bridge.uninstall();
    assert.ok(fs.lstatSync(settingsFile).isSymbolicLink());
    assert.equal(fs.readFileSync(path.join(dotfiles, 'claude.json'), 'utf8'), USER_SETTINGS);
  });

  for (const [name, prepare, message] of [
    ['malformed', () => fs.writeFileSync(settingsFile, '{"model": "opus",, }'), /not a JSON object Claude Code can read; nothing was changed/],
    ['read-only', () => { fs.writeFileSync(settingsFile, USER_SETTINGS); fs.chmodSync(settingsFile, 0o444); }, /read-only; nothing was changed/],
    ['hooks that are not an object', () => fs.writeFileSync(settingsFile, '{"hooks": []}'), /"hooks" in .* is not an object/],
  ] as const) {
    it(`refuses a ${name} settings.json in one line and changes nothing`, async () => {
      prepare();
      const before = fs.readFileSync(settingsFile);
      await assert.rejects(bridge.install(), (err: Error) => {
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
      assert.deepEqual(fs.readFileSync(settingsFile), before);
      assert.equal(fs.existsSync(bridge.layout.stateFile), false);
    });
  }

  it('status reports what is installed and what overrides it', async () => {
    fs.writeFileSync(settingsFile, USER_SETTINGS);
    assert.equal((await bridge.status()).installed, false);
    await bridge.install();
    const project = path.join(root, 'project');
    fs.mkdirSync(path.join(project, '.claude'), { recursive: true });
    fs.writeFileSync(path.join(project, '.claude', 'settings.json'), '{"statusLine": {"type": "command", "command": "echo project"}}');
    fs.writeFileSync(path.join(root, 'managed.json'), '{"disableAllHooks": true}');
    const withProject = new ClaudeCodeBridge({ configDir, quotaHome: path.join(root, 'quota home'), projectDirs: [project], managedSettingsFile: path.join(root, 'managed.json') });
    const s = await withProject.status();
    assert.equal(s.installed, true);
    assert.equal(s.shimsPresent, true);
    assert.match(s.userStatusLineCommand ?? '', /^printf 'MARK/);
    assert.deepEqual(s.overriddenBy.map((o) => o.what).sort(), ['disableAllHooks', 'statusLine']);
  });
});
