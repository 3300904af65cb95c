// Folder watching: events settle into one check, the poll is the floor, a folder made later is
// watched once it exists, checks never overlap, and nothing runs after disposal.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FolderWatch, type FolderWatchReason } from '../../../../src/core/base/folderWatch';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('folder watch', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-folders-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('turns a burst of writes into one settled event check, and filters names', async () => {
    const reasons: FolderWatchReason[] = [];
    const w = new FolderWatch({ dirs: [dir], matches: (n) => n === null || n.startsWith('a'), check: async (r) => void reasons.push(r), pollMs: 60_000, settleMs: 50 });
    w.start();
    try {
      for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, 'a.json'), String(i));
      await until('the settled check', () => reasons.length > 0);
      await sleep(150);
      assert.deepEqual(reasons, ['event']);
      fs.writeFileSync(path.join(dir, 'b.json'), 'ignored');
      await sleep(150);
      assert.deepEqual(reasons, ['event'], 'a name that does not match is no event');
    } finally {
      w.dispose();
    }
  });

  it('polls as the floor, watches a folder once it exists, and never runs two checks at once', async () => {
    const later = path.join(dir, 'later');
    const reasons: FolderWatchReason[] = [];
    let running = 0;
    let overlapped = false;
    const w = new FolderWatch({
      dirs: [later],
      check: async (r) => {
        running++;
        overlapped ||= running > 1;
        reasons.push(r);
        await sleep(30);
        running--;
      },
      pollMs: 20,
      settleMs: 10,
    });
    w.start();
    await until('polls', () => reasons.filter((r) => r === 'poll').length >= 3);
    fs.mkdirSync(later);
    await sleep(100); // a poll attaches the watch
    const before = reasons.filter((r) => r === 'event').length;
    fs.writeFileSync(path.join(later, 'x'), '1');
    await until('an event from the folder made later', () => reasons.filter((r) => r === 'event').length > before);
    w.dispose();
    await w.idle();
    const count = reasons.length;
    await sleep(100);
    assert.equal(reasons.length, count, 'nothing after disposal');
    assert.equal(overlapped, false);
  });
});
