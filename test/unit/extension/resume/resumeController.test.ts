// The resume controller against a scripted session: its screens are the real Claude Code screens
// (recordings and captures), and typing moves it to the screen the real CLI showed next.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES } from '../../../support/paths';
import type { AccountRef, DetectorEvent, SessionState } from '../../../../src/core/detection/detector';
import { backoffDelayMs, resumeStatusText } from '../../../../src/core/resume/resumeAttempts';
import type { KeyInput } from '../../../../src/core/resume/resumePlanner';
import { ScreenClassifier } from '../../../../src/core/screen/screenClassifier';
import type { Settings } from '../../../../src/extension/settings';
import { DEFAULTS } from '../../../../src/extension/settings';
import { ResumeController, type ResumeTarget } from '../../../../src/extension/resume/resumeController';
import { Emitter } from '../../../../src/core/base/event';
import type { SessionsSnapshot, WatchedSession } from '../../../../src/extension/sessions/sessionsController';

const FIRST: AccountRef = { id: 'a', label: 'first' };
const SECOND: AccountRef = { id: 'b', label: 'second' };
const ID = 'tmux:%1';

async function recorded(name: string): Promise<string[]> {
  const dir = path.join(FIXTURES, 'recordings');
  const meta = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as { cols: number; rows: number; timeZone: string; recordedAt: string };
  const screen = new ScreenClassifier({ cols: meta.cols, rows: meta.rows });
  await screen.feed(fs.readFileSync(path.join(dir, `${name}.bin`)), { now: new Date(meta.recordedAt), timeZone: meta.timeZone }, true);
  const lines = screen.visibleLines();
  screen.dispose();
  return lines;
}

function captured(name: string): string[] {
  return fs.readFileSync(path.join(FIXTURES, 'resume', name), 'utf8').replace(/\n$/, '').split('\n');
}

/** The empty input box of a screen with `text` typed into it. */
function withInput(lines: readonly string[], text: string): string[] {
  const rule = (k: number): boolean => /^─{8,}$/.test((lines[k] ?? '').trim());
  let box = -1;
  for (let k = 1; k < lines.length - 1; k++) if (lines[k].startsWith('❯') && rule(k - 1) && rule(k + 1)) box = k;
  assert.ok(box > 0, 'no input box');
  return lines.map((l, k) => (k === box ? `❯ ${text}` : l));
}

/** A Claude Code session that reacts to keys like the real one did; `frozen` ignores every key. */
class ScriptedSession implements ResumeTarget {
  screen: string[];
  readonly sent: KeyInput[] = [];
  runs = true;
  frozen = false;

  constructor(
    start: string[],
    private readonly react: (screen: string[], input: KeyInput) => string[] | undefined,
  ) {
    this.screen = start;
  }

  screenLines(): readonly string[] | undefined {
    return this.screen;
  }

  sessionRunsClaude(): Promise<boolean> {
    return Promise.resolve(this.runs);
  }

  sendInput(_id: string, input: KeyInput): Promise<boolean> {
    this.sent.push(input);
    if (!this.frozen) this.screen = this.react(this.screen, input) ?? this.screen;
    return Promise.resolve(true);
  }
}

class FakeSessions {
  readonly events = new Emitter<DetectorEvent>();
  readonly onDetectorEvent = this.events.event;
  state: SessionState = 'ok';
  snapshot(): SessionsSnapshot {
    const s: WatchedSession = {
      id: ID,
      kind: 'tmux',
      where: 'work:1.0',
      account: FIRST,
      state: this.state,
      window: 'five_hour',
      resetsAt: null,
      resetEstimated: false,
      since: null,
      evidenceSources: ['tmux'],
      lastError: null,
    };
    return { activeAccount: SECOND, sessions: [s], unwatched: [] };
  }
  block(): void {
    this.state = 'blocked';
    this.events.fire({ type: 'blocked', sessionId: ID, account: FIRST, at: new Date(), window: 'five_hour', resetsAt: new Date(Date.now() + 3600_000), resetEstimated: false, evidence: [] });
  }
  clear(reason: 'switched' | 'reset-passed' | 'activity'): void {
    this.state = 'cleared';
    this.events.fire({ type: 'cleared', sessionId: ID, account: reason === 'switched' ? SECOND : FIRST, at: new Date(), reason, blockedAccount: FIRST, window: 'five_hour' });
  }
}

function settings(over: Partial<Settings> = {}): <K extends keyof Settings>(key: K) => Settings[K] {
  return (key) => ({ ...DEFAULTS, ...over })[key];
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), what);
}

