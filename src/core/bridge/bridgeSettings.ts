// The edits the bridge makes to Claude Code's user settings, as pure text → text functions: our
// statusLine command in place of the user's (which the shim still runs), and our hook groups
// beside the user's. Every other byte of the file is kept (jsonc-parser's modify/applyEdits edit
// spans instead of re-serialising), and a result is parsed back and checked before it is returned.
import { applyEdits, findNodeAtLocation, modify, parse, parseTree, type FormattingOptions, type ParseError } from 'jsonc-parser';

/** Hook events the bridge listens to: a failed turn (limits), and a session's start (where it runs). */
export const BRIDGE_HOOK_EVENTS = ['StopFailure', 'SessionStart'] as const;
export type BridgeHookEvent = (typeof BRIDGE_HOOK_EVENTS)[number];

/** The commands Claude Code will run: the shims in the quota home (stable across updates). */
export interface BridgeCommands {
  readonly statusLine: string;
  readonly hook: (event: BridgeHookEvent) => string;
}

/** What install found, for uninstall to put back. */
export interface InstallRecord {
  /** The user's own statusLine setting (any shape Claude Code accepts), or null when there was none. */
  readonly userStatusLine: unknown;
  /** Which hook events had no entry at all before, so uninstall removes the keys it created. */
  readonly createdHookEvents: readonly string[];
  readonly createdHooksKey: boolean;
  /** The original text of the values install replaced or extended, to splice back unchanged. */
  readonly spans: { readonly statusLine: string | null; readonly hooks: Readonly<Record<string, string>> };
}

export class SettingsEditError extends Error {}

type Settings = Record<string, unknown>;

