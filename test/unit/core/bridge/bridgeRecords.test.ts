// Claude Code's own figures as the statusLine shim recorded them: every window it reports, named,
// with its reset; anything that is not a statusLine input is dropped and counted, never trusted.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseStatusLineRecord, readStatusLineRecords, windowName, MAX_RECORD_BYTES, RECORD_MAX_AGE_MS, type RecordCache } from '../../../../src/core/bridge/bridgeRecords';

const AT = new Date('2026-12-02T12:00:00Z');
const RESET_5H = 1_796_227_200; // 2026-12-02T16:00:00Z, epoch seconds

function input(rateLimits: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ session_id: 's-1', cwd: '/work/p', version: '2.1.332', model: { id: 'claude-opus', display_name: 'Opus' }, rate_limits: rateLimits, ...extra });
}

describe('bridge statusLine records', () => {
  it('reads every window, named, highest use first, with its reset', () => {
    const r = parseStatusLineRecord(
      input({
        five_hour: { used_percentage: 62.5, resets_at: RESET_5H },
        seven_day: { used_percentage: 41, resets_at: '2026-12-05T09:00:00Z' },
        seven_day_opus: { used_percentage: 88, resets_at: RESET_5H * 1000 },
        seven_day_fable_max: { used_percentage: 3 },
      }),
      4242,
      AT,
    );
    assert.ok(r);
    assert.deepEqual(
      r.windows.map((w) => [w.key, w.name, w.usedPercent, w.resetsAt?.toISOString() ?? null]),
      [
        ['seven_day_opus', 'weekly Opus', 88, '2026-12-02T16:00:00.000Z'],
        ['five_hour', '5-hour', 62.5, '2026-12-02T16:00:00.000Z'],
        ['seven_day', 'weekly', 41, '2026-12-05T09:00:00.000Z'],
        ['seven_day_fable_max', 'weekly Fable Max', 3, null],
      ],
    );
    assert.deepEqual([r.pid, r.sessionId, r.cwd, r.model, r.version], [4242, 's-1', '/work/p', 'Opus', '2.1.332']);
  });

  it('drops windows that are malformed or out of range, and inputs that are not statusLine inputs', () => {
    const r = parseStatusLineRecord(
      input({ five_hour: { used_percentage: -1 }, seven_day: { used_percentage: 1e308 }, x: 'nope', y: { used_percentage: '50' }, ok: { used_percentage: 10, resets_at: 99 } }),
      1,
      AT,
    );
    assert.deepEqual(r?.windows.map((w) => [w.key, w.resetsAt]), [['ok', null]]);
    assert.equal(parseStatusLineRecord('{"rate_limits": ', 1, AT), null);
    assert.equal(parseStatusLineRecord('[1,2]', 1, AT), null);
    assert.equal(parseStatusLineRecord(input(undefined, { session_id: 7 }), 1, AT), null);
    assert.deepEqual(parseStatusLineRecord(input(undefined), 1, AT)?.windows, [], 'before the first response there are no limits yet');
    assert.equal(windowName('weird\u001b[2J'), 'weird??2J');
  });

  it('lists the records of the folder newest first and counts what it skipped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-records-'));
    try {
      fs.writeFileSync(path.join(dir, '100.json'), input({ five_hour: { used_percentage: 10 } }));
      fs.writeFileSync(path.join(dir, '200.json'), input({ five_hour: { used_percentage: 20 } }));
      fs.utimesSync(path.join(dir, '100.json'), AT, AT);
      fs.writeFileSync(path.join(dir, '300.json'), 'not json');
      fs.writeFileSync(path.join(dir, '400.json'), 'x'.repeat(MAX_RECORD_BYTES + 1));
      fs.writeFileSync(path.join(dir, '100.json.55.tmp'), 'half written');
      const read = await readStatusLineRecords({ statusLineRecords: dir });
      assert.deepEqual(read.records.map((r) => [r.pid, r.windows[0]?.usedPercent]), [[200, 20], [100, 10]]);
      assert.equal(read.rejected, 2);
      assert.deepEqual(await readStatusLineRecords({ statusLineRecords: path.join(dir, 'absent') }), { records: [], rejected: 0 });
      // A cache makes an unchanged file cost a stat: the same record comes back, not a new parse.
      const cache: RecordCache = new Map();
      const first = await readStatusLineRecords({ statusLineRecords: dir }, cache);
      const again = await readStatusLineRecords({ statusLineRecords: dir }, cache);
      assert.equal(again.records[0], first.records[0]);
      // A record too old to describe an open window is not read at all.
      const old = new Date(Date.now() - RECORD_MAX_AGE_MS - 60_000);
      fs.utimesSync(path.join(dir, '200.json'), old, old);
      assert.deepEqual((await readStatusLineRecords({ statusLineRecords: dir }, cache)).records.map((r) => r.pid), [100]);
      fs.rmSync(path.join(dir, '100.json'));
      await readStatusLineRecords({ statusLineRecords: dir }, cache);
      assert.deepEqual([...cache.keys()].sort(), ['300.json', '400.json'], 'a removed file leaves the cache');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
