// The commands Claude Code runs for the bridge: two POSIX sh scripts in the quota home. They need
// no Node and no path into a versioned extension folder, so they cost Claude Code a few
// milliseconds, keep working across updates, and keep running the user's own statusLine command
// while the product is absent or broken. They only write files; the product reads them.
import * as path from 'node:path';
import type { BridgeCommands, BridgeHookEvent } from './bridgeSettings';

/** Where the bridge keeps its files, under the quota home. */
export interface BridgeLayout {
  readonly dir: string;
  readonly binDir: string;
  readonly statusLineShim: string;
  readonly hookShim: string;
  /** The latest statusLine input per Claude Code process: `<pid>.json`. */
  readonly statusLineRecords: string;
  /** Hook inputs, one file per event: `<pid>-<shim pid>-<event>.json`, consumed by the product. */
  readonly hookRecords: string;
  /** The user's own statusLine command, verbatim (absent when they had none). */
  readonly userCommandFile: string;
  /** A line of ours the statusLine shim prints when the user had no command (absent: nothing). */
  readonly ownLineFile: string;
  readonly stateFile: string;
  readonly backupsDir: string;
}

export function bridgeLayout(quotaHome: string): BridgeLayout {
  const dir = path.join(quotaHome, 'bridge');
  const binDir = path.join(dir, 'bin');
  return {
    dir,
    binDir,
    statusLineShim: path.join(binDir, 'statusline'),
    hookShim: path.join(binDir, 'hook'),
    statusLineRecords: path.join(dir, 'statusline'),
    hookRecords: path.join(dir, 'hooks'),
    userCommandFile: path.join(dir, 'user-statusline'),
    ownLineFile: path.join(dir, 'line'),
    stateFile: path.join(dir, 'state.json'),
    backupsDir: path.join(dir, 'backups'),
  };
}

/** A word for sh: single-quoted, with single quotes inside spelled '\''. */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function bridgeCommands(layout: BridgeLayout): BridgeCommands {
  return {
    statusLine: shQuote(layout.statusLineShim),
    hook: (event: BridgeHookEvent) => `${shQuote(layout.hookShim)} ${event}`,
  };
}

const HEADER = '#!/bin/sh\n# Claude Quota Sentinel bridge (claude-quota bridge install; removed by claude-quota bridge uninstall).\n';

/**
 * statusLine: keeps a copy of stdin as the record of this Claude Code process ($PPID), and feeds
 * the same bytes to the user's command, whose output and exit code are Claude Code's. A record that
 * cannot be written costs the record, never the user's line.
 */
export function statusLineShimText(layout: BridgeLayout): string {
  return `${HEADER}umask 077
f=${shQuote(layout.statusLineRecords)}/"$PPID.json"
t="$f.$$.tmp"
u=${shQuote(layout.userCommandFile)}
if [ -s "$u" ]; then
  tee "$t" 2>/dev/null | /bin/sh -c "$(cat "$u")"
  rc=$?
else
  cat 2>/dev/null >"$t"
  rc=0
  [ -f ${shQuote(layout.ownLineFile)} ] && cat ${shQuote(layout.ownLineFile)} 2>/dev/null
fi
mv -f "$t" "$f" 2>/dev/null || rm -f "$t" 2>/dev/null
exit $rc
`;
}

/** Hooks: the event's input into a file of its own, nothing on stdout (SessionStart's stdout would become context). */
export function hookShimText(layout: BridgeLayout): string {
  return `${HEADER}umask 077
d=${shQuote(layout.hookRecords)}
t="$d/.$PPID-$$-$1.tmp"
if cat 2>/dev/null >"$t"; then mv -f "$t" "$d/$PPID-$$-$1.json" 2>/dev/null || rm -f "$t" 2>/dev/null; else rm -f "$t" 2>/dev/null; fi
exit 0
`;
}
