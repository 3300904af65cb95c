// Taking over a lock a killed process of ours left, decided from the owner records alone (processes
// are told dead or alive by an injected check), so each case is exact.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AccountError } from '../../../../src/core/accounts/errors';
import { defaultFs } from '../../../../src/core/accounts/fileOps';
import { acquireLocks, LockSpec } from '../../../../src/core/accounts/locks';

const DEAD = 4_000_001;
const LIVE_WAITER = 4_000_002;
const LIVE_HOLDER = 4_000_003;
const alive = (pid: number): boolean => pid === LIVE_WAITER || pid === LIVE_HOLDER || pid === process.pid;

describe('lock takeover from owner records', () => {
  let dir: string;
  let owners: string;
  let spec: LockSpec;
  // A minute ago: well within the stale period, so only the records can make the lock free.
  let created: number;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-locks-'));
    owners = path.join(dir, 'lock-owners');
    fs.mkdirSync(owners, { mode: 0o700 });
    spec = { path: path.join(dir, 'profiles.json.lock'), staleMs: 3_600_000 };
    created = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    fs.mkdirSync(spec.path);
    // The lock directory was made at `created`; every case reads its age from there.
    fs.utimesSync(spec.path, created / 1000, created / 1000);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function record(pid: number, at: number, nonce: string): void {
    const prefix = createHash('sha256').update(spec.path).digest('hex').slice(0, 16);
    fs.writeFileSync(path.join(owners, `${prefix}-${pid}-${nonce}.json`), JSON.stringify({ pid, lockPath: spec.path, at }));
  }

  const take = () => acquireLocks([spec], { fs: defaultFs, ownerDir: owners, timeoutMs: 300, isAlive: alive });
  const timesOut = async (): Promise<void> => {
    await assert.rejects(take(), (err: unknown) => err instanceof AccountError && err.code === 'lock-timeout');
    assert.ok(fs.existsSync(spec.path), 'the lock is still there');
  };

  it('takes at once a lock whose maker is dead, though live waiters have records of their own', async () => {
    record(DEAD, created - 3, 'a');
    // Waiters write a record before each attempt; one is in flight now, and one is of this process.
    record(LIVE_WAITER, created + 20_000, 'b');
    record(process.pid, created + 25_000, 'c');
    const held = await take();
    await held.release();
    assert.ok(!fs.existsSync(spec.path));
    assert.deepEqual(fs.readdirSync(owners).map((n) => n.split('-')[1]).sort(), [String(LIVE_WAITER), String(process.pid)].sort(), 'only the dead record is gone');
  });

  it('keeps the dead maker\'s record when taking the lock away fails part way, so the next attempt can', async () => {
    record(DEAD, created - 3, 'a');
    // A process of ours that dies right before it removes the directory: here, a removal that fails.
    let failures = 1;
    const dying = { ...defaultFs, rmdir: async (p: fs.PathLike) => (p === spec.path && failures-- > 0 ? Promise.reject(new Error('killed')) : defaultFs.rmdir(p)) };
    await assert.rejects(acquireLocks([spec], { fs: dying, ownerDir: owners, timeoutMs: 0, isAlive: alive }), (err: unknown) => err instanceof AccountError && err.code === 'lock-timeout');
    assert.ok(fs.existsSync(spec.path));
    const held = await take();
    await held.release();
  });

  it('leaves a lock alone whose maker is alive, even next to a dead record from the same moment', async () => {
    record(LIVE_HOLDER, created - 2, 'a');
    record(DEAD, created - 1, 'b');
    await timesOut();
  });

  it('leaves a lock alone that no record of ours explains (Claude Code took it)', async () => {
    // A process of ours killed while it waited, long after the lock was made.
    record(DEAD, created + 10_000, 'a');
    await timesOut();
    assert.equal(fs.readdirSync(owners).length, 0, 'the dead waiter record is cleared');
  });
});
