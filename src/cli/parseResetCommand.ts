import { parseResetTime } from '../core/detection/resetTime';
import { parseArgs } from './argParser';
import { CliError, CliIo } from './cliIo';
import { readTimeContext } from './timeOptions';

/** `claude-quota parse-reset "<text>" [--now ISO] [--tz IANA]` → `{"resetsAt":ISO|null}` */
export function runParseResetCommand(argv: readonly string[], io: CliIo): number {
  const args = parseArgs(argv, ['now', 'tz']);
  if (args.positional.length !== 1) throw new CliError('usage: claude-quota parse-reset "<text>" [--now ISO] [--tz IANA]');
  const resetsAt = parseResetTime(args.positional[0], readTimeContext(args.options));
  io.stdout.write(`${JSON.stringify({ resetsAt: resetsAt ? resetsAt.toISOString() : null })}\n`);
  return 0;
}
