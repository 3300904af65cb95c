// The newest statusLine record reaches the status bar as it is written, through the folder watch
// or the poll, and nothing after disposal.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExactUsageFeed } from '../../../../src/core/bridge/exactUsageFeed';

function record(dir: string, pid: number, used: number): void {
  const tmp = path.join(dir, `${pid}.json.1.tmp`);
  fs.writeFileSync(tmp, JSON.stringify({ session_id: 's', rate_limits: { five_hour: { used_percentage: used } } }));
  fs.renameSync(tmp, path.join(dir, `${pid}.json`));
}

function next(feed: ExactUsageFeed): Promise<void> {
  return new Promise((resolve) => {
    const sub = feed.onDidChange(() => {
      sub.dispose();
      resolve();
    });
  });
}

describe('exact usage feed', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-exact-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps the newest record as records are written, also for a folder made after it started', async () => {
    const records = path.join(dir, 'statusline');
    const feed = new ExactUsageFeed({ layout: { statusLineRecords: records }, pollMs: 50 });
    try {
      await feed.start();
      const latest = () => feed.latest;
      assert.equal(latest(), null);
      fs.mkdirSync(records);
      let changed = next(feed);
      record(records, 100, 10);
      await changed;
      assert.deepEqual([latest()?.pid, latest()?.windows[0]?.usedPercent], [100, 10]);
      await new Promise((r) => setTimeout(r, 20)); // a later mtime
      changed = next(feed);
      record(records, 200, 55);
      await changed;
      assert.deepEqual([latest()?.pid, latest()?.windows[0]?.usedPercent], [200, 55]);
    } finally {
      feed.dispose();
    }
    let fired = false;
    feed.onDidChange(() => (fired = true));
    record(records, 300, 99);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(fired, false);
  });
});