describe('resume attempts', () => {
  it('backs off exponentially between attempts, capped, and not before the first', () => {
    const policy = { backoffBaseMs: 10_000, backoffMaxMs: 60_000 };
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, policy)), [0, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it('words the status with its time, and the attempt when it is a retry', () => {
    const at = new Date('2026-11-23T15:40:00Z');
    const clock = (d: Date): string => d.toISOString().slice(11, 16);
    assert.equal(resumeStatusText({ kind: 'resumed', trigger: 'switched', attempt: 1, at, detail: null }, clock), 'resumed 15:40');
    assert.equal(resumeStatusText({ kind: 'resuming', trigger: 'reset', attempt: 2, at, detail: null }, clock), 'resuming (attempt 2) 15:40');
    assert.equal(resumeStatusText({ kind: 'resume failed', trigger: 'manual', attempt: 3, at, detail: 'x' }, clock), 'resume failed 15:40');
  });
});

describe('resume controller', () => {
  let fiveHour: string[];
  let menu: string[];
  const controllers: ResumeController[] = [];

  before(async () => {
    fiveHour = await recorded('five_hour');
    menu = await recorded('seven_day_menu');
  });

  afterEach(() => {
    for (const c of controllers.splice(0)) c.dispose();
  });

  function make(target: ResumeTarget, sessions: FakeSessions, over: Partial<Settings> = {}): ResumeController {
    const c = new ResumeController({
      sessions,
      targetFor: (id) => (id === ID ? target : undefined),
      read: settings(over),
      policy: { stepTimeoutMs: 150, backoffBaseMs: 5, backoffMaxMs: 20, switchSettleMs: 0 },
      pollMs: 5,
    });
    controllers.push(c);
    return c;
  }

  /** The five_hour session: "continue" goes into the input box, Enter sends it and the answer follows. */
  const fiveHourScript = (screen: string[], input: KeyInput): string[] | undefined => {
    if ('text' in input && input.text === 'continue') return withInput(screen, 'continue');
    if ('key' in input && screen.some((l) => l === '❯ continue')) return captured('five_hour_resumed.txt');
    return undefined;
  };

  it('after a switch, types "continue" then Enter into a session it saw blocked, once, and shows it resumed', async () => {
    const sessions = new FakeSessions();
    const target = new ScriptedSession(fiveHour, fiveHourScript);
    const c = make(target, sessions);
    sessions.block();
    sessions.clear('switched');
    await until('resumed', () => c.status(ID)?.kind === 'resumed');
    assert.deepEqual(target.sent, [{ text: 'continue' }, { key: 'Enter' }]);
    assert.deepEqual(c.typed().map((t) => [t.sessionId, t.purpose]), [
      [ID, 'type-continue'],
      [ID, 'submit'],
    ]);
    const status = c.status(ID)!;
    assert.deepEqual([status.trigger, status.attempt, status.detail], ['switched', 1, null]);
    // A later reset of the same (resumed) session types nothing more.
    sessions.clear('reset-passed');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(target.sent.length, 2);
  });

  it('types "continue" once when the screen changes elsewhere before the typed text shows', async () => {
    const sessions = new FakeSessions();
    // As a busy terminal does: a redraw of another row first, the typed text a moment later.
    const lagging = (screen: string[], input: KeyInput): string[] | undefined => {
      if ('text' in input && input.text === 'continue') {
        setTimeout(() => (target.screen = withInput(target.screen, 'continue')), 30);
        return [`${screen[0]} `, ...screen.slice(1)];
      }
      return fiveHourScript(screen, input);
    };
    const target = new ScriptedSession(fiveHour, lagging);
    const c = make(target, sessions);
    sessions.block();
    sessions.clear('switched');
    await until('resumed', () => c.status(ID)?.kind === 'resumed');
    assert.deepEqual(target.sent, [{ text: 'continue' }, { key: 'Enter' }]);
  });

  it('at the reset, leaves a session alone whose own auto-continue is armed', async () => {
    const sessions = new FakeSessions();
    const target = new ScriptedSession(fiveHour, fiveHourScript);
    const c = make(target, sessions);
    sessions.block();
    sessions.clear('reset-passed');
    await until('left alone', () => c.status(ID)?.kind === 'left alone');
    assert.deepEqual(target.sent, []);
    assert.equal(c.status(ID)?.detail, 'Claude Code continues by itself');
  });

  it('never types into a session it did not see blocked', async () => {
    const sessions = new FakeSessions();
    const target = new ScriptedSession(fiveHour, fiveHourScript);
    const c = make(target, sessions);
    sessions.clear('switched');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(target.sent, []);
    assert.equal(c.status(ID), undefined);
    assert.deepEqual(c.resumeBlocked(), { started: 0, stillBlocked: 0 });
  });

  it('answers the weekly menu with the number of "Stop and wait", then types "continue"', async () => {
    const sessions = new FakeSessions();
    const chosen = captured('menu_stop_chosen.txt');
    const target = new ScriptedSession(menu, (screen, input) => {
      if ('text' in input && input.text === '1' && screen === menu) return chosen;
      return fiveHourScript(screen, input);
    });
    const c = make(target, sessions);
    sessions.block();
    sessions.clear('switched');
    await until('resumed', () => c.status(ID)?.kind === 'resumed');
    assert.deepEqual(target.sent, [{ text: '1' }, { text: 'continue' }, { key: 'Enter' }]);
  });

  it('with automatic resume off, waits for the command; the command does not type into a session still blocked', async () => {
    const sessions = new FakeSessions();
    const target = new ScriptedSession(fiveHour, fiveHourScript);
    const c = make(target, sessions, { 'resume.automatic': false });
    sessions.block();
    assert.deepEqual(c.resumeBlocked(), { started: 0, stillBlocked: 1 });
    sessions.clear('switched');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(target.sent, []);
    assert.deepEqual(c.resumeBlocked(), { started: 1, stillBlocked: 0 });
    await until('resumed', () => c.status(ID)?.kind === 'resumed');
    assert.equal(c.status(ID)?.trigger, 'manual');
    assert.deepEqual(target.sent, [{ text: 'continue' }, { key: 'Enter' }]);
  });

  it('gives up after the configured attempts when the screen never reacts, and says so', async () => {
    const sessions = new FakeSessions();
    const target = new ScriptedSession(fiveHour, fiveHourScript);
    target.frozen = true;
    const c = make(target, sessions, { 'resume.maxAttempts': 2 });
    const kinds: string[] = [];
    c.onDidChange(() => kinds.push(`${c.status(ID)?.kind ?? ''}#${c.status(ID)?.attempt ?? 0}`));
    sessions.block();
    sessions.clear('switched');
    await until('failed', () => c.status(ID)?.kind === 'resume failed');
    assert.deepEqual(kinds, ['resuming#1', 'resuming#2', 'resume failed#2']);
    // One "continue" per attempt, never an Enter into a screen that did not show it.
    assert.deepEqual(target.sent, [{ text: 'continue' }, { text: 'continue' }]);
    assert.match(c.status(ID)?.detail ?? '', /did not react/);
  });

  it('does not type when Claude Code no longer runs in the pane', async () => {
    const sessions = new FakeSessions();
    const target = new ScriptedSession(fiveHour, fiveHourScript);
    target.runs = false;
    const c = make(target, sessions);
    sessions.block();
    sessions.clear('switched');
    await until('failed', () => c.status(ID)?.kind === 'resume failed');
    assert.deepEqual(target.sent, []);
    assert.equal(c.status(ID)?.detail, 'Claude Code no longer runs there');
  });

  it('does not type while the user has text in the input box', async () => {
    const sessions = new FakeSessions();
    const target = new ScriptedSession(withInput(fiveHour, 'refactor the parser'), fiveHourScript);
    const c = make(target, sessions, { 'resume.maxAttempts': 1 });
    sessions.block();
    sessions.clear('switched');
    await until('failed', () => c.status(ID)?.kind === 'resume failed');
    assert.deepEqual(target.sent, []);
    assert.equal(c.status(ID)?.detail, 'text is being typed in the input box');
  });

  it('a new block while resuming stops the resume and marks it failed', async () => {
    const sessions = new FakeSessions();
    const target = new ScriptedSession(fiveHour, (screen, input) => {
      // The resumed request hits the limit again: the screen keeps showing it.
      if ('key' in input) {
        sessions.block();
        return undefined;
      }
      return fiveHourScript(screen, input);
    });
    const c = make(target, sessions);
    sessions.block();
    sessions.clear('switched');
    await until('failed', () => c.status(ID)?.kind === 'resume failed');
    assert.equal(c.status(ID)?.detail, 'the limit was reached again');
    await until('run over', () => !c.isResuming(ID));
    assert.deepEqual(target.sent, [{ text: 'continue' }, { key: 'Enter' }]);
  });
});
