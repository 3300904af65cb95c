import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES } from '../../../../support/paths';
import { TranscriptWatcher, type TranscriptEvent } from '../../../../../src/core/sources/transcripts/transcriptWatcher';

const TRANSCRIPTS = path.join(FIXTURES, 'transcripts');
const FIVE_HOUR = fs.readFileSync(path.join(TRANSCRIPTS, 'five_hour.jsonl'), 'utf8');
const SUCCESS = fs.readFileSync(path.join(TRANSCRIPTS, 'success.jsonl'), 'utf8');
const QUOTA_LINE = FIVE_HOUR.split('\n').find((l) => l.includes('"apiError":"usage_limit_reached"')) ?? '';
const SESSION = '37f43d1a-efe5-4345-b2f0-0c736f34df50';

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function handles(): { watchers: number; timers: number; inotify: number } {
  const info = process.getActiveResourcesInfo();
  return {
    watchers: info.filter((r) => r === 'FSEventWrap').length,
    timers: info.filter((r) => r === 'Timeout').length,
    inotify: inotifyWatches(),
  };
}

/** Kernel-side inotify watches of this process (Linux); -1 elsewhere. */
function inotifyWatches(): number {
  if (process.platform !== 'linux') return -1;
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fdinfo')) {
    try {
      n += fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
    } catch {
      // fd closed meanwhile
    }
  }
  return n;
}

