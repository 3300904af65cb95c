// The options of Claude Code's usage-limit menu ("What do you want to do?", also opened by
// /rate-limit-options), as the CLI 2.1.330 labels them. Resuming answers the menu only by choosing
// the option that stops and waits; every other option is named here so that it is recognised and
// never chosen by accident. test/fixtures/claude-code/rate-limit-menu.json holds the same texts as
// found in the CLI's bundle, and an end-to-end test checks them against the installed CLI.

/** What choosing an option does, by the CLI's own option values. */
export type MenuOptionKind =
  /** value "cancel": close the menu, do nothing else. The only option resuming ever chooses. */
  | 'stop'
  /** value "auto-resume": arm Claude Code's own auto-continue. */
  | 'auto-resume'
  /** value "cancel-auto-resume": disarm it. */
  | 'cancel-auto-resume'
  /** value "extra-usage": pay for usage credits, or ask an admin. */
  | 'extra-usage'
  /** value "upgrade": opens the plan upgrade. Never chosen. */
  | 'upgrade'
  /** Anything else (experiments, new versions): never chosen. */
  | 'other';

export const MENU_TITLE = 'What do you want to do?';

/** Exact labels of the "cancel" option: "Stop" for usage-based billing, the long form otherwise. */
export const STOP_LABELS: readonly string[] = ['Stop and wait for limit to reset', 'Stop'];

const PATTERNS: ReadonlyArray<readonly [MenuOptionKind, RegExp]> = [
  ['stop', new RegExp(`^(?:${STOP_LABELS.map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`)],
  ['auto-resume', /^Wait here, then continue automatically\b/],
  ['cancel-auto-resume', /^Don[’']t continue automatically$/],
  ['extra-usage', /^(?:Add funds to continue with usage(?: credits)?|Switch to usage(?: credits)?|Ask your admin for more usage)\b/],
  ['upgrade', /^Upgrade\b/i],
];

/** The kind of an option by its label as shown (without the number and pointer). */
export function menuOptionKind(label: string): MenuOptionKind {
  const text = label.trim();
  for (const [kind, re] of PATTERNS) if (re.test(text)) return kind;
  return 'other';
}
