// Decides the next keys that resume a session stalled by a usage limit, one step at a time: the
// caller sends them, waits for the screen to change, reads it again and asks for the next step.
// Every step is decided on the screen as it is now, so nothing relies on where an option used to be.
//
// What typing "continue" does (observed with the real CLI 2.1.330 in tmux against the mock API):
// while Claude Code's own auto-continue is armed ("Continuing automatically at … · Esc to cancel"),
// "continue" + Enter is submitted at once as a normal prompt (with the login that is current then:
// after a switch, the new account's token), the footer disappears, and when the reset time passes
// auto-continue does not fire a second request. So after an account switch an armed session is
// resumed by typing (it resumes now, once); when the reset passes it is left alone, because Claude
// Code continues by itself and a typed "continue" would only race it.
import type { ResumeScreen } from './resumeScreen';

export const CONTINUE_TEXT = 'continue';

/** Why a resume was asked for. */
export type ResumeTrigger =
  /** The active account changed (a manual or automatic switch) while the session was blocked. */
  | 'switched'
  /** The limit's reset time passed, or Claude Code said the limit reset. */
  | 'reset'
  /** The Resume Blocked Sessions command. */
  | 'manual';

/** One input to the terminal: literal text (typed, never interpreted as key names) or the Enter key. */
export type KeyInput = { readonly text: string } | { readonly key: 'Enter' };

export type SkipReason =
  /** The screen shows no limit message (any more): nothing to resume. */
  | 'no-limit-on-screen'
  /** Claude Code's own auto-continue is armed and the reset passed: it continues by itself. */
  | 'auto-continue-armed'
  /** The user is typing in the input box: typing into it would mix with their text. */
  | 'input-not-empty'
  /** Neither an input box nor the menu is recognisable. */
  | 'screen-unknown'
  /** The menu is open but has no "Stop" option to choose; no other option is ever chosen. */
  | 'menu-without-stop';

export type ResumeStep =
  /** The session went on after the limit: resumed. */
  | { readonly kind: 'done' }
  /** Submitted, and the screen has not moved on yet: look again later (the caller bounds the wait). */
  | { readonly kind: 'pending' }
  | { readonly kind: 'skip'; readonly reason: SkipReason }
  | { readonly kind: 'send'; readonly purpose: 'choose-stop' | 'confirm-stop' | 'type-continue' | 'submit'; readonly keys: readonly KeyInput[] };

export interface PlanContext {
  readonly trigger: ResumeTrigger;
  /** This resume typed "continue" already (then the input box holding exactly it is ours to submit). */
  readonly typedContinue: boolean;
  /** This resume submitted already: a screen that moved on since is the sign it worked. */
  readonly submitted: boolean;
  /** This resume typed the number of the menu's "Stop" option already. */
  readonly choseStop?: boolean;
}

export function nextResumeStep(screen: ResumeScreen, ctx: PlanContext): ResumeStep {
  // Once submitted, nothing more is typed in this attempt: a second "continue" would be a duplicate prompt.
  // The limit message stops being the last thing once the prompt went out (in a short terminal it may
  // scroll out of view at once); it stays while Claude Code has not taken the prompt, or hit a limit again.
  if (ctx.submitted) return screen.limitShown ? { kind: 'pending' } : { kind: 'done' };
  if (screen.menu !== null) {
    // Only ever the option that stops and waits, by its number as read now (Upgrade may come first).
    const stop = screen.menu.options.find((o) => o.kind === 'stop');
    if (stop === undefined) return { kind: 'skip', reason: 'menu-without-stop' };
    // Typing the number chooses at once in 2.1.330; should the menu stay open with the pointer on it, Enter confirms.
    if (ctx.choseStop === true && stop.selected) return { kind: 'send', purpose: 'confirm-stop', keys: [{ key: 'Enter' }] };
    return { kind: 'send', purpose: 'choose-stop', keys: [{ text: String(stop.number) }] };
  }
  if (!screen.limitShown) return { kind: 'skip', reason: 'no-limit-on-screen' };
  if (screen.input === null) return { kind: 'skip', reason: 'screen-unknown' };
  if (screen.autoContinue !== null && ctx.trigger === 'reset' && !ctx.typedContinue) return { kind: 'skip', reason: 'auto-continue-armed' };
  if (ctx.typedContinue) {
    if (screen.input === CONTINUE_TEXT) return { kind: 'send', purpose: 'submit', keys: [{ key: 'Enter' }] };
    // Typed, not drawn yet (the screen changed for another reason, e.g. the footer): wait, never type it twice.
    if (CONTINUE_TEXT.startsWith(screen.input)) return { kind: 'pending' };
    return { kind: 'skip', reason: 'input-not-empty' };
  }
  if (screen.input !== '') return { kind: 'skip', reason: 'input-not-empty' };
  // Text and Enter go separately: Enter only once the text shows, so it is not taken as part of a paste.
  return { kind: 'send', purpose: 'type-continue', keys: [{ text: CONTINUE_TEXT }] };
}
