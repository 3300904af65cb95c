import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProfileView } from '../../../../src/core/accounts/accountManager';
import type { UsageSnapshot } from '../../../../src/core/accounts/schemas';
import { TranscriptWatcher } from '../../../../src/core/sources/transcripts/transcriptWatcher';
import { DEFAULTS, type SettingKey, type Settings } from '../../../../src/extension/settings';
import { Emitter } from '../../../../src/core/base/event';
import type { Timers } from '../../../../src/core/base/timers';
import type { NotifierUi } from '../../../../src/extension/sessions/quotaNotifier';
import { SessionsController, type ConfigChanges } from '../../../../src/extension/sessions/sessionsController';
import { usageTooltipLines } from '../../../../src/extension/statusBar/usageTooltip';
import { ACCOUNTS_MAX_AGE_MS, ACTION_SHOW_USAGE, LIVE_DELAY_MS, SAFETY_RESCAN_MS, UsageController, type UsageControllerOptions } from '../../../../src/extension/usage/usageController';
import { panelData } from '../../../../src/extension/usage/usagePanelModel';
import { FakeTimers } from '../../../support/fakeTimers';
import { assistantLine, limitLine } from '../../../support/usageTranscripts';

const MIN = 60_000;
const T0 = Date.parse('2026-11-23T10:00:00Z');

const manualTimers: Timers = { setTimeout: () => 0, clearTimeout: () => undefined };

/** Waits (in real time, for the file reads) until the controller's state satisfies `cond`. */
async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets pending file reads and promise chains run; used before asserting that nothing happened. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 1));
}

function profile(id: string, active: boolean): ProfileView {
  return { id, label: id.toUpperCase(), email: `${id}@Example.com`, organizationName: null, plan: 'max', state: { kind: 'available' }, active, tokenExpiresAt: null, tokenExpired: false };
}