describe('TranscriptWatcher', () => {
  let configDir: string;
  let watcher: TranscriptWatcher | null;
  beforeEach(() => {
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-claude-'));
    watcher = null;
  });
  afterEach(() => {
    watcher?.dispose();
    fs.rmSync(configDir, { recursive: true, force: true });
  });

  function start(options: Partial<ConstructorParameters<typeof TranscriptWatcher>[0]> = {}): { w: TranscriptWatcher; events: TranscriptEvent[] } {
    const w = new TranscriptWatcher({ configDir, debounceMs: 10, rescanMs: 0, ...options });
    const events: TranscriptEvent[] = [];
    w.onSignal((e) => events.push(e));
    watcher = w;
    return { w, events };
  }

  it('signals a quota line in a session created after start, in a project created after start', async () => {
    fs.mkdirSync(path.join(configDir, 'projects'));
    const { w, events } = start();
    await w.start();
    const slugDir = path.join(configDir, 'projects', '-tmp-claude-quota-recording-project');
    fs.mkdirSync(slugDir);
    await waitFor('project dir watched', () => w.watchedDirCount >= 3);
    const file = path.join(slugDir, `${SESSION}.jsonl`);
    fs.writeFileSync(file, `${FIVE_HOUR.split('\n').slice(0, 6).join('\n')}\n`);
    fs.appendFileSync(file, QUOTA_LINE.slice(0, 100));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(events.length, 0, 'a half-written line is not parsed');
    fs.appendFileSync(file, `${QUOTA_LINE.slice(100)}\n`);
    await waitFor('quota signal', () => events.length > 0);
    const e = events[0];
    assert.equal(e.signal.kind, 'quota');
    assert.equal(e.sessionId, SESSION);
    assert.equal(e.cwd, '/tmp/claude-quota-recording/project');
    assert.equal(e.path, file);
    assert.ok(e.signal.kind === 'quota');
    assert.equal(e.signal.resetsAt?.getTime(), 1795442400 * 1000);
    assert.equal(e.signal.window, 'five_hour');
    assert.equal(events.length, 1);
  });

  it('does not replay existing history, but reports what is appended to it', async () => {
    const slugDir = path.join(configDir, 'projects', '-work-a');
    fs.mkdirSync(slugDir, { recursive: true });
    const recent = path.join(slugDir, 'recent.jsonl');
    const old = path.join(slugDir, 'old.jsonl');
    fs.writeFileSync(recent, FIVE_HOUR);
    fs.writeFileSync(old, FIVE_HOUR);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    fs.utimesSync(old, twoDaysAgo, twoDaysAgo);
    const { w, events } = start();
    await w.start();
    await w.idle();
    assert.equal(events.length, 0);
    assert.deepEqual(w.fileCounts, { known: 2, followed: 1 });
    fs.appendFileSync(recent, SUCCESS);
    await waitFor('activity from recent', () => events.some((e) => e.path === recent));
    fs.appendFileSync(old, `${QUOTA_LINE}\n`);
    await waitFor('quota from old', () => events.some((e) => e.path === old));
    assert.deepEqual(
      events.map((e) => `${path.basename(e.path)}:${e.signal.kind}`),
      ['recent.jsonl:activity', 'recent.jsonl:usage', 'old.jsonl:quota'],
    );
    // Persisted offsets let a new watcher resume exactly where this one stopped.
    const states = w.states();
    w.dispose();
    fs.appendFileSync(recent, `${QUOTA_LINE}\n`);
    const second = start({ offsets: states });
    await second.w.start();
    await waitFor('resumed quota', () => second.events.length > 0);
    await second.w.idle();
    assert.deepEqual(
      second.events.map((e) => `${path.basename(e.path)}:${e.signal.kind}`),
      ['recent.jsonl:quota'],
    );
  });

  it('finds projects/ created after start, and subagent transcripts', async () => {
    const { w, events } = start();
    await w.start();
    const sessionDir = path.join(configDir, 'projects', '-p', SESSION, 'subagents');
    fs.mkdirSync(sessionDir, { recursive: true });
    await waitFor('subagents dir watched', () => w.watchedDirCount >= 5);
    fs.writeFileSync(path.join(sessionDir, 'agent-1.jsonl'), SUCCESS);
    await waitFor('subagent activity', () => events.length >= 2);
    assert.equal(events[0].signal.kind, 'activity');
  });

  it('the rescan finds changes without watch events', async () => {
    const slugDir = path.join(configDir, 'projects', '-p');
    fs.mkdirSync(slugDir, { recursive: true });
    const { w, events } = start({ rescanMs: 50, maxWatchedDirs: 0 });
    await w.start();
    assert.equal(w.watchedDirCount, 0);
    fs.writeFileSync(path.join(slugDir, 'new.jsonl'), `${QUOTA_LINE}\n`);
    await waitFor('quota via rescan', () => events.length > 0);
    assert.equal(events[0].signal.kind, 'quota');
  });

  it('reports the transcripts that changed after reading them, not the ones the rescan found unchanged', async () => {
    const slugDir = path.join(configDir, 'projects', '-p');
    fs.mkdirSync(slugDir, { recursive: true });
    const a = path.join(slugDir, 'a.jsonl');
    const b = path.join(slugDir, 'b.jsonl');
    fs.writeFileSync(a, SUCCESS);
    fs.writeFileSync(b, SUCCESS);
    const { w, events } = start();
    const batches: string[][] = [];
    w.onFilesChanged((paths) => batches.push([...paths]));
    await w.start();
    await w.idle();
    assert.equal(batches.length, 0, 'existing history is not a change');
    fs.appendFileSync(a, `${QUOTA_LINE}\n`);
    await waitFor('a reported', () => batches.length > 0);
    assert.deepEqual(batches, [[a]]);
    // Reported after its lines were read: the quota signal came first.
    assert.equal(events.filter((e) => e.path === a && e.signal.kind === 'quota').length, 1);
    const c = path.join(slugDir, SESSION, 'subagents', 'agent-1.jsonl');
    fs.mkdirSync(path.dirname(c), { recursive: true });
    await waitFor('session dir watched', () => w.watchedDirCount >= 5);
    fs.writeFileSync(c, SUCCESS);
    await waitFor('new subagent transcript reported', () => batches.some((x) => x.includes(c)));
    w.dispose();
    fs.appendFileSync(b, SUCCESS);
    const polled = start({ rescanMs: 20, maxWatchedDirs: 0 });
    const polledBatches: string[][] = [];
    polled.w.onFilesChanged((paths) => polledBatches.push([...paths]));
    await polled.w.start();
    // Without watch events only the rescan finds new bytes; files it reads with nothing new are not reported.
    fs.appendFileSync(a, SUCCESS);
    await waitFor('a reported by the rescan', () => polledBatches.length > 0);
    fs.appendFileSync(b, SUCCESS);
    await waitFor('b reported by the rescan', () => polledBatches.length > 1);
    assert.deepEqual(polledBatches.slice(0, 2), [[a], [b]]);
  });

  it('forgets idle files and keeps memory bounded', async () => {
    let now = Date.now();
    const slugDir = path.join(configDir, 'projects', '-p');
    fs.mkdirSync(slugDir, { recursive: true });
    const minuteAgo = new Date(now - 60_000);
    for (let i = 0; i < 5; i++) {
      fs.writeFileSync(path.join(slugDir, `s${i}.jsonl`), SUCCESS);
      fs.utimesSync(path.join(slugDir, `s${i}.jsonl`), minuteAgo, minuteAgo);
    }
    const { w } = start({ clock: () => now, rescanMs: 20, idleMs: 90_000, forgetMs: 5 * 60_000, maxFiles: 3 });
    await w.start();
    await waitFor('bounded', () => w.fileCounts.known <= 3);
    now += 60_000;
    await waitFor('tails dropped', () => w.fileCounts.followed === 0).catch((e: unknown) => {
      throw new Error(`${String(e)} ${JSON.stringify(w.fileCounts)} ${JSON.stringify(w.states())}`);
    });
    now += 10 * 60_000;
    await waitFor('forgotten', () => w.fileCounts.known === 0);
  });

  it('dispose closes every watcher and timer', async () => {
    // After the first await, so the test runner's own timeout timer is part of the baseline.
    await new Promise((r) => setImmediate(r));
    const before = handles();
    fs.mkdirSync(path.join(configDir, 'projects', '-a', SESSION, 'subagents'), { recursive: true });
    fs.mkdirSync(path.join(configDir, 'projects', '-b'), { recursive: true });
    const { w } = start({ rescanMs: 1000 });
    await w.start();
    fs.writeFileSync(path.join(configDir, 'projects', '-b', 'x.jsonl'), SUCCESS);
    const during = handles();
    assert.ok(during.watchers >= before.watchers + 6, JSON.stringify(during));
    assert.ok(during.timers > before.timers);
    w.dispose();
    // Handle closes complete on the next turns of the loop.
    // Handle closes complete on later turns of the loop; poll with setImmediate so no timer of ours is counted.
    const deadline = Date.now() + 2000;
    while (JSON.stringify(handles()) !== JSON.stringify(before) && Date.now() < deadline) {
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(handles(), before, JSON.stringify(process.getActiveResourcesInfo()));
    assert.equal(w.watchedDirCount, 0);
  });
});
