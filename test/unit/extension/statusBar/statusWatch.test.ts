import { strict as assert } from 'node:assert';
import type { ProfileView } from '../../../../src/core/accounts/accountManager';
import type { SessionsSnapshot, WatchedSession } from '../../../../src/extension/sessions/sessionsController';
import { describeWatch, escapeMarkdown } from '../../../../src/extension/statusBar/statusView';

const work = { id: 'w', label: 'work' };
const profiles = [{ id: 'w', label: 'work', email: 'work@example.com', organizationName: null, plan: 'max', state: { kind: 'available' }, active: true, tokenExpiresAt: null, tokenExpired: false } as ProfileView];
const now = new Date('2026-11-23T12:00:00Z');

function session(over: Partial<WatchedSession>): WatchedSession {
  return { id: 'tmux:%1', kind: 'tmux', where: 'main:0.0', account: work, state: 'ok', window: null, resetsAt: null, resetEstimated: false, since: null, evidenceSources: [], lastError: null, ...over };
}

describe('status bar with sessions', () => {
  it('shows the active account while nothing is blocked, and lists the sessions', () => {
    const snap: SessionsSnapshot = { activeAccount: work, sessions: [session({})], unwatched: [{ id: 'terminal:2', where: 'zsh', reason: 'no-shell-integration' }] };
    const v = describeWatch(profiles, snap, now, 'UTC');
    assert.equal(v.text, '$(account) work');
    assert.equal(v.warning, false);
    assert.equal(v.nextUpdateMs, null);
    assert.match(v.tooltipMarkdown, /main:0\\\.0\*\* · work · ok · from tmux pane/);
    assert.match(v.tooltipMarkdown, /zsh · no shell integration/);
  });

  it('counts down to the latest reset of the active account’s blocked sessions', () => {
    const snap: SessionsSnapshot = {
      activeAccount: work,
      sessions: [
        session({ state: 'blocked', window: 'five_hour', resetsAt: new Date('2026-11-23T14:14:30Z'), evidenceSources: ['tmux', 'transcript'] }),
        session({ id: 'terminal:1', kind: 'terminal', where: 'claude', state: 'blocked', window: 'five_hour', resetsAt: new Date('2026-11-23T13:00:00Z') }),
        // Another account's block is not the active account's business.
        session({ id: 'tmux:%9', where: 'x:1.0', account: { id: 'o', label: 'other' }, state: 'blocked', resetsAt: new Date('2026-11-24T12:00:00Z') }),
      ],
      unwatched: [],
    };
    const v = describeWatch(profiles, snap, now, 'UTC');
    assert.equal(v.text, '$(watch) 2h 14m');
    assert.equal(v.warning, true);
    assert.equal(v.nextUpdateMs, 30_001);
    assert.match(v.tooltipMarkdown, /\*\*work\*\* hit its 5-hour limit: resets 2:14 pm \(in 2h 14m\)/);
    assert.match(v.tooltipMarkdown, /limit reached · 5-hour limit, resets 2:14 pm \(in 2h 14m\) · from tmux pane \+ transcript/);
    assert.match(v.accessibilityLabel, /reached its usage limit/);
  });

  it('ticks each second in the last minute', () => {
    const snap: SessionsSnapshot = { activeAccount: null, sessions: [session({ account: null, state: 'blocked', resetsAt: new Date(now.getTime() + 42_500) })], unwatched: [] };
    const v = describeWatch([], snap, now, 'UTC');
    assert.equal(v.text, '$(watch) 42s');
    assert.equal(v.nextUpdateMs, 501);
  });

  it('escapes Markdown in free text', () => {
    assert.equal(escapeMarkdown('a*b_[c](d)'), 'a\\*b\\_\\[c\\]\\(d\\)');
  });

  it('shows Claude Code\'s own figures for the active account, most used first, and still counts down when blocked', () => {
    const exact = [
      { key: 'five_hour', name: '5-hour', usedPercent: 62.4, resetsAt: new Date('2026-11-23T16:00:00Z') },
      { key: 'seven_day', name: 'weekly', usedPercent: 41, resetsAt: null },
      { key: 'seven_day_opus', name: 'weekly Opus', usedPercent: 12, resetsAt: null },
    ];
    const idle: SessionsSnapshot = { activeAccount: work, sessions: [], unwatched: [] };
    const v = describeWatch(profiles, idle, now, 'UTC', [], exact);
    assert.equal(v.text, '$(pulse) work 5h 62 % · wk 41 %');
    assert.match(v.tooltipMarkdown, /Claude Code's own figures\*\* \(exact\): 5\\-hour 62 % \\\(resets 16:00\\\) · weekly 41 % · weekly Opus 12 %/);
    assert.match(v.accessibilityLabel, /work: 5-hour 62 %/);
    const blocked: SessionsSnapshot = { activeAccount: work, sessions: [session({ state: 'blocked', window: 'five_hour', resetsAt: new Date('2026-11-23T13:00:00Z') })], unwatched: [] };
    assert.match(describeWatch(profiles, blocked, now, 'UTC', [], exact).text, /^\$\(watch\) /);
    assert.equal(describeWatch(profiles, idle, now, 'UTC', [], []).text, '$(account) work', 'without figures: as before');
  });
});
