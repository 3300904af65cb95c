import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAccountsCommand } from '../../../src/cli/accountsCommand';
import { SECRET_PATTERN, Sandbox, captureIo, claudeJsonText, credentialsText, makeSandbox, removeSandbox, writeLogin } from '../../support/accountsFixtures';

describe('accounts CLI', () => {
  let sb: Sandbox;
  const allOutput: string[] = [];
  beforeEach(() => {
    sb = makeSandbox('cqs-cli-');
  });
  afterEach(() => removeSandbox(sb));

  async function run(argv: string[], env: Record<string, string> = sb.env) {
    const c = captureIo(env);
    const code = await runAccountsCommand(argv, { ...c.io, platform: 'linux', lockTimeoutMs: 500 });
    allOutput.push(c.out(), c.err());
    return { code, out: c.out(), err: c.err() };
  }

  it('adds, lists, switches, renames and removes', async () => {
    writeLogin(sb, 'beta');
    assert.equal((await run(['accounts', 'add', 'work'])).code, 0);
    writeLogin(sb, 'alpha');
    const added = await run(['add', 'home']);
    assert.equal(added.code, 0);
    assert.match(added.out, /alpha@example\.test/);
    const sw = await run(['switch', 'work']);
    assert.equal(sw.code, 0, sw.err);
    assert.match(sw.out, /Switched to "work" \(from "home"\)/);
    assert.equal(fs.readFileSync(sb.credentialsFile, 'utf8'), credentialsText('beta'));
    assert.equal(fs.readFileSync(sb.claudeJsonFile, 'utf8'), claudeJsonText('beta'));
    const list = await run(['list']);
    assert.match(list.out, /^\*\s+work\s+beta@example\.test\s+pro\s+available$/m);
    assert.match(list.out, /^\s+home\s+alpha@example\.test\s+max\s+available$/m);
    const json = JSON.parse((await run(['list', '--json'])).out) as { label: string; active: boolean; email: string; plan: string; state: { kind: string } }[];
    assert.deepEqual(json.map((p) => [p.label, p.active, p.email, p.plan, p.state.kind]), [
      ['work', true, 'beta@example.test', 'pro', 'available'],
      ['home', false, 'alpha@example.test', 'max', 'available'],
    ]);
    assert.equal((await run(['rename', 'home', 'personal'])).code, 0);
    assert.equal((await run(['remove', 'personal'])).code, 0);
    assert.deepEqual((JSON.parse((await run(['list', '--json'])).out) as { label: string }[]).map((p) => p.label), ['work']);
    const st = fs.statSync(path.join(sb.quotaHome, 'profiles.json'));
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(fs.statSync(sb.quotaHome).mode & 0o777, 0o700);
  });

  it('reports errors as one line on stderr with a non-zero exit code', async () => {
    const cases: [string[], number, RegExp][] = [
      [['switch', 'nobody'], 1, /No profile named "nobody"/],
      [['add'], 2, /expected a label/],
      [['frobnicate'], 2, /unknown command/],
      [['list', '--yaml'], 2, /unknown option --yaml/],
      [['add', 'x'], 1, /No Claude Code login/],
    ];
    for (const [argv, code, re] of cases) {
      const r = await run(argv);
      assert.equal(r.code, code, argv.join(' '));
      const first = r.err.split('\n')[0] ?? '';
      assert.match(first, re);
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    }
    fs.writeFileSync(sb.credentialsFile, '{"claudeAiOauth": {"accessToken": "test-access-alpha-9", "refreshToken": ');
    fs.writeFileSync(sb.claudeJsonFile, claudeJsonText('alpha'));
    const bad = await run(['add', 'x']);
    assert.equal(bad.code, 1);
    assert.equal(bad.err.trim().split('\n').length, 1);
    assert.match(bad.err, /\.credentials\.json is not valid JSON/);
  });

  it('refuses a switch under an env override and explains why', async () => {
    writeLogin(sb, 'beta');
    await run(['add', 'work']);
    writeLogin(sb, 'alpha');
    await run(['add', 'home']);
    const r = await run(['switch', 'work'], { ...sb.env, ANTHROPIC_API_KEY: 'test-api-key-value' });
    assert.equal(r.code, 1);
    assert.match(r.err, /ANTHROPIC_API_KEY/);
    assert.doesNotMatch(r.err, /test-api-key-value/);
    assert.equal(fs.readFileSync(sb.credentialsFile, 'utf8'), credentialsText('alpha'));
    const forced = await run(['switch', 'work', '--force'], { ...sb.env, ANTHROPIC_API_KEY: 'test-api-key-value' });
    assert.equal(forced.code, 0);
  });

  it('warns about an expired target token on stderr', async () => {
    writeLogin(sb, 'beta', 1, 1_000);
    await run(['add', 'old']);
    writeLogin(sb, 'alpha');
    await run(['add', 'home']);
    const r = await run(['switch', 'old']);
    assert.equal(r.code, 0);
    assert.match(r.err, /^warning: .*expired/m);
    assert.match((await run(['list'])).out, /token expired/);
  });

  it('never prints a token value (scan of all output of this suite)', async () => {
    // Exercise the remaining paths once more, then scan everything printed by every test above.
    writeLogin(sb, 'alpha');
    await run(['add', 'a']);
    await run(['list', '--json']);
    await run(['list']);
    await run(['recover']);
    await run(['switch', 'a']);
    const all = allOutput.join('\n');
    assert.ok(all.length > 500);
    assert.doesNotMatch(all, SECRET_PATTERN);
    assert.doesNotMatch(all, /accessToken|refreshToken/);
  });
});
