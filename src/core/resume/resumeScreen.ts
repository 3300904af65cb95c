// Reads what a Claude Code screen says about resuming: is the usage limit still the last thing
// that happened, is Claude Code's own auto-continue armed, is the usage-limit menu open (and which
// option is where), and what the input box holds. Input: the screen's visible logical lines
// (TerminalScreen.visibleLines()), as the sources keep one screen per session.
import { classify } from '../detection/classifier';
import type { TimeContext } from '../detection/types';
import { MENU_TITLE, menuOptionKind, type MenuOptionKind } from './rateLimitMenu';

export interface MenuOption {
  /** The number shown before the label; choosing it means typing this number. */
  readonly number: number;
  readonly label: string;
  readonly kind: MenuOptionKind;
  /** The option the menu's pointer (❯) is on: Enter chooses it. */
  readonly selected: boolean;
}

export interface ResumeScreen {
  /** A usage-limit message is on screen and nothing happened in the conversation after it. */
  readonly limitShown: boolean;
  /** The conversation went on after the last limit message (a new prompt was submitted, or answered). */
  readonly movedOn: boolean;
  /** Claude Code's footer "Continuing automatically at … · Esc to cancel" (its own auto-continue is armed). */
  readonly autoContinue: string | null;
  /** The open usage-limit menu, or null. */
  readonly menu: { readonly options: readonly MenuOption[] } | null;
  /** Text of the input box (between its two rules), or null when no input box is visible. */
  readonly input: string | null;
}

const RULE = /^─{8,}$/;
/** A submitted prompt in the conversation (the input box's rows are excluded by position). */
const PROMPT = /^❯[\s\u00a0]/;
const OPTION = /^\s*(❯\s*)?(\d{1,2})\.\s+(.+?)\s*$/;
const MENU_END = /^\s*Enter to confirm\b/;
const AUTO_CONTINUE = /^\s*Continuing (?:automatically (?:at .+|when (?:it|the limit) resets)|shortly) [·∙•-] Esc to cancel\s*$/;
/** Lines after a limit message that are part of the limit state, not new conversation. */
const LIMIT_AFTERMATH = /^(?:● Usage limit reached(?: again)? [·∙•-] |❯ \/rate-limit-options$|⎿\s+Claude Code will continue automatically\b)/;
const ASSISTANT_OR_DONE = /^[●✻⏺]\s/;

function clean(s: string): string {
  return s.replace(/[\s\u00a0]+$/u, '').replace(/^[\s\u00a0]+/u, '');
}

/** The input box: a prompt row with a rule right above and right below it (the lowest such). */
function findInputBox(lines: readonly string[]): { index: number; text: string } | null {
  for (let i = lines.length - 2; i >= 1; i--) {
    if (!RULE.test(clean(lines[i - 1])) || !RULE.test(clean(lines[i + 1]))) continue;
    const row = clean(lines[i]);
    if (row.startsWith('❯')) return { index: i, text: clean(row.slice(1)) };
  }
  return null;
}

function findMenu(lines: readonly string[]): { index: number; options: MenuOption[] } | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (clean(lines[i]) !== MENU_TITLE) continue;
    const options: MenuOption[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j];
      if (MENU_END.test(line)) break;
      const m = OPTION.exec(line);
      if (m === null) continue;
      options.push({ number: Number(m[2]), label: m[3], kind: menuOptionKind(m[3]), selected: m[1] !== undefined });
    }
    return { index: i, options };
  }
  return null;
}

export function readResumeScreen(lines: readonly string[], ctx: TimeContext): ResumeScreen {
  const box = findInputBox(lines);
  const menu = findMenu(lines);
  // The conversation ends where the input box (or the menu, which replaces it) begins.
  const end = Math.min(box?.index ?? lines.length, menu?.index ?? lines.length);
  let lastLimit = -1;
  for (let i = 0; i < end; i++) {
    const line = lines[i];
    if (line.trim() === '' || LIMIT_AFTERMATH.test(clean(line))) continue;
    if (classify([line], ctx).verdict === 'quota') lastLimit = i;
  }
  let movedOn = false;
  if (lastLimit >= 0) {
    for (let i = lastLimit + 1; i < end; i++) {
      const text = clean(lines[i]);
      if (text === '' || RULE.test(text) || LIMIT_AFTERMATH.test(text)) continue;
      // A submitted prompt, an answer, or a "done" line: the session went on after the limit.
      if (PROMPT.test(text) || ASSISTANT_OR_DONE.test(text)) {
        movedOn = true;
        break;
      }
    }
  }
  let autoContinue: string | null = null;
  for (let i = box?.index ?? 0; i < lines.length; i++) {
    if (AUTO_CONTINUE.test(lines[i])) autoContinue = clean(lines[i]);
  }
  return {
    limitShown: lastLimit >= 0 && !movedOn,
    movedOn,
    autoContinue: box === null ? null : autoContinue,
    menu: menu === null ? null : { options: menu.options },
    input: box?.text ?? null,
  };
}
