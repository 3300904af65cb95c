// Reading resume decisions off real Claude Code screens: the recordings (raw bytes rendered through
// the same screen the sources keep per session) and the resume screens captured from the real CLI.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES } from '../../../support/paths';
import { menuOptionKind, STOP_LABELS } from '../../../../src/core/resume/rateLimitMenu';
import { nextResumeStep, type PlanContext, type ResumeTrigger } from '../../../../src/core/resume/resumePlanner';
import { readResumeScreen, type ResumeScreen } from '../../../../src/core/resume/resumeScreen';
import { ScreenClassifier } from '../../../../src/core/screen/screenClassifier';
import type { TimeContext } from '../../../../src/core/detection/types';

const RECORDINGS = path.join(FIXTURES, 'recordings');
const RESUME = path.join(FIXTURES, 'resume');
const CTX: TimeContext = { now: new Date('2026-11-23T13:20:00Z'), timeZone: 'America/Chicago' };

/** The recording's visible screen at its end, as a source's screen shows it. */
async function recordedScreen(name: string): Promise<{ lines: string[]; ctx: TimeContext }> {
  const meta = JSON.parse(fs.readFileSync(path.join(RECORDINGS, `${name}.json`), 'utf8')) as { cols: number; rows: number; timeZone: string; recordedAt: string };
  const screen = new ScreenClassifier({ cols: meta.cols, rows: meta.rows });
  const ctx = { now: new Date(meta.recordedAt), timeZone: meta.timeZone };
  await screen.feed(fs.readFileSync(path.join(RECORDINGS, `${name}.bin`)), ctx, true);
  const lines = screen.visibleLines();
  screen.dispose();
  return { lines, ctx };
}

function captured(name: string): string[] {
  return fs.readFileSync(path.join(RESUME, name), 'utf8').replace(/\n$/, '').split('\n');
}

const fresh = (trigger: ResumeTrigger): PlanContext => ({ trigger, typedContinue: false, submitted: false });

describe('resume: reading Claude Code screens', () => {
  it('five_hour: the limit is shown, Claude Code\'s own auto-continue is armed, the input box is empty', async () => {
    const { lines, ctx } = await recordedScreen('five_hour');
    const s = readResumeScreen(lines, ctx);
    assert.equal(s.limitShown, true);
    assert.equal(s.movedOn, false);
    assert.equal(s.autoContinue, 'Continuing automatically at 11pm · Esc to cancel');
    assert.equal(s.menu, null);
    assert.equal(s.input, '');
  });

  it('seven_day_menu: the menu with its options by number, the pointer on the first', async () => {
    const { lines, ctx } = await recordedScreen('seven_day_menu');
    const s = readResumeScreen(lines, ctx);
    assert.equal(s.limitShown, true);
    assert.deepEqual(s.menu?.options, [
      { number: 1, label: 'Stop and wait for limit to reset', kind: 'stop', selected: true },
      { number: 2, label: 'Wait here, then continue automatically at Nov 26, 6am', kind: 'auto-resume', selected: false },
    ]);
    assert.equal(s.input, null);
  });

  it('seven_day_wait: option 2 armed the auto-continue; the /rate-limit-options echo is not new conversation', async () => {
    const { lines, ctx } = await recordedScreen('seven_day_wait');
    const s = readResumeScreen(lines, ctx);
    assert.equal(s.limitShown, true);
    assert.equal(s.movedOn, false);
    assert.equal(s.autoContinue, 'Continuing automatically at Nov 25, 9:15am · Esc to cancel');
    assert.equal(s.menu, null);
  });

  it('seven_day: the menu dismissed, no auto-continue, the limit still the last thing', async () => {
    const { lines, ctx } = await recordedScreen('seven_day');
    const s = readResumeScreen(lines, ctx);
    assert.deepEqual([s.limitShown, s.autoContinue, s.menu, s.input], [true, null, null, '']);
  });

  for (const name of ['success', 'server_error', 'overloaded', 'auth', 'billing']) {
    it(`${name}: no limit on screen, so nothing to resume`, async () => {
      const { lines, ctx } = await recordedScreen(name);
      const s = readResumeScreen(lines, ctx);
      assert.equal(s.limitShown, false);
      assert.deepEqual(nextResumeStep(s, fresh('switched')), { kind: 'skip', reason: 'no-limit-on-screen' });
    });
  }

  it('a typed but unsent "continue" is in the input box, the limit still shown', () => {
    const s = readResumeScreen(captured('five_hour_continue_typed.txt'), CTX);
    assert.deepEqual([s.limitShown, s.input], [true, 'continue']);
    assert.ok(s.autoContinue !== null);
  });

  it('after Enter the conversation moved on past the limit, and the auto-continue footer is gone', () => {
    for (const file of ['five_hour_resumed.txt', 'five_hour_resumed_after_reset.txt']) {
      const s = readResumeScreen(captured(file), CTX);
      assert.deepEqual([s.limitShown, s.movedOn, s.autoContinue, s.input], [false, true, null, ''], file);
    }
  });

  it('a Pro login\'s menu lists "Upgrade your plan" as an upgrade option', () => {
    const s = readResumeScreen(captured('menu_with_upgrade.txt'), CTX);
    assert.deepEqual(
      s.menu?.options.map((o) => [o.number, o.kind, o.selected]),
      [
        [1, 'stop', true],
        [2, 'auto-resume', false],
        [3, 'upgrade', false],
      ],
    );
  });

  it('the option kinds cover every label the CLI 2.1.330 bundle has', () => {
    const fixture = JSON.parse(fs.readFileSync(path.join(RESUME, 'rate-limit-menu.json'), 'utf8')) as { options: Array<{ kind: string; labels: string[] }> };
    for (const o of fixture.options) for (const label of o.labels) assert.equal(menuOptionKind(label), o.kind, label);
    assert.deepEqual(fixture.options.find((o) => o.kind === 'stop')?.labels, [...STOP_LABELS]);
    // Near misses are not "stop".
    for (const label of ['Stop and upgrade', 'Stopwatch', 'Upgrade and stop', 'Stop and wait for limit to reset now']) assert.notEqual(menuOptionKind(label), 'stop', label);
  });
});

