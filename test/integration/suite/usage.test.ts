// Usage per account in a real VS Code: transcripts written into the runner's temp CLAUDE_CONFIG_DIR
// are scanned, the Show Usage command opens the webview panel, the data posted to it carries the
// right numbers, and the page itself (under its Content-Security-Policy) draws them; lines appended
// later reach the open panel through the transcript watcher, without a refresh.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClaudeQuotaApi, ClaudeQuotaTestHooks } from '../../../src/extension/api';
import { testHooks } from './testHooks';
import { formatTokens } from '../../../src/core/usage/usageText';
import { assistantLine, FILLER_LINES } from '../../support/usageTranscripts';

const EXTENSION_ID = 'claude-quota-sentinel.claude-quota-sentinel';

async function api(): Promise<ClaudeQuotaTestHooks> {
  const ext = vscode.extensions.getExtension<ClaudeQuotaApi>(EXTENSION_ID);
  assert.ok(ext, 'extension installed');
  return testHooks(ext.isActive ? ext.exports : await ext.activate());
}

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The account new usage is attributed to: the active one, or the unknown account before any is known. */
function activeLabel(report: NonNullable<ReturnType<ClaudeQuotaTestHooks['usage']['report']>>): string {
  return report.accounts.find((a) => a.active)?.label ?? 'unknown account';
}

describe('Usage panel', () => {
  it('scans new transcript lines and shows the right numbers in the Show Usage panel', async () => {
    const quota = await api();
    const dir = process.env.CLAUDE_CONFIG_DIR;
    assert.ok(dir && process.env.HOME && dir.startsWith(process.env.HOME), 'temp CLAUDE_CONFIG_DIR');
    await quota.usage.refresh();
    const before = quota.usage.report();
    assert.ok(before, 'a report after the first scan');
    const label = activeLabel(before);
    const weeklyBefore = before.accounts.find((a) => a.label === label)?.weekly.total ?? 0;
    const totalsBefore = before.totals;

    const project = path.join(dir, 'projects', '-tmp-usage-integration');
    fs.mkdirSync(project, { recursive: true });
    // After the report's time, so the account active now (recorded at or before it) gets them.
    await new Promise((r) => setTimeout(r, 1100));
    const now = Date.now();
    assert.ok(now - 1000 > before.generatedAt);
    const line1 = assistantLine({ at: now - 1000, messageId: 'msg_usage_it_1', requestId: 'req_usage_it_1', input: 1200, output: 3400, cacheCreation: 5600, cacheRead: 78_000 });
    const line2 = assistantLine({ at: now - 500, messageId: 'msg_usage_it_2', requestId: 'req_usage_it_2', input: 100, output: 200, cacheCreation: 300, cacheRead: 400 });
    // Real session filler around the responses; the first response is written twice (two content blocks).
    fs.writeFileSync(path.join(project, 'usage-it.jsonl'), [...FILLER_LINES, line1, line1, line2, ''].join('\n'));
    const added = 1200 + 3400 + 5600 + 78_000 + 100 + 200 + 300 + 400;

    await vscode.commands.executeCommand('claudeQuota.showUsage');
    const panel = quota.usage.panel();
    assert.equal(panel.open, true);
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Claude Quota: Usage');
    assert.ok(tab, 'a webview tab titled "Claude Quota: Usage"');

    const after = quota.usage.report();
    assert.ok(after);
    assert.deepEqual(
      after.totals.map((v, i) => v - totalsBefore[i]),
      [1300, 3600, 5900, 78_400],
      'each response counted once',
    );
    const posted = panel.posted;
    assert.ok(posted, 'data posted to the panel');
    const card = posted.accounts.find((a) => a.label === label);
    assert.ok(card, `a card for ${label}`);
    assert.equal(card.weekly.total - weeklyBefore, added);
    assert.ok(card.fiveHour !== null && card.fiveHour.total >= added, 'the running 5-hour block includes the new usage');
    assert.equal(card.hourly.reduce((a, b) => a + b, 0) >= added, true);

    // The page ran its script under the CSP and drew the posted numbers.
    const rendered = await waitFor('the panel page to draw', () => {
      const r = quota.usage.panel().rendered;
      return r?.accounts.find((a) => a.label === label && a.weekly.startsWith(`${formatTokens(card.weekly.total)} tokens`)) ? r : undefined;
    });
    const drawn = rendered.accounts.find((a) => a.label === label);
    assert.ok(drawn?.fiveHour.startsWith(`${formatTokens(card.fiveHour.total)} tokens`), `drawn: ${JSON.stringify(drawn)}`);
  });

  it('shows lines appended to a transcript in the open panel without a refresh', async () => {
    const quota = await api();
    const dir = process.env.CLAUDE_CONFIG_DIR;
    assert.ok(dir);
    await vscode.commands.executeCommand('claudeQuota.showUsage');
    const before = quota.usage.report();
    assert.ok(before);
    const label = activeLabel(before);
    const weeklyBefore = before.accounts.find((a) => a.label === label)?.weekly.total ?? 0;
    const totalsBefore = before.totals;

    const project = path.join(dir, 'projects', '-tmp-usage-live');
    fs.mkdirSync(project, { recursive: true });
    const file = path.join(project, 'usage-live.jsonl');
    fs.writeFileSync(file, FILLER_LINES.map((l) => `${l}\n`).join(''));
    // Only the transcript watcher can bring this in: nothing calls refresh and the safety rescan is minutes away.
    fs.appendFileSync(file, `${assistantLine({ at: Date.now(), messageId: 'msg_usage_live_1', requestId: 'req_usage_live_1', input: 7, output: 7000, cacheCreation: 700, cacheRead: 70_000 })}\n`);
    const added = 7 + 7000 + 700 + 70_000;

    const after = await waitFor('the appended response in the report', () => {
      const r = quota.usage.report();
      return r !== null && r.totals[1] - totalsBefore[1] === 7000 ? r : undefined;
    });
    assert.deepEqual(
      after.totals.map((v, i) => v - totalsBefore[i]),
      [7, 7000, 700, 70_000],
    );
    const card = await waitFor('the panel updated', () => quota.usage.panel().posted?.accounts.find((a) => a.label === label && a.weekly.total - weeklyBefore === added));
    await waitFor('the page to draw it', () =>
      quota.usage.panel().rendered?.accounts.find((a) => a.label === label && a.weekly.startsWith(`${formatTokens(card.weekly.total)} tokens`)),
    );
  });
});
