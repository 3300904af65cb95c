import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageTracker } from '../../../../src/core/usage/usageTracker';
import { usageStateFile } from '../../../../src/core/usage/usageState';
import { assistantLine, FILLER_LINES, limitLine } from '../../../support/usageTranscripts';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const MIN = 60_000;

function response(i: number, at: number, tokens = { input: 10, output: 20, cacheCreation: 30, cacheRead: 40 }): string {
  return assistantLine({ at, messageId: `msg_${i}`, requestId: `req_${i}`, ...tokens });
}

describe('usage scan', () => {
  let dir: string;
  let configDir: string;
  let projectDir: string;
  let stateFile: string;
  let warnings: string[];
  const now = (): number => T0 + 60 * MIN;

  const tracker = (): UsageTracker =>
    new UsageTracker({ configDir, stateFile, now, log: { warn: (m) => warnings.push(m), info: () => undefined } });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usage-scan-'));
    configDir = path.join(dir, 'claude');
    projectDir = path.join(configDir, 'projects', '-work-project');
    fs.mkdirSync(projectDir, { recursive: true });
    stateFile = usageStateFile(path.join(dir, 'quota-home'), configDir);
    warnings = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, lines: readonly string[]): string => {
    const p = path.join(projectDir, name);
    fs.writeFileSync(p, lines.map((l) => `${l}\n`).join(''));
    return p;
  };

  it('counts every response of real transcript lines once, skipping the other lines', async () => {
    write('a.jsonl', [...FILLER_LINES, response(1, T0), ...FILLER_LINES, response(2, T0 + MIN)]);
    const t = tracker();
    const stats = await t.scan();
    assert.equal(stats.counted, 2);
    assert.equal(stats.malformed, 0);
    assert.deepEqual(t.report().totals, [20, 40, 60, 80]);
  });

  it('counts a response repeated on several lines (one per content block) and in a resumed session once', async () => {
    const line = response(1, T0);
    write('a.jsonl', [line, line, line]);
    write('b.jsonl', [line, response(2, T0)]);
    const t = tracker();
    const stats = await t.scan();
    assert.equal(stats.counted, 2);
    assert.equal(stats.duplicates, 3);
    assert.deepEqual(t.report().totals, [20, 40, 60, 80]);
  });

  it('reads only the bytes appended since the last scan', async () => {
    const p = write('a.jsonl', [response(1, T0)]);
    const t = tracker();
    await t.scan();
    const added = `${response(2, T0 + MIN)}\n`;
    fs.appendFileSync(p, added);
    const second = await t.scan();
    assert.equal(second.bytesRead, Buffer.byteLength(added));
    assert.equal(second.counted, 1);
    const third = await t.scan();
    assert.equal(third.filesRead, 0, 'an unchanged file is not read');
    assert.equal(t.report().totals[0], 20);
  });

  it('scans only the files it is given, from their offsets, and agrees with a full scan', async () => {
    const a = write('a.jsonl', [response(1, T0)]);
    const b = write('b.jsonl', [response(2, T0)]);
    const t = tracker();
    await t.scan();
    fs.appendFileSync(a, `${response(3, T0 + MIN)}\n`);
    fs.appendFileSync(b, `${response(4, T0 + MIN)}\n`);
    const sub = path.join(projectDir, 'session-1', 'subagents', 'agent-1.jsonl');
    fs.mkdirSync(path.dirname(sub), { recursive: true });
    fs.writeFileSync(sub, `${response(5, T0 + MIN)}\n`);
    const outside = path.join(dir, 'elsewhere.jsonl');
    fs.writeFileSync(outside, `${response(6, T0)}\n`);
    const stats = await t.scanFiles([a, sub, a, outside, path.join(projectDir, 'gone.jsonl'), path.join(projectDir, 'notes.txt')]);
    assert.deepEqual({ files: stats.files, filesRead: stats.filesRead, counted: stats.counted }, { files: 3, filesRead: 2, counted: 2 });
    assert.deepEqual(t.report().totals, [40, 80, 120, 160], 'b.jsonl was not read, the file outside projects/ not counted');
    const rest = await t.scan();
    assert.deepEqual({ filesRead: rest.filesRead, counted: rest.counted }, { filesRead: 1, counted: 1 }, 'the full scan reads only what the targeted one left');
    assert.deepEqual(t.report().totals, [50, 100, 150, 200]);
  });

  it('holds back a line still being written until its newline arrives', async () => {
    const p = write('a.jsonl', []);
    const full = response(1, T0);
    fs.writeFileSync(p, full.slice(0, 100));
    const t = tracker();
    assert.equal((await t.scan()).counted, 0);
    fs.appendFileSync(p, `${full.slice(100)}\n`);
    assert.equal((await t.scan()).counted, 1);
  });

  it('resumes from the persisted offset after a restart, counting only what was written meanwhile', async () => {
    const p = write('a.jsonl', [response(1, T0), response(2, T0)]);
    const first = tracker();
    await first.scan();
    assert.equal(await first.save(), true);
    const added = `${response(3, T0 + MIN)}\n`;
    fs.appendFileSync(p, added);
    const second = tracker();
    assert.equal(await second.load(), 'loaded');
    const stats = await second.scan();
    assert.equal(stats.bytesRead, Buffer.byteLength(added));
    assert.equal(stats.counted, 1);
    assert.deepEqual(second.report().totals, [30, 60, 90, 120]);
    assert.equal(fs.statSync(stateFile).mode & 0o777, 0o600);
  });

  it('reads a truncated or replaced file again from the start without counting its old responses twice', async () => {
    const p = write('a.jsonl', [response(1, T0), response(2, T0), response(3, T0)]);
    const t = tracker();
    await t.scan();
    // Rewritten shorter (compaction, rotation): one old response and one new one.
    fs.writeFileSync(p, `${response(1, T0)}\n${response(4, T0)}\n`);
    const truncated = await t.scan();
    assert.equal(truncated.restarted, 1);
    assert.equal(truncated.counted, 1);
    assert.equal(truncated.duplicates, 1);
    // Replaced by a new, longer file (new inode) of the same name.
    fs.writeFileSync(`${p}.tmp`, `${response(5, T0)}\n${response(6, T0)}\n${response(1, T0)}\n${response(2, T0)}\n${response(3, T0)}\n`);
    fs.renameSync(`${p}.tmp`, p);
    const replaced = await t.scan();
    assert.equal(replaced.counted, 2);
    assert.equal(t.report().totals[0], 60);
  });

  it('counts malformed lines and skips them', async () => {
    write('a.jsonl', ['not json at all', '{"type":"assistant", broken', response(1, T0), '{"no":"type","assistant":1}', '[1,2]']);
    const t = tracker();
    const stats = await t.scan();
    assert.equal(stats.counted, 1);
    assert.equal(stats.malformed, 4);
    assert.equal(t.report().totals[0], 10);
  });

  it('ignores usage fields of the wrong type and error placeholders with zero usage', async () => {
    const bad = JSON.parse(response(1, T0)) as { message: { usage: Record<string, unknown> } };
    bad.message.usage.input_tokens = 'many';
    write('a.jsonl', [JSON.stringify(bad), limitLine(T0, T0 + 4 * 60 * MIN)]);
    const t = tracker();
    const stats = await t.scan();
    assert.equal(stats.counted, 1);
    assert.equal(stats.limitHits, 1);
    assert.deepEqual(t.report().totals, [0, 20, 30, 40]);
  });

  it('finds subagent transcripts below session directories', async () => {
    const sub = path.join(projectDir, 'session-1', 'subagents');
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, 'agent-1.jsonl'), `${response(1, T0)}\n`);
    const t = tracker();
    assert.equal((await t.scan()).counted, 1);
  });

  it('warns about a corrupt state file and counts everything again instead of failing', async () => {
    write('a.jsonl', [response(1, T0), response(2, T0)]);
    const first = tracker();
    await first.scan();
    await first.save();
    for (const broken of ['{ not json', JSON.stringify({ version: 1, configDir, files: 'x' }), JSON.stringify({ version: 2 })]) {
      fs.writeFileSync(stateFile, broken);
      warnings = [];
      const t = tracker();
      assert.equal(await t.load(), 'invalid');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /unusable .*counting all transcripts again/);
      await t.scan();
      assert.equal(t.report().totals[0], 20, 'rescanned from the start, each response once');
    }
  });

  it('rejects a state saved for another config directory', async () => {
    write('a.jsonl', [response(1, T0)]);
    const first = tracker();
    await first.scan();
    await first.save();
    const other = new UsageTracker({ configDir: path.join(dir, 'other'), stateFile, now, log: { warn: (m) => warnings.push(m), info: () => undefined } });
    assert.equal(await other.load(), 'invalid');
    assert.match(warnings[0] ?? '', /belongs to/);
  });

  it('persists the timeline, hits and warnings with the offsets', async () => {
    write('a.jsonl', [response(1, T0)]);
    const first = tracker();
    first.noteActiveAccount('A@example.com', 'work', T0 - MIN);
    first.noteLimitHit('a@example.com', 'fiveHour', T0 + 4 * 60 * MIN, T0 + MIN);
    await first.scan();
    const report = first.report();
    assert.equal(first.takeWarnings(report, 80).length, 1);
    await first.save();
    const second = tracker();
    await second.load();
    const r2 = second.report();
    assert.deepEqual(r2.accounts.map((a) => [a.key, a.label]), [['a@example.com', 'work']]);
    assert.equal(r2.accounts[0].fiveHour?.anchor, 'reset');
    assert.equal(second.takeWarnings(r2, 80).length, 0, 'a restart does not warn again in the same window');
  });
});