describe('resume: the next step', () => {
  let fiveHour: ResumeScreen;
  let menu: ResumeScreen;
  let dismissed: ResumeScreen;

  before(async () => {
    let r = await recordedScreen('five_hour');
    fiveHour = readResumeScreen(r.lines, r.ctx);
    r = await recordedScreen('seven_day_menu');
    menu = readResumeScreen(r.lines, r.ctx);
    r = await recordedScreen('seven_day');
    dismissed = readResumeScreen(r.lines, r.ctx);
  });

  it('after a switch, an armed session is typed "continue" (it resumes now; Claude Code then drops its own auto-continue)', () => {
    assert.deepEqual(nextResumeStep(fiveHour, fresh('switched')), { kind: 'send', purpose: 'type-continue', keys: [{ text: 'continue' }] });
    assert.deepEqual(nextResumeStep(fiveHour, fresh('manual')), { kind: 'send', purpose: 'type-continue', keys: [{ text: 'continue' }] });
  });

  it('when the reset passes, an armed session is left alone: Claude Code continues by itself', () => {
    assert.deepEqual(nextResumeStep(fiveHour, fresh('reset')), { kind: 'skip', reason: 'auto-continue-armed' });
  });

  it('a session without auto-continue is typed "continue" at the reset too', () => {
    assert.deepEqual(nextResumeStep(dismissed, fresh('reset')), { kind: 'send', purpose: 'type-continue', keys: [{ text: 'continue' }] });
  });

  it('"continue" typed by this resume is submitted with Enter; then nothing more is typed', () => {
    const typed = readResumeScreen(captured('five_hour_continue_typed.txt'), CTX);
    assert.deepEqual(nextResumeStep(typed, { trigger: 'switched', typedContinue: true, submitted: false }), { kind: 'send', purpose: 'submit', keys: [{ key: 'Enter' }] });
    // Before the screen shows the prompt went out: wait, never type it twice.
    assert.deepEqual(nextResumeStep(fiveHour, { trigger: 'switched', typedContinue: true, submitted: true }), { kind: 'pending' });
    const resumed = readResumeScreen(captured('five_hour_resumed.txt'), CTX);
    assert.deepEqual(nextResumeStep(resumed, { trigger: 'switched', typedContinue: true, submitted: true }), { kind: 'done' });
  });

  it('"continue" typed but not drawn yet is waited for, never typed twice', () => {
    // The screen still shows the empty input box (another part of it changed first).
    assert.equal(fiveHour.input, '');
    assert.deepEqual(nextResumeStep(fiveHour, { trigger: 'switched', typedContinue: true, submitted: false }), { kind: 'pending' });
    const partly = { ...fiveHour, input: 'cont' };
    assert.deepEqual(nextResumeStep(partly, { trigger: 'switched', typedContinue: true, submitted: false }), { kind: 'pending' });
    // Anything else in the box is not ours to submit.
    const other = { ...fiveHour, input: 'continue please' };
    assert.deepEqual(nextResumeStep(other, { trigger: 'switched', typedContinue: true, submitted: false }), { kind: 'skip', reason: 'input-not-empty' });
  });

  it('in a short terminal the limit scrolls out of view once the prompt went out: that counts as resumed', () => {
    const scrolled = readResumeScreen(captured('terminal_resumed_scrolled.txt'), CTX);
    assert.equal(scrolled.limitShown, false);
    assert.deepEqual(nextResumeStep(scrolled, { trigger: 'switched', typedContinue: true, submitted: true }), { kind: 'done' });
    // Not submitted by this resume: a screen without the limit is simply nothing to resume.
    assert.deepEqual(nextResumeStep(scrolled, fresh('switched')), { kind: 'skip', reason: 'no-limit-on-screen' });
  });

  it('text the user is typing is never added to', () => {
    const typed = readResumeScreen(captured('five_hour_continue_typed.txt'), CTX);
    // The same "continue", but not typed by this resume: the user's draft.
    assert.deepEqual(nextResumeStep(typed, fresh('switched')), { kind: 'skip', reason: 'input-not-empty' });
    assert.deepEqual(nextResumeStep({ ...fiveHour, input: 'fix the tests' }, fresh('switched')), { kind: 'skip', reason: 'input-not-empty' });
  });

  it('the menu is answered with the "Stop" option\'s number as shown; Enter only if the menu stays open on it', () => {
    // The pointer is on "Stop" already, yet the number is typed: it chooses at once.
    assert.deepEqual(nextResumeStep(menu, fresh('switched')), { kind: 'send', purpose: 'choose-stop', keys: [{ text: '1' }] });
    assert.deepEqual(nextResumeStep(menu, { ...fresh('switched'), choseStop: true }), { kind: 'send', purpose: 'confirm-stop', keys: [{ key: 'Enter' }] });
    // After the number, the real CLI closed the menu: the input box is back, empty, the limit still the last thing.
    const chosen = readResumeScreen(captured('menu_stop_chosen.txt'), CTX);
    assert.deepEqual([chosen.menu, chosen.limitShown, chosen.input, chosen.autoContinue], [null, true, '', null]);
    assert.deepEqual(nextResumeStep(chosen, { ...fresh('switched'), choseStop: true }), { kind: 'send', purpose: 'type-continue', keys: [{ text: 'continue' }] });
    const upgrade = readResumeScreen(captured('menu_with_upgrade.txt'), CTX);
    const moved = { ...upgrade, menu: { options: upgrade.menu!.options.map((o) => ({ ...o, selected: o.kind === 'upgrade' })) } };
    // The pointer on "Upgrade": never Enter, the number of "Stop" instead.
    assert.deepEqual(nextResumeStep(moved, fresh('switched')), { kind: 'send', purpose: 'choose-stop', keys: [{ text: '1' }] });
  });

  it('never chooses Upgrade, whatever the order, numbering and pointer', () => {
    const kinds = ['upgrade', 'extra-usage', 'stop', 'auto-resume', 'cancel-auto-resume', 'other'] as const;
    const labels: Record<(typeof kinds)[number], string> = {
      upgrade: 'Upgrade your plan',
      'extra-usage': 'Add funds to continue with usage credits',
      stop: 'Stop and wait for limit to reset',
      'auto-resume': 'Wait here, then continue automatically at 11pm',
      'cancel-auto-resume': 'Don’t continue automatically',
      other: 'Something new',
    };
    // Every order of every subset of options, the pointer on each, numbered from 1.
    let checked = 0;
    const permutations = (xs: readonly string[]): string[][] => (xs.length <= 1 ? [[...xs]] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
    for (let mask = 1; mask < 1 << kinds.length; mask++) {
      const subset = kinds.filter((_, i) => (mask & (1 << i)) !== 0);
      for (const order of permutations(subset)) {
        for (let pointer = 0; pointer < order.length; pointer++) {
          const options = order.map((k, i) => ({ number: i + 1, label: labels[k as (typeof kinds)[number]], kind: menuOptionKind(labels[k as (typeof kinds)[number]]), selected: i === pointer }));
          const stop = options.find((o) => o.kind === 'stop');
          for (const choseStop of [false, true]) {
            const step = nextResumeStep({ limitShown: true, movedOn: false, autoContinue: null, menu: { options }, input: null }, { ...fresh('switched'), choseStop });
            if (stop === undefined) {
              assert.deepEqual(step, { kind: 'skip', reason: 'menu-without-stop' });
            } else if (choseStop && stop.selected) {
              assert.deepEqual(step, { kind: 'send', purpose: 'confirm-stop', keys: [{ key: 'Enter' }] });
            } else {
              assert.deepEqual(step, { kind: 'send', purpose: 'choose-stop', keys: [{ text: String(stop.number) }] });
            }
            checked++;
          }
        }
      }
    }
    assert.ok(checked > 5000, `${checked} menus`);
  });

  it('a screen with neither an input box nor a menu is not typed into', () => {
    assert.deepEqual(nextResumeStep({ ...dismissed, input: null }, fresh('switched')), { kind: 'skip', reason: 'screen-unknown' });
  });
});
