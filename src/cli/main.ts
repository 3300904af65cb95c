import { runAccountsCommand } from './accountsCommand';
import { runBridgeCommand } from './bridgeCommand';
import { runClassifyCommand } from './classifyCommand';
import { CliError, CliIo } from './cliIo';
import { runParseResetCommand } from './parseResetCommand';
import { ProcessIo } from './processIo';
import { runUsageCommand } from './usageCommand';
import { describeError } from '../core/base/errors';

const USAGE = `usage: claude-quota <command>
  classify [--now ISO] [--tz IANA]        classify terminal output read from stdin; prints one JSON line
  parse-reset "<text>" [--now ISO] [--tz IANA]   print the reset instant named in text
  accounts add|switch|remove|rename|list   manage Claude Code logins (see: claude-quota accounts --help)
  usage [--json]                          token usage per account: 5-hour block, week, burn rate, projection
  bridge install|uninstall|status          connect Claude Code's statusLine and hooks for exact usage and limits
`;

export async function main(argv: readonly string[], io: CliIo, stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'classify':
        return await runClassifyCommand(rest, io, stdin as unknown as AsyncIterable<Uint8Array> & { isTTY?: boolean; fd?: number });
      case 'parse-reset':
        return runParseResetCommand(rest, io);
      case 'accounts':
        return await runAccountsCommand(rest, io);
      case 'usage':
        return await runUsageCommand(rest, io);
      case 'bridge':
        return await runBridgeCommand(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        (command === undefined ? io.stderr : io.stdout).write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
    }
  } catch (err) {
    // One clear line, never a stack trace.
    const message = describeError(err);
    io.stderr.write(`claude-quota: ${message}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}

if (require.main === module) {
  const real = new ProcessIo(process.stdout, process.stderr, process.env);
  void main(process.argv.slice(2), real.io, process.stdin)
    .then((code) => real.finish(code))
    .then((code) => {
      process.exitCode = code;
    });
}
