// Which tmux panes run Claude Code: the pane list from `list-panes -a` and, on Linux, the command
// lines of each pane's process tree from /proc.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { processesRunClaude } from '../claudeCommandMatcher';

export interface PaneInfo {
  readonly sessionId: string;
  readonly sessionName: string;
  readonly windowIndex: number;
  readonly paneIndex: number;
  readonly paneId: string;
  readonly panePid: number;
  readonly currentCommand: string;
  readonly cols: number;
  readonly rows: number;
  readonly dead: boolean;
}

// Session names are free text, so the name goes last and may contain the separator.
const FIELDS = [
  '#{session_id}',
  '#{window_index}',
  '#{pane_index}',
  '#{pane_id}',
  '#{pane_pid}',
  '#{pane_current_command}',
  '#{pane_width}',
  '#{pane_height}',
  '#{pane_dead}',
  '#{session_name}',
];
export const LIST_PANES_FORMAT = FIELDS.join('\t');

export function parsePaneList(text: string): PaneInfo[] {
  const panes: PaneInfo[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length < FIELDS.length || !f[3].startsWith('%')) continue;
    panes.push({
      sessionId: f[0],
      windowIndex: Number(f[1]),
      paneIndex: Number(f[2]),
      paneId: f[3],
      panePid: Number(f[4]),
      currentCommand: f[5],
      cols: Number(f[6]) || 80,
      rows: Number(f[7]) || 24,
      dead: f[8] === '1',
      sessionName: f.slice(9).join('\t'),
    });
  }
  return panes;
}

export function paneTarget(p: PaneInfo): string {
  return `${p.sessionName}:${p.windowIndex}.${p.paneIndex}`;
}

export interface ClaudeMatcher {
  /** Matched against tmux's pane_current_command, each process's name and the base name of argv[0]. */
  readonly commandPatterns: readonly RegExp[];
  /**
   * Matched against each process's command line (arguments joined with spaces) as the terminal
   * source matches a terminal's processes (processesRunClaude).
   */
  readonly commandLinePatterns: readonly RegExp[];
}

/**
 * The native CLI is an executable named `claude` (the npm bin link) or `claude.exe` (the package's
 * bin file); older releases and `npx @anthropic-ai/claude-code` run under node, where only the
 * command line names the package.
 */
export const DEFAULT_MATCHER: ClaudeMatcher = {
  commandPatterns: [/^claude(\.exe)?$/i],
  commandLinePatterns: [/@anthropic-ai[\\/]claude-code(?![\w-])/],
};

export interface ProcessInfo {
  readonly pid: number;
  /** The kernel's process name (at most 15 characters; for a script, the script's file name). */
  readonly name: string;
  readonly argv: readonly string[];
}

/** Reads processes from a /proc-like tree; every method returns nothing where /proc is missing. */
export class ProcReader {
  constructor(private readonly root = '/proc') {}

  get available(): boolean {
    return fs.existsSync(path.join(this.root, 'self'));
  }

  process(pid: number): ProcessInfo | null {
    try {
      const name = fs.readFileSync(path.join(this.root, String(pid), 'comm'), 'utf8').trim();
      const raw = fs.readFileSync(path.join(this.root, String(pid), 'cmdline'));
      const argv = raw.toString('utf8').split('\0');
      if (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
      return { pid, name, argv };
    } catch {
      return null; // exited in between, or not ours to read
    }
  }

  /** The process and all its descendants, breadth first, at most `limit` of them. */
  tree(pid: number, limit = 256): ProcessInfo[] {
    const out: ProcessInfo[] = [];
    const queue = [pid];
    let childMap: Map<number, number[]> | null = null;
    while (queue.length > 0 && out.length < limit) {
      const next = queue.shift() as number;
      const info = this.process(next);
      if (info === null) continue;
      out.push(info);
      let kids = this.childrenFile(next);
      if (kids === null) {
        // Kernels without CONFIG_PROC_CHILDREN: one scan of /proc for parent ids, shared by the walk.
        childMap ??= this.scanParents();
        kids = childMap.get(next) ?? [];
      }
      queue.push(...kids);
    }
    return out;
  }

  private childrenFile(pid: number): number[] | null {
    try {
      const taskDir = path.join(this.root, String(pid), 'task');
      const kids: number[] = [];
      for (const tid of fs.readdirSync(taskDir)) {
        const text = fs.readFileSync(path.join(taskDir, tid, 'children'), 'utf8');
        for (const s of text.split(' ')) if (s.trim() !== '') kids.push(Number(s));
      }
      return kids;
    } catch {
      return null;
    }
  }

  private scanParents(): Map<number, number[]> {
    const map = new Map<number, number[]>();
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(this.root);
    } catch {
      return map;
    }
    for (const e of entries) {
      if (!/^\d+$/.test(e)) continue;
      try {
        const stat = fs.readFileSync(path.join(this.root, e, 'stat'), 'utf8');
        // The name field may contain spaces and parentheses; fields after the last ')' are fixed.
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const list = map.get(ppid) ?? [];
        list.push(Number(e));
        map.set(ppid, list);
      } catch {
        // exited
      }
    }
    return map;
  }
}

/** Whether the pane runs Claude Code, judged by tmux's command name and then the process tree. */
export function isClaudePane(pane: PaneInfo, matcher: ClaudeMatcher, proc: ProcReader | null): boolean {
  if (pane.dead) return false;
  if (matcher.commandPatterns.some((re) => re.test(pane.currentCommand))) return true;
  if (proc === null || !(pane.panePid > 0)) return false;
  const tree = proc.tree(pane.panePid);
  for (const p of tree) {
    const argv0 = p.argv[0] ?? '';
    const base = argv0.split(/[\\/]/).pop() ?? '';
    if (matcher.commandPatterns.some((re) => re.test(p.name) || re.test(base))) return true;
  }
  return processesRunClaude(tree.map((p) => p.argv.join(' ')), matcher.commandLinePatterns);
}
