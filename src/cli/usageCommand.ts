// `claude-quota usage [--json]`: scans the transcripts (incrementally, from the state the editor and
// earlier runs saved) and prints each account's usage. The account active now is recorded in the
// timeline, so usage from here on is attributed to it even without the editor.

import { AccountManager } from '../core/accounts/accountManager';
import { claudeConfigDir, quotaHome } from '../core/accounts/claudePaths';
import { FileProfileStore } from '../core/accounts/profileStore';
import { usageStateFile } from '../core/usage/usageState';
import { describeAccount, describeScanProblems, formatTokens } from '../core/usage/usageText';
import { UsageTracker } from '../core/usage/usageTracker';
import { parseArgs } from './argParser';
import { CliError, type CliIo } from './cliIo';

const USAGE = `usage: claude-quota usage [--json] [--five-hour-limit TOKENS] [--weekly-limit TOKENS] [--no-save]
  Token usage per account in the current 5-hour block and week, burn rate and projected exhaustion.
  Limits default to the ones learned when an account hit its limit.`;

function limitOption(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new CliError(`--${name} needs a number of tokens`);
  return n;
}

export async function runUsageCommand(argv: readonly string[], io: CliIo & { now?: () => number }): Promise<number> {
  const args = parseArgs(argv, ['five-hour-limit', 'weekly-limit'], ['json', 'help', 'no-save']);
  if (args.flags.has('help')) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.positional.length > 0) throw new CliError(`unexpected argument ${JSON.stringify(args.positional[0])}\n${USAGE}`);
  const limits = { fiveHour: limitOption(args.options.get('five-hour-limit'), 'five-hour-limit'), weekly: limitOption(args.options.get('weekly-limit'), 'weekly-limit') };
  const now = io.now ?? Date.now;
  const home = quotaHome(io.env);
  const configDir = claudeConfigDir({ env: io.env });
  const tracker = new UsageTracker({
    configDir,
    stateFile: usageStateFile(home, configDir),
    now,
    log: { warn: (m) => io.stderr.write(`warning: ${m}\n`), info: () => undefined },
  });
  await tracker.load();
  const manager = new AccountManager({ env: io.env, store: new FileProfileStore(home), stateDir: home });
  const profiles = await manager.list().catch(() => []);
  const active = profiles.find((p) => p.active);
  if (active !== undefined) tracker.noteActiveAccount(active.email, active.label);
  const stats = await tracker.scan();
  const report = tracker.report({ limits, accounts: profiles.map((p) => ({ key: p.email.toLowerCase(), label: p.label })) });
  if (!args.flags.has('no-save')) await tracker.save();
  // On stderr: the report on stdout stays what it is, the user still learns what it lacks.
  for (const line of describeScanProblems(stats)) io.stderr.write(`claude-quota: warning: ${line}\n`);
  if (args.flags.has('json')) {
    io.stdout.write(`${JSON.stringify({ report, scan: stats }, null, 2)}\n`);
    return 0;
  }
  const t = report.totals;
  io.stdout.write(
    `Scanned ${stats.files} transcript(s) in ${configDir}: ${formatTokens(stats.bytesRead)}B new, ${stats.counted} response(s) counted` +
      `${stats.duplicates > 0 ? `, ${stats.duplicates} repeated line(s) skipped` : ''}.\n`,
  );
  io.stdout.write(`All time: ${formatTokens(t[0])} input, ${formatTokens(t[1])} output, ${formatTokens(t[2])} cache creation, ${formatTokens(t[3])} cache read.\n`);
  if (report.accounts.length === 0) io.stdout.write('No usage yet.\n');
  for (const a of report.accounts) io.stdout.write(`${describeAccount(a, report.generatedAt).join('\n')}\n`);
  if (report.attributionSince === null) io.stdout.write('No active account recorded yet: usage is shown as "unknown account" (save the login with `claude-quota accounts add`).\n');
  return 0;
}
