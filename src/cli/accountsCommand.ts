// `claude-quota accounts …`: the account layer from a terminal. Profiles live in
// `$CLAUDE_QUOTA_HOME/profiles.json` (default ~/.config/claude-quota), a 0600 file in a 0700
// directory. That is less safe than the editor's secret storage: any process of the same user can
// read it. Output never contains a token.
import { AccountError, describeFsError } from '../core/accounts/errors';
import { AccountManager, ProfileView, displayLabel, validateLabel } from '../core/accounts/accountManager';
import { escapeForDisplay } from '../core/base/displayText';
import { FileProfileStore } from '../core/accounts/profileStore';
import { quotaHome } from '../core/accounts/claudePaths';
import { CommandRunner } from '../core/accounts/liveCredentials';
import { FsOps } from '../core/accounts/fileOps';
import { AccountState } from '../core/accounts/schemas';

export interface AccountsIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  /** Overrides for tests. */
  platform?: NodeJS.Platform;
  runCommand?: CommandRunner;
  fs?: FsOps;
  now?: () => number;
  lockTimeoutMs?: number;
}

const USAGE = [
  'usage: claude-quota accounts <command>',
  '  add <label>             save the current Claude Code login as a profile',
  '  switch <label> [--force] make a saved profile the active login (--force: despite overrides or an unsaved login)',
  '  remove <label>          forget a saved profile (the live login is not touched)',
  '  rename <old> <new>      rename a profile',
  '  list [--json]           show saved profiles (never tokens)',
  '  recover                 finish or undo an interrupted switch',
  'Profiles are stored in $CLAUDE_QUOTA_HOME (default ~/.config/claude-quota), readable by your user only.',
].join('\n');

// Shared with the extension; re-exported so existing importers keep working.
export { quotaHome };

function describeState(s: AccountState): string {
  switch (s.kind) {
    case 'exhausted':
      return `exhausted until ${new Date(s.until).toISOString()} (${s.window})`;
    case 'invalid':
      return 'invalid';
    default:
      return s.kind;
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}

function listJson(views: ProfileView[]): string {
  return (
    JSON.stringify(
      views.map((v) => ({
        label: v.label,
        email: v.email,
        organization: v.organizationName,
        plan: v.plan,
        state: v.state,
        active: v.active,
        tokenExpiresAt: v.tokenExpiresAt,
        tokenExpired: v.tokenExpired,
      })),
      null,
      2,
    ) + '\n'
  );
}

class UsageError extends Error {}

function expectArgs(args: string[], n: number, what: string): void {
  if (args.length !== n) throw new UsageError(`expected ${what}`);
}

export async function runAccountsCommand(argv: string[], io: AccountsIo): Promise<number> {
  const args = argv[0] === 'accounts' ? argv.slice(1) : [...argv];
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const positional = args.filter((a) => !a.startsWith('--'));
  const [cmd, ...rest] = positional;
  try {
    for (const f of flags) {
      if (!['--json', '--force', '--help'].includes(f)) throw new UsageError(`unknown option ${f}`);
    }
    if (!cmd || cmd === 'help' || flags.has('--help')) {
      io.stdout.write(USAGE + '\n');
      return cmd || flags.has('--help') ? 0 : 2;
    }
    const home = quotaHome(io.env);
    const manager = new AccountManager({
      env: io.env,
      store: new FileProfileStore(home, io.fs, { lockTimeoutMs: io.lockTimeoutMs }),
      stateDir: home,
      platform: io.platform,
      runCommand: io.runCommand,
      fs: io.fs,
      now: io.now,
      lockTimeoutMs: io.lockTimeoutMs,
    });
    switch (cmd) {
      case 'add': {
        expectArgs(rest, 1, 'a label: accounts add <label>');
        const v = await manager.add(rest[0] ?? '');
        io.stdout.write(`Saved the current login (${v.email}${v.plan ? `, ${v.plan}` : ''}) as "${v.label}".\n`);
        return 0;
      }
      case 'switch': {
        expectArgs(rest, 1, 'a label: accounts switch <label>');
        const force = flags.has('--force');
        const r = await manager.switchTo(rest[0] ?? '', { ignoreOverrides: force, allowUnsaved: force });
        for (const w of r.warnings) io.stderr.write(`warning: ${w}\n`);
        io.stdout.write(r.changed ? `Switched to "${r.to}"${r.from ? ` (from "${r.from}")` : ''}. Running Claude Code sessions pick it up on their next request.\n` : `"${r.to}" is already the active login.\n`);
        return 0;
      }
      case 'remove': {
        expectArgs(rest, 1, 'a label: accounts remove <label>');
        const { backupsRemoved } = await manager.remove(rest[0] ?? '');
        io.stdout.write(`Removed profile "${displayLabel(rest[0] ?? '')}"${backupsRemoved > 0 ? ` and ${backupsRemoved} backup${backupsRemoved === 1 ? '' : 's'} holding its login` : ''}.\n`);
        return 0;
      }
      case 'rename': {
        expectArgs(rest, 2, 'two labels: accounts rename <old> <new>');
        await manager.rename(rest[0] ?? '', rest[1] ?? '');
        io.stdout.write(`Renamed "${displayLabel(rest[0] ?? '')}" to "${displayLabel(validateLabel(rest[1] ?? ''))}".\n`);
        return 0;
      }
      case 'list': {
        expectArgs(rest, 0, 'no arguments: accounts list [--json]');
        const views = await manager.list();
        if (flags.has('--json')) {
          io.stdout.write(listJson(views));
        } else if (views.length === 0) {
          io.stdout.write('No saved profiles. Save the current login with: claude-quota accounts add <label>\n');
        } else {
          const rows = [['', 'LABEL', 'EMAIL', 'PLAN', 'STATE']];
          for (const v of views) rows.push([v.active ? '*' : '', v.label, v.email, v.plan ?? '-', describeState(v.state) + (v.tokenExpired ? ' (token expired)' : '')]);
          io.stdout.write(table(rows));
        }
        return 0;
      }
      case 'recover': {
        expectArgs(rest, 0, 'no arguments: accounts recover');
        const r = await manager.recover();
        for (const w of r.warnings) io.stderr.write(`warning: ${w}\n`);
        io.stdout.write(r.action === 'none' ? 'Nothing to recover.\n' : `Recovery: ${r.action}.\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${escapeForDisplay(cmd)}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`claude-quota accounts: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof AccountError) {
      io.stderr.write(`claude-quota accounts: ${err.message}\n`);
      return 1;
    }
    // Unknown errors may quote file content (JSON.parse does); report only their kind.
    const name = err instanceof Error ? err.name : 'Error';
    io.stderr.write(`claude-quota accounts: unexpected ${name} (${describeFsError(err)})\n`);
    return 1;
  }
}