/** Parses settings text as Claude Code tolerates it (BOM, comments, trailing commas); throws on anything else. */
export function parseSettings(text: string, file: string): Settings {
  if (text.trim() === '') return {};
  const errors: ParseError[] = [];
  const value: unknown = parse(stripBom(text), errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SettingsEditError(`${file} is not a JSON object Claude Code can read; nothing was changed (fix it, then try again)`);
  }
  return value as Settings;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function formattingOf(text: string): FormattingOptions {
  const m = /\n([ \t]+)["}\]]/.exec(text);
  const unit = m?.[1] ?? '  ';
  return unit.startsWith('\t') ? { insertSpaces: false, tabSize: 1, eol: eolOf(text) } : { insertSpaces: true, tabSize: unit.length, eol: eolOf(text) };
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function edit(text: string, path: (string | number)[], value: unknown, insertion = false): string {
  // An empty file has nothing to splice into: start it as Claude Code would have.
  const base = text.trim() === '' ? '{}\n' : text;
  const bom = base.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
  const body = stripBom(base);
  // A removal is not formatted: formatting its range would re-indent the neighbouring values.
  const formattingOptions = value === undefined ? undefined : formattingOf(body);
  return bom + applyEdits(body, modify(body, path, value, { formattingOptions, isArrayInsertion: insertion }));
}

/** The source text of the value at `path`, or null when there is none. */
function spanOf(text: string, path: (string | number)[]): string | null {
  const root = parseTree(stripBom(text), [], { allowTrailingComma: true, disallowComments: false });
  const node = root === undefined ? undefined : findNodeAtLocation(root, path);
  return node === undefined ? null : stripBom(text).slice(node.offset, node.offset + node.length);
}

/** `text` with the value at `path` replaced by `valueText`, verbatim. */
function splice(text: string, path: (string | number)[], valueText: string): string {
  const bom = text.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
  const body = stripBom(text);
  const root = parseTree(body, [], { allowTrailingComma: true, disallowComments: false });
  const node = root === undefined ? undefined : findNodeAtLocation(root, path);
  if (node === undefined) return text;
  return bom + body.slice(0, node.offset) + valueText + body.slice(node.offset + node.length);
}

function isOurs(group: unknown, ours: readonly string[]): boolean {
  const hooks = (group as { hooks?: unknown } | null)?.hooks;
  return Array.isArray(hooks) && hooks.some((h) => ours.includes((h as { command?: unknown } | null)?.command as string));
}

function hookGroups(settings: Settings, event: string): unknown[] | undefined {
  const hooks = settings['hooks'];
  if (hooks === null || typeof hooks !== 'object' || Array.isArray(hooks)) return undefined;
  const groups = (hooks as Record<string, unknown>)[event];
  return Array.isArray(groups) ? groups : undefined;
}

function statusLineCommand(value: unknown): string | null {
  const command = (value as { command?: unknown } | null)?.command;
  return typeof command === 'string' ? command : null;
}

/** Whether the settings already carry the bridge's statusLine command. */
export function hasBridgeStatusLine(settings: Settings, commands: BridgeCommands): boolean {
  return statusLineCommand(settings['statusLine']) === commands.statusLine;
}

/** The settings text with the bridge installed, and what uninstall needs. Installing twice changes nothing. */
export function installBridge(text: string, file: string, commands: BridgeCommands): { text: string; record: InstallRecord | null } {
  const before = parseSettings(text, file);
  if (hasBridgeStatusLine(before, commands)) return { text, record: null };
  const hooksValue = before['hooks'];
  if (hooksValue !== undefined && (hooksValue === null || typeof hooksValue !== 'object' || Array.isArray(hooksValue))) {
    throw new SettingsEditError(`"hooks" in ${file} is not an object; nothing was changed`);
  }
  const userStatusLine = before['statusLine'] ?? null;
  const statusLine = userStatusLine !== null && typeof userStatusLine === 'object' && !Array.isArray(userStatusLine)
    ? { ...(userStatusLine as Settings), type: 'command', command: commands.statusLine } // padding and such stay
    : { type: 'command', command: commands.statusLine };
  let out = edit(text, ['statusLine'], statusLine);
  const createdHookEvents: string[] = [];
  for (const event of BRIDGE_HOOK_EVENTS) {
    const group = { hooks: [{ type: 'command', command: commands.hook(event) }] };
    const groups = hookGroups(before, event);
    if (groups === undefined) {
      createdHookEvents.push(event);
      out = edit(out, ['hooks', event], [group]);
    } else {
      out = edit(out, ['hooks', event, groups.length], group, true);
    }
  }
  const spans = { statusLine: spanOf(text, ['statusLine']), hooks: {} as Record<string, string> };
  for (const event of BRIDGE_HOOK_EVENTS) {
    const span = spanOf(text, ['hooks', event]);
    if (span !== null) spans.hooks[event] = span;
  }
  const record: InstallRecord = { userStatusLine, createdHookEvents, createdHooksKey: hooksValue === undefined, spans };
  check(before, parseSettings(out, file), commands, file);
  return { text: out, record };
}

/**
 * The settings text with the bridge removed: the user's statusLine back, our hook groups gone, the
 * keys install created removed. Whatever the user changed since is kept.
 */
export function uninstallBridge(text: string, file: string, commands: BridgeCommands, record: InstallRecord): string {
  const current = parseSettings(text, file);
  let out = text;
  if (hasBridgeStatusLine(current, commands)) {
    out = record.spans.statusLine !== null ? splice(out, ['statusLine'], record.spans.statusLine) : edit(out, ['statusLine'], record.userStatusLine ?? undefined);
  }
  const ours = BRIDGE_HOOK_EVENTS.map((e) => commands.hook(e));
  for (const event of Object.keys((current['hooks'] as Settings | undefined) ?? {})) {
    const groups = hookGroups(parseSettings(out, file), event);
    if (groups === undefined) continue;
    const original = record.spans.hooks[event];
    // The user's groups as install found them: their own text goes back, formatting and all.
    if (original !== undefined && JSON.stringify(groups.filter((g) => !isOurs(g, ours))) === JSON.stringify(parse(original))) {
      out = splice(out, ['hooks', event], original);
      continue;
    }
    for (let i = groups.length - 1; i >= 0; i--) if (isOurs(groups[i], ours)) out = edit(out, ['hooks', event, i], undefined);
    const left = hookGroups(parseSettings(out, file), event);
    if (left !== undefined && left.length === 0 && record.createdHookEvents.includes(event)) out = edit(out, ['hooks', event], undefined);
  }
  const hooks = parseSettings(out, file)['hooks'];
  if (record.createdHooksKey && hooks !== null && typeof hooks === 'object' && Object.keys(hooks).length === 0) out = edit(out, ['hooks'], undefined);
  const after = parseSettings(out, file);
  if (hasBridgeStatusLine(after, commands) || BRIDGE_HOOK_EVENTS.some((e) => (hookGroups(after, e) ?? []).some((g) => isOurs(g, ours)))) {
    throw new SettingsEditError(`could not remove the bridge from ${file}; nothing was changed`);
  }
  return out;
}

/** An install result must differ from the input only in statusLine and the bridge's hook groups. */
function check(before: Settings, after: Settings, commands: BridgeCommands, file: string): void {
  const strip = (s: Settings): string => {
    const rest: Settings = { ...s };
    const hooks = rest['hooks'];
    delete rest['statusLine'];
    delete rest['hooks'];
    const ours = BRIDGE_HOOK_EVENTS.map((e) => commands.hook(e));
    const kept: Record<string, unknown[]> = {};
    for (const [event, groups] of Object.entries((hooks as Record<string, unknown[]> | undefined) ?? {})) {
      const left = Array.isArray(groups) ? groups.filter((g) => !isOurs(g, ours)) : groups;
      if (!Array.isArray(left) || left.length > 0) kept[event] = left;
    }
    return JSON.stringify({ rest, kept });
  };
  if (strip(before) !== strip(after) || !hasBridgeStatusLine(after, commands)) {
    throw new SettingsEditError(`editing ${file} would change more than the bridge's entries; nothing was changed`);
  }
}
