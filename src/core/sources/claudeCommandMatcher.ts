// Recognising Claude Code from a command line: a terminal's shell-integration command line, name or
// creation options, or the command lines of a process tree (a terminal's or a tmux pane's). The one
// matcher for every source, so a claudeCommandPatterns entry means the same for terminals and tmux.

import { describeError } from '../base/errors';

/**
 * Compiles the claudeCommandPatterns setting; a pattern that is not a valid regex is reported and
 * skipped, an empty or blank one is ignored (as a regex it would match every command).
 */
export function compileCommandPatterns(
  patterns: readonly string[],
  onInvalid: (pattern: string, error: string) => void = () => undefined,
): RegExp[] {
  const compiled: RegExp[] = [];
  for (const pattern of patterns) {
    if (pattern.trim() === '') continue; // an empty pattern would match every command
    try {
      compiled.push(new RegExp(pattern));
    } catch (err) {
      onInvalid(pattern, describeError(err));
    }
  }
  return compiled;
}

// `FOO=1 claude`, `env FOO=1 claude`, `exec claude`, `time claude`: the command is what follows.
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|\S*)\s+/;
const WRAPPER = /^(?:env|exec|command|builtin|time|nohup|nice|noglob)\s+/;

/** The command line without leading variable assignments and transparent wrapper words. */
export function stripCommandPrefixes(commandLine: string): string {
  let rest = commandLine.trim();
  for (let i = 0; i < 16; i++) {
    const m = ASSIGNMENT.exec(rest) ?? WRAPPER.exec(rest);
    if (m === null) break;
    rest = rest.slice(m[0].length);
  }
  return rest;
}

/** Whether a shell command line starts Claude Code. */
export function isClaudeCommand(commandLine: string, patterns: readonly RegExp[]): boolean {
  const trimmed = commandLine.trim();
  if (trimmed === '') return false;
  const stripped = stripCommandPrefixes(trimmed);
  return patterns.some((re) => re.test(trimmed) || (stripped !== trimmed && re.test(stripped)));
}

/** A tmux client: the tmux source reads its panes, the terminal never sees Claude Code's own bytes. */
export function isTmuxCommand(commandLine: string): boolean {
  return /^(?:\S*\/)?tmux(?:\s|$)/.test(stripCommandPrefixes(commandLine));
}

/**
 * Whether a command line names Claude Code anywhere after its first word, e.g.
 * `tmux new -s work 'claude --resume'`: each later word is tried as the start of a command.
 */
export function mentionsClaudeCommand(commandLine: string, patterns: readonly RegExp[]): boolean {
  const words = commandLine.trim().split(/\s+/);
  for (let i = 1; i < words.length; i++) {
    const rest = words.slice(i).join(' ').replace(/^['"]+/, '').replace(/['"]+$/, '');
    if (isClaudeCommand(rest, patterns)) return true;
  }
  return false;
}

/**
 * Whether a terminal's name suggests Claude Code: the patterns, or the word "claude" in any case
 * ("Claude Code", "claude"), which is how terminals made for it are usually named.
 */
export function nameSuggestsClaude(name: string, patterns: readonly RegExp[]): boolean {
  return /(?:^|[^A-Za-z0-9])claude(?:$|[^A-Za-z0-9])/i.test(name) || isClaudeCommand(name, patterns);
}

/** Whether a terminal's creation options start Claude Code as its process (shellPath and shellArgs). */
export function creationOptionsSuggestClaude(
  options: { readonly shellPath?: string; readonly shellArgs?: readonly string[] | string } | undefined,
  patterns: readonly RegExp[],
): boolean {
  if (options === undefined || typeof options.shellPath !== 'string' || options.shellPath === '') return false;
  const args = options.shellArgs === undefined ? [] : typeof options.shellArgs === 'string' ? [options.shellArgs] : [...options.shellArgs];
  const line = [options.shellPath, ...args].join(' ');
  return isClaudeCommand(line, patterns) || mentionsClaudeCommand(line, patterns);
}

// An npm-installed `claude` is a script: the kernel runs its interpreter with the script's path.
const INTERPRETER = /^(?:\S*\/)?(?:node|nodejs|bun|deno|env|bash|sh|dash|zsh)$/;

/** Whether any process command line (a terminal's process and its descendants) is Claude Code. */
export function processesRunClaude(commandLines: readonly string[], patterns: readonly RegExp[]): boolean {
  return commandLines.some((line) => {
    let words = line.trim().split(/\s+/);
    // `/usr/bin/env node --flag /usr/local/bin/claude`: interpreters and their options are skipped.
    for (let i = 0; i < 4; i++) {
      if (isClaudeCommand(words.join(' '), patterns)) return true;
      if (!INTERPRETER.test(words[0] ?? '')) return false;
      words = words.slice(1);
      while (words.length > 0 && words[0].startsWith('-')) words = words.slice(1);
    }
    return false;
  });
}

