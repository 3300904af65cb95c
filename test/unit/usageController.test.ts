import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProfileView } from '../../src/core/accounts/accountManager';
import type { UsageSnapshot } from '../../src/core/accounts/schemas';
import { DEFAULTS, type SettingKey, type Settings } from '../../src/extension/settings';
import { Emitter, type Timers } from '../../src/extension/sessions/emitter';
import type { NotifierUi } from '../../src/extension/sessions/quotaNotifier';
import { usageTooltipLines } from '../../src/extension/statusBar/usageTooltip';
import { ACTION_SHOW_USAGE, UsageController } from '../../src/extension/usage/usageController';
import { panelData } from '../../src/extension/usage/usagePanelModel';
import { assistantLine, limitLine } from '../support/usageTranscripts';

const MIN = 60_000;
const T0 = Date.parse('2026-11-23T10:00:00Z');

const manualTimers: Timers = { setTimeout: () => 0, clearTimeout: () => undefined };

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
});
