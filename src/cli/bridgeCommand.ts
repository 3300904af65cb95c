// `claude-quota bridge install|uninstall|status`: connects Claude Code to the product (its statusLine
// and hooks feed exact usage and limit failures), and disconnects it leaving settings.json as it was.
import { claudeConfigDir, quotaHome } from '../core/accounts/claudePaths';
import { ClaudeCodeBridge, SettingsEditError } from '../core/bridge/bridge';
import { describeRecord, readStatusLineRecords } from '../core/bridge/bridgeRecords';
import { bridgeLayout } from '../core/bridge/bridgeShims';
import { parseArgs } from './argParser';
import { CliError, type CliIo } from './cliIo';

const USAGE = `usage: claude-quota bridge install|uninstall|status [--json] [--project DIR]...
  install    add the bridge's statusLine command and hooks to Claude Code's settings.json
             (the statusLine command you had keeps running, its output unchanged)
  uninstall  put settings.json back as it was (byte for byte when nothing else changed it)
  status     what is installed, which settings would override it (--project: a folder
             Claude Code runs in, whose project settings are checked too; default: this folder),
             and the limits Claude Code itself last reported through the bridge`;

/** How many Claude Code processes' figures `status` lists, newest first. */
const RECORDS_SHOWN = 3;


export async function runBridgeCommand(argv: readonly string[], io: CliIo & { cwd?: string }): Promise<number> {
  const args = parseArgs(argv[0] === 'bridge' ? argv.slice(1) : argv, ['project'], ['json', 'help']);
  const [action, ...extra] = args.positional;
  if (args.flags.has('help') || action === undefined) {
    (action === undefined && !args.flags.has('help') ? io.stderr : io.stdout).write(`${USAGE}\n`);
    return action === undefined && !args.flags.has('help') ? 2 : 0;
  }
  if (extra.length > 0) throw new CliError(`unexpected argument ${JSON.stringify(extra[0])}\n${USAGE}`);
  const configDir = claudeConfigDir({ env: io.env });
  const projectDirs = args.options.has('project') ? [args.options.get('project') as string] : [io.cwd ?? process.cwd()];
  const bridge = new ClaudeCodeBridge({ configDir, quotaHome: quotaHome(io.env), projectDirs });
  const json = args.flags.has('json');
  try {
    switch (action) {
      case 'install': {
        const r = await bridge.install();
        if (json) io.stdout.write(`${JSON.stringify(r)}\n`);
        else io.stdout.write(r.changed ? `Connected Claude Code: ${bridge.settingsFile} now runs the bridge's statusLine and hooks${r.backup ? ` (backup: ${r.backup})` : ''}.\n` : `Already connected (${bridge.settingsFile}); the bridge's commands were refreshed.\n`);
        return 0;
      }
      case 'uninstall': {
        const r = await bridge.uninstall();
        if (json) io.stdout.write(`${JSON.stringify(r)}\n`);
        else io.stdout.write(r.changed ? `Disconnected Claude Code: ${bridge.settingsFile} is ${r.restoredBytes ? 'back as it was before install' : 'without the bridge, your later changes kept'}.\n` : 'The bridge was not installed; nothing to change.\n');
        return 0;
      }
      case 'status': {
        const s = await bridge.status();
        const read = await readStatusLineRecords(bridgeLayout(quotaHome(io.env)));
        if (json) {
          io.stdout.write(`${JSON.stringify({ ...s, records: read.records.slice(0, RECORDS_SHOWN), rejectedRecords: read.rejected }, null, 2)}\n`);
          return 0;
        }
        io.stdout.write(`${s.installed ? 'Connected' : 'Not connected'}: ${s.settingsFile}${s.installed && !s.shimsPresent ? ' (its commands are missing: run `claude-quota bridge install` again)' : ''}\n`);
        if (s.userStatusLineCommand !== null) io.stdout.write(`Your statusLine command${s.installed ? ', still run by the bridge' : ''}: ${s.userStatusLineCommand}\n`);
        for (const o of s.overriddenBy) io.stdout.write(`Overridden: ${o.what} in ${o.file}\n`);
        const now = Date.now();
        for (const r of read.records.slice(0, RECORDS_SHOWN)) io.stdout.write(`${describeRecord(r, now)}\n`);
        if (read.rejected > 0) io.stderr.write(`warning: ${read.rejected} bridge record(s) were not Claude Code statusLine input and were skipped\n`);
        return 0;
      }
      default:
        throw new CliError(`unknown bridge action ${JSON.stringify(action)}\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof SettingsEditError) throw new CliError(err.message, 1);
    throw err;
  }
}