describe('UsageController', () => {
  let dir: string;
  let file: string;
  let clock: number;
  let profiles: ProfileView[];
  let settings: Settings;
  let shown: { message: string; items: string[] }[];
  let recorded: { label: string; usage: UsageSnapshot }[];
  let changed: Emitter<void>;

  const ui: NotifierUi = {
    showWarningMessage: (message, ...items) => {
      shown.push({ message, items });
      return Promise.resolve(undefined);
    },
    showInformationMessage: () => Promise.resolve(undefined),
    executeCommand: () => Promise.resolve(undefined),
  };

  const controller = (stateName = 'usage.json'): UsageController =>
    new UsageController({
      accounts: { list: () => Promise.resolve(profiles), onDidChangeAccounts: changed.event },
      read: <K extends SettingKey>(k: K): Settings[K] => settings[k],
      ui,
      configDir: path.join(dir, 'claude'),
      stateFile: path.join(dir, 'home', stateName),
      recordUsage: (label, usage) => {
        recorded.push({ label, usage });
        return Promise.resolve();
      },
      timers: manualTimers,
      now: () => clock,
    });

  let n = 0;
  const respond = (at: number, output: number): void => fs.appendFileSync(file, `${assistantLine({ at, messageId: `m${n}`, requestId: `r${n++}`, output })}\n`);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usage-ctl-'));
    fs.mkdirSync(path.join(dir, 'claude', 'projects', '-p'), { recursive: true });
    file = path.join(dir, 'claude', 'projects', '-p', 's.jsonl');
    fs.writeFileSync(file, '');
    clock = T0;
    profiles = [profile('a', true), profile('b', false)];
    settings = { ...DEFAULTS };
    shown = [];
    recorded = [];
    changed = new Emitter<void>();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // ---- live updates: fake timers, watch events injected as the sessions controller passes them on ----

  let timers: FakeTimers;
  let files: Emitter<readonly string[]>;
  const configListeners: { keys: SettingKey[]; run: () => void }[] = [];
  const config: ConfigChanges = {
    onChange: (keys, run) => {
      const l = { keys, run };
      configListeners.push(l);
      return { dispose: () => configListeners.splice(configListeners.indexOf(l), 1) };
    },
  };
  const changeSetting = <K extends SettingKey>(k: K, v: Settings[K]): void => {
    settings = { ...settings, [k]: v };
    for (const l of [...configListeners]) if (l.keys.includes(k)) l.run();
  };
  beforeEach(() => {
    timers = new FakeTimers({ now: T0 });
    files = new Emitter<readonly string[]>();
    configListeners.length = 0;
  });

  const liveController = (extra: Partial<UsageControllerOptions> = {}): UsageController =>
    new UsageController({
      accounts: { list: () => Promise.resolve(profiles), onDidChangeAccounts: changed.event },
      read: <K extends SettingKey>(k: K): Settings[K] => settings[k],
      ui,
      configDir: path.join(dir, 'claude'),
      stateFile: path.join(dir, 'home', 'usage.json'),
      transcriptChanges: files.event,
      config,
      timers,
      now: () => timers.now,
      ...extra,
    });
  /** The startup scan finished and armed the safety rescan. */
  const started = (c: UsageController): Promise<void> => until('the startup scan', () => c.scanCount === 1 && timers.pending.size === 1);
  const fiveHourOfA = (c: UsageController): number | undefined => c.report?.accounts.find((a) => a.key === 'a@example.com')?.fiveHour?.total;

  it('attributes usage to the account active when it was written, across a switch', async () => {
    const c = controller();
    await c.refresh();
    respond(clock + MIN, 100);
    clock += 2 * MIN;
    await c.refresh();
    profiles = [profile('a', false), profile('b', true)];
    changed.fire();
    await c.refresh();
    respond(clock + MIN, 40);
    clock += 2 * MIN;
    await c.refresh();
    const r = c.report;
    assert.ok(r);
    assert.equal(r.accounts.find((a) => a.key === 'a@example.com')?.fiveHour?.total, 100);
    assert.equal(r.accounts.find((a) => a.key === 'b@example.com')?.fiveHour?.total, 40);
    assert.equal(r.accounts.find((a) => a.key === 'b@example.com')?.active, true);
    c.dispose();
  });

  it('learns the limit from a hit, warns once at the threshold, and records the usage snapshot for the switch policy', async () => {
    const c = controller();
    await c.refresh();
    respond(clock + MIN, 1000);
    const reset = T0 + 5 * 60 * MIN;
    fs.appendFileSync(file, `${limitLine(clock + 2 * MIN, reset)}\n`);
    clock += 3 * MIN;
    await c.refresh();
    assert.equal(c.report?.accounts[0]?.fiveHour?.limit, 1000);
    assert.equal(c.report?.accounts[0]?.fiveHour?.anchor, 'reset');
    assert.equal(shown.length, 1, 'at 100 % of the learned limit');
    assert.match(shown[0].message, /A has used 100 % of its 5-hour block \(1\.0k tokens, learned limit\)/);
    assert.deepEqual(shown[0].items, [ACTION_SHOW_USAGE, 'Switch Account']);
    const snap = recorded.find((x) => x.label === 'A')?.usage;
    assert.equal(snap?.fiveHour?.usedPercent, 100);
    assert.equal(snap?.fiveHour?.resetsAt, reset);
    clock += MIN;
    await c.refresh();
    assert.equal(shown.length, 1, 'not again in the same window');
    assert.equal(recorded.filter((x) => x.label === 'A').length, 1, 'an unchanged snapshot is not rewritten');
    c.dispose();
  });

  it('warns at a configured limit and a lower threshold; stays silent with notifications off', async () => {
    settings = { ...settings, 'usage.fiveHourLimitTokens': 1000, 'usage.warnThresholdPercent': 50 };
    const c = controller();
    await c.refresh();
    respond(clock + MIN, 400);
    clock += 2 * MIN;
    await c.refresh();
    assert.equal(shown.length, 0);
    respond(clock + MIN, 200);
    clock += 2 * MIN;
    await c.refresh();
    assert.equal(shown.length, 1);
    assert.match(shown[0].message, /60 % .*configured limit/);
    c.dispose();
    settings = { ...settings, 'notifications.level': 'off', 'usage.warnThresholdPercent': 10 };
    shown = [];
    // A fresh state, so silence cannot come from a warning remembered by the first controller.
    const quiet = controller('quiet.json');
    await quiet.refresh();
    assert.equal(shown.length, 0);
    quiet.dispose();
  });

  it('saves its state on dispose, and a new controller resumes from it without counting again', async () => {
    const c = controller();
    respond(clock - MIN, 300);
    await c.refresh();
    // Read but not saved yet (one save per interval).
    respond(clock - MIN, 5);
    await c.refresh();
    const stateFile = path.join(dir, 'home', 'usage.json');
    const savedOffset = (): number => (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { files: { offset: number }[] }).files[0]?.offset ?? -1;
    assert.ok(savedOffset() < fs.statSync(file).size);
    c.dispose();
    for (let i = 0; i < 200 && savedOffset() !== fs.statSync(file).size; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(savedOffset(), fs.statSync(file).size, 'the dispose saved the offset of everything read');
    respond(clock, 20);
    const again = controller();
    await again.refresh();
    assert.equal(again.report?.accounts.find((a) => a.key === 'a@example.com')?.fiveHour?.total, 325);
    assert.deepEqual(again.report?.totals, [0, 325, 0, 0]);
    again.dispose();
  });

  it('feeds the status bar tooltip and the panel from the same report', async () => {
    settings = { ...settings, 'usage.fiveHourLimitTokens': 2000 };
    const c = controller();
    respond(clock - MIN, 500);
    await c.refresh();
    const lines = usageTooltipLines(c.report, 'UTC').join('\n');
    assert.match(lines, /\*\*Usage\*\*/);
    assert.match(lines, /\*\*A\*\* \(active\)/);
    assert.match(lines, /5\\-hour block: 500 tokens · 25 % of 2\\\.0k \\\(configured limit\\\)/);
    const data = panelData(c.report ?? assert.fail('no report'), 'UTC');
    const a = data.accounts.find((x) => x.label === 'A');
    assert.equal(a?.fiveHour?.total, 500);
    assert.equal(a?.fiveHour?.percent, 25);
    assert.equal(a?.fiveHour?.estimated, true);
    assert.equal(a?.hourly.reduce((x, y) => x + y, 0), 500);
    assert.equal(JSON.stringify(data).includes('@'), false, 'the panel data names accounts by label, not email');
    c.dispose();
  });
  it('counts a response appended to a transcript once the watcher reports it, without waiting for the safety rescan or listing every transcript', async () => {
    fs.writeFileSync(path.join(dir, 'claude', 'projects', '-p', 'other.jsonl'), '');
    const c = liveController();
    let published = 0;
    c.onDidChange(() => published++);
    await started(c);
    assert.equal(c.scanCount, 1);
    assert.equal(c.scanStats?.files, 2, 'the startup scan lists every transcript');
    assert.deepEqual(timers.dueTimes(), [T0 + SAFETY_RESCAN_MS], 'only the safety rescan is armed');
    respond(timers.now, 100);
    files.fire([file]);
    timers.advance(LIVE_DELAY_MS);
    await until('a new report published (status bar tooltip, panel)', () => published === 2);
    assert.equal(fiveHourOfA(c), 100);
    assert.ok(timers.now < T0 + SAFETY_RESCAN_MS);
    assert.equal(c.scanCount, 2);
    assert.equal(c.scanStats?.files, 1, 'only the reported transcript was looked at');
    assert.deepEqual(timers.dueTimes(), [T0 + SAFETY_RESCAN_MS], 'the live scan leaves the safety rescan where it was');
    c.dispose();
  });

  it('re-reads the accounts on a live scan at most every 30 s, and so notices a login made outside the editor', async () => {
    let lists = 0;
    const c = liveController({
      accounts: {
        list: () => {
          lists++;
          return Promise.resolve(profiles);
        },
        onDidChangeAccounts: changed.event,
      },
    });
    await started(c);
    assert.equal(lists, 1);
    respond(timers.now, 100);
    files.fire([file]);
    timers.advance(LIVE_DELAY_MS);
    await until('the first response counted', () => fiveHourOfA(c) === 100);
    assert.equal(lists, 1, 'not re-read a moment after the startup scan');
    // `/login` in a terminal: the accounts layer fires no event for it.
    profiles = [profile('a', false), profile('b', true)];
    timers.advance(ACCOUNTS_MAX_AGE_MS - 3 * LIVE_DELAY_MS);
    files.fire([file]);
    timers.advance(LIVE_DELAY_MS);
    await until('the third scan', () => c.scanCount === 3);
    assert.equal(lists, 1, 'not re-read within 30 s');
    // In the next minute (usage is kept per minute, and a minute goes to the account active at its end).
    timers.advance(MIN);
    respond(timers.now, 40);
    files.fire([file]);
    timers.advance(LIVE_DELAY_MS);
    await until('the second response counted', () => c.report?.accounts.find((a) => a.key === 'b@example.com')?.fiveHour?.total === 40);
    assert.equal(lists, 2);
    assert.equal(fiveHourOfA(c), 100);
    c.dispose();
  });

  it('counts a burst of appends in at most two scans: one at a time, one more queued, nothing lost', async () => {
    const c = liveController();
    await started(c);
    // Claude Code writes a turn line by line; the watcher reports after each of its reads.
    for (let i = 0; i < 20; i++) {
      respond(timers.now, 10);
      files.fire([file]);
      timers.advance(10);
      await new Promise((r) => setImmediate(r));
    }
    timers.advance(LIVE_DELAY_MS);
    // The scan has started; more lines arrive before it finished.
    for (let i = 0; i < 5; i++) {
      respond(timers.now, 10);
      files.fire([file]);
    }
    await until('the burst counted', () => fiveHourOfA(c) === 250);
    for (let i = 0; i < 5; i++) {
      timers.advance(LIVE_DELAY_MS);
      await settle();
    }
    assert.equal(fiveHourOfA(c), 250);
    assert.ok(c.scanCount - 1 <= 2, `${c.scanCount - 1} scans for the burst`);
    assert.deepEqual(timers.dueTimes(), [T0 + SAFETY_RESCAN_MS], 'nothing left queued');
    c.dispose();
  });

  it('scans nothing while nothing changes; the safety rescan lists everything and finds what no watch event reported', async () => {
    const c = liveController();
    await started(c);
    timers.advance(SAFETY_RESCAN_MS - 1);
    await settle();
    assert.equal(c.scanCount, 1, 'no scan while nothing changes');
    assert.deepEqual(timers.dueTimes(), [T0 + SAFETY_RESCAN_MS], 'and no timer but the safety rescan');
    // A change the watcher missed (a network file system, an editor replacing the file).
    respond(timers.now, 70);
    timers.advance(1);
    await until('the missed response counted', () => fiveHourOfA(c) === 70);
    assert.equal(c.scanCount, 2);
    await until('the next safety rescan armed', () => timers.pending.size === 1);
    assert.deepEqual(timers.dueTimes(), [T0 + 2 * SAFETY_RESCAN_MS], 'the next safety rescan is armed');
    c.dispose();
  });

  it('brings the safety rescan forward to the end of a window, so a reset block leaves the report', async () => {
    const reset = T0 + 2 * MIN;
    respond(T0 - MIN, 500);
    fs.appendFileSync(file, `${limitLine(T0 - MIN, reset)}\n`);
    const c = liveController();
    await started(c);
    assert.equal(fiveHourOfA(c), 500);
    assert.deepEqual(timers.dueTimes(), [reset + 1000]);
    timers.advance(2 * MIN + 1000);
    await until('the rescan after the reset', () => c.scanCount === 2);
    await until('the new report', () => fiveHourOfA(c) === undefined);
    assert.equal(c.report?.accounts.find((a) => a.key === 'a@example.com')?.fiveHour, null, 'no block runs after the reset');
    c.dispose();
  });

  it('rebuilds the report at once when a limit setting changes', async () => {
    respond(T0 - MIN, 500);
    const c = liveController();
    await started(c);
    assert.equal(c.report?.accounts[0]?.fiveHour?.usedPercent, null);
    changeSetting('usage.fiveHourLimitTokens', 1000);
    await until('the configured limit applied', () => c.report?.accounts[0]?.fiveHour?.usedPercent === 50);
    c.dispose();
  });

  it('dispose stops every timer and ignores later watch events', async () => {
    const c = liveController();
    await started(c);
    respond(timers.now, 10);
    files.fire([file]);
    assert.equal(timers.pending.size, 2, 'the safety rescan and the gathering of changes');
    c.dispose();
    assert.equal(timers.pending.size, 0);
    files.fire([file]);
    changeSetting('usage.fiveHourLimitTokens', 1000);
    changed.fire();
    assert.equal(timers.pending.size, 0);
    timers.advance(3 * SAFETY_RESCAN_MS);
    await settle();
    assert.equal(c.scanCount, 1);
  });

  it('follows the transcript watcher the sessions controller runs: an appended response reaches the report in moments', async () => {
    const configDir = path.join(dir, 'claude');
    let watcherStarted: Promise<void> | undefined;
    const sessions = new SessionsController({
      accounts: { list: () => Promise.resolve(profiles), onDidChangeAccounts: changed.event },
      config,
      read: <K extends SettingKey>(k: K): Settings[K] => settings[k],
      env: { CLAUDE_CONFIG_DIR: configDir },
      createTranscriptFeed: (d) => {
        const w = new TranscriptWatcher({ configDir: d, persistent: false, debounceMs: 10 });
        return { onSignal: (l) => w.onSignal(l), onFilesChanged: (l) => w.onFilesChanged(l), start: () => (watcherStarted = w.start()), dispose: () => w.dispose() };
      },
    });
    // Real timers and clock: only the watch event can bring the line in before the five-minute rescan.
    const c = new UsageController({
      accounts: { list: () => Promise.resolve(profiles), onDidChangeAccounts: changed.event },
      read: <K extends SettingKey>(k: K): Settings[K] => settings[k],
      ui,
      configDir,
      stateFile: null,
      transcriptChanges: sessions.onDidChangeTranscriptFiles,
    });
    try {
      await until('the startup scan', () => c.report !== null);
      await (watcherStarted ?? assert.fail('the watcher was not started'));
      const at = Date.now();
      fs.appendFileSync(file, `${assistantLine({ at, messageId: 'm-live', requestId: 'r-live', output: 4321 })}\n`);
      await until('the response counted', () => fiveHourOfA(c) === 4321);
      assert.equal(c.scanCount, 2);
      assert.equal(c.scanStats?.files, 1);
    } finally {
      c.dispose();
      sessions.dispose();
    }
  });
});
