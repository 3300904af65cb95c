// Taking over a lock a killed process of ours left, and never one Claude Code holds: ours are told by
// the directory's own mode, holders by the owner records (processes are told dead or alive by an
// injected check), so each case is exact.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AccountError } from '../../../../src/core/accounts/errors';
import { defaultFs } from '../../../../src/core/accounts/fileOps';
import { OUR_LOCK_MODE, acquireLocks, LockSpec } from '../../../../src/core/accounts/locks';

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
  });

  /** A lock directory made at `created`, by us (mode 0500) or by Claude Code (mkdir's default mode). */
  function lockMadeBy(who: 'us' | 'claude', at = created): void {
    fs.mkdirSync(spec.path, who === 'us' ? { mode: OUR_LOCK_MODE } : {});
    fs.utimesSync(spec.path, at / 1000, at / 1000);
  }
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function record(pid: number, at: number, nonce: string, made?: object): void {
    const prefix = createHash('sha256').update(spec.path).digest('hex').slice(0, 16);
    fs.writeFileSync(path.join(owners, `${prefix}-${pid}-${nonce}.json`), JSON.stringify({ pid, lockPath: spec.path, at, made }));
  }
  function identity(): object {
    const st = fs.lstatSync(spec.path);
    return { dev: st.dev, ino: st.ino, birth: st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs };
  }

  const take = () => acquireLocks([spec], { fs: defaultFs, ownerDir: owners, timeoutMs: 300, isAlive: alive });
  const timesOut = async (): Promise<void> => {
    await assert.rejects(take(), (err: unknown) => err instanceof AccountError && err.code === 'lock-timeout');
    assert.ok(fs.existsSync(spec.path), 'the lock is still there');
  };

  it('takes at once a lock of ours whose maker is dead, though live waiters have records of their own', async () => {
    lockMadeBy('us');
    record(DEAD, created - 3, 'a');
    // Waiters write a record before each attempt; one is in flight now, and one is of this process.
    record(LIVE_WAITER, created + 20_000, 'b');
    record(process.pid, created + 25_000, 'c');
    const held = await take();
    await held.release();
    assert.ok(!fs.existsSync(spec.path));
    assert.deepEqual(fs.readdirSync(owners).map((n) => n.split('-')[1]).sort(), [String(LIVE_WAITER), String(process.pid)].sort(), 'only the dead record is gone');
  });

  it('takes the lock on a later attempt when taking it away fails part way', async () => {
    lockMadeBy('us');
    record(DEAD, created - 3, 'a');
    // A process of ours that dies right before it removes the directory: here, a removal that fails.
    let failures = 1;
    const dying = { ...defaultFs, rmdir: async (p: fs.PathLike) => (p === spec.path && failures-- > 0 ? Promise.reject(new Error('killed')) : defaultFs.rmdir(p)) };
    await assert.rejects(acquireLocks([spec], { fs: dying, ownerDir: owners, timeoutMs: 0, isAlive: alive }), (err: unknown) => err instanceof AccountError && err.code === 'lock-timeout');
    assert.ok(fs.existsSync(spec.path));
    const held = await take();
    await held.release();
  });

  it('leaves a lock of ours alone whose maker is alive, even next to a dead record from the same moment', async () => {
    lockMadeBy('us');
    record(LIVE_HOLDER, created - 2, 'a');
    record(DEAD, created - 1, 'b');
    await timesOut();
  });

  it('leaves a lock of ours alone whose live holder named it, whatever the times say', async () => {
    lockMadeBy('us');
    record(LIVE_HOLDER, created - 600_000, 'a', identity());
    await timesOut();
  });

  it('never takes Claude Code\'s lock for ours, even beside a dead record of ours from the moment it was made', async () => {
    // A switch killed while it waited: its intent record was written just as Claude Code made the lock.
    lockMadeBy('claude');
    record(DEAD, created, 'a');
    record(DEAD, created - 2, 'b', identity());
    await timesOut();
    assert.equal(fs.readdirSync(owners).length, 0, 'the dead records are cleared');
  });

  it('leaves Claude Code\'s lock alone that no record of ours explains', async () => {
    lockMadeBy('claude');
    record(DEAD, created + 10_000, 'a');
    await timesOut();
  });

  it('takes Claude Code\'s lock only once it is stale by its age, as Claude Code does', async () => {
    lockMadeBy('claude');
    spec = { ...spec, staleMs: 30_000 };
    const held = await take();
    assert.equal(fs.statSync(spec.path).mode & 0o777, OUR_LOCK_MODE, 'the lock now there is ours');
    await held.release();
    assert.ok(!fs.existsSync(spec.path));
  });

  it('frees a later lock of the set a killed switch left while Claude Code, holding the first, waits for it', async () => {
    // Claude Code holds the refresh lock and waits for the legacy one, which a killed switch left.
    lockMadeBy('claude');
    const second: LockSpec = { path: path.join(dir, 'legacy.lock'), staleMs: 3_600_000 };
    fs.mkdirSync(second.path, { mode: OUR_LOCK_MODE });
    const prefix = createHash('sha256').update(second.path).digest('hex').slice(0, 16);
    const st = fs.lstatSync(second.path);
    fs.writeFileSync(path.join(owners, `${prefix}-${DEAD}-x.json`), JSON.stringify({ pid: DEAD, lockPath: second.path, at: Date.now(), made: { dev: st.dev, ino: st.ino, birth: st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs } }));
    await assert.rejects(acquireLocks([spec, second], { fs: defaultFs, ownerDir: owners, timeoutMs: 200, isAlive: alive }), (err: unknown) => err instanceof AccountError && err.code === 'lock-timeout');
    assert.ok(!fs.existsSync(second.path), 'the abandoned second lock is gone, so Claude Code can go on');
    assert.ok(fs.existsSync(spec.path), "Claude Code's lock is untouched");
  });
});
