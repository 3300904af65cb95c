import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { assistantLine } from '../../support/usageTranscripts';

describe('claude-quota usage', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usage-cli-'));
    const config = path.join(dir, 'claude');
    fs.mkdirSync(path.join(config, 'projects', '-p'), { recursive: true });
    file = path.join(config, 'projects', '-p', 's.jsonl');
    env = { HOME: dir, CLAUDE_CONFIG_DIR: config, CLAUDE_QUOTA_HOME: path.join(dir, 'home') };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await main(['usage', ...args], { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env }, process.stdin);
    return { code, out, err };
  }

  it('prints totals as JSON and, run again, reads only what was appended', async () => {
    const now = Date.now();
    fs.writeFileSync(file, `${assistantLine({ at: now - 60_000, messageId: 'm1', requestId: 'r1', input: 5, output: 7, cacheCreation: 11, cacheRead: 13 })}\n`);
    const first = await run(['--json']);
    assert.equal(first.code, 0, first.err);
    const a = JSON.parse(first.out) as { report: { totals: number[]; accounts: { key: string; fiveHour: { total: number } | null }[] }; scan: { counted: number } };
    assert.deepEqual(a.report.totals, [5, 7, 11, 13]);
    assert.equal(a.report.accounts[0]?.key, 'unknown');
    assert.equal(a.report.accounts[0]?.fiveHour?.total, 36);
    const line = `${assistantLine({ at: now, messageId: 'm2', requestId: 'r2', input: 1 })}\n`;
    fs.appendFileSync(file, line);
    const second = JSON.parse((await run(['--json'])).out) as { report: { totals: number[] }; scan: { bytesRead: number; counted: number } };
    assert.equal(second.scan.bytesRead, Buffer.byteLength(line));
    assert.equal(second.scan.counted, 1);
    assert.deepEqual(second.report.totals, [6, 7, 11, 13]);
  });

  it('prints a readable summary that says the account is unknown until one is recorded', async () => {
    fs.writeFileSync(file, `${assistantLine({ at: Date.now(), messageId: 'm1', requestId: 'r1', output: 1500 })}\n`);
    const r = await run(['--five-hour-limit', '3000']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /unknown account/);
    assert.match(r.out, /5-hour block: 1\.5k tokens · 50 % of 3\.0k \(configured limit\)/);
    assert.match(r.out, /No active account recorded yet/);
  });

  it('rejects a bad limit with one line', async () => {
    const r = await run(['--weekly-limit', 'lots']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--weekly-limit needs a number/);
  });
});
