import { isValidTimeZone, localTimeZone } from '../core/detection/timeZone';
import { TimeContext } from '../core/detection/types';
import { CliError } from './cliIo';

/** Reads --now ISO and --tz IANA (defaults: the current time and the system zone). */
export function readTimeContext(options: ReadonlyMap<string, string>): TimeContext {
  const nowText = options.get('now');
  const now = nowText === undefined ? new Date() : new Date(nowText);
  if (Number.isNaN(now.getTime())) throw new CliError(`--now: not an ISO date/time: ${JSON.stringify(nowText)}`);
  const timeZone = options.get('tz') ?? localTimeZone();
  if (!isValidTimeZone(timeZone)) throw new CliError(`--tz: unknown IANA time zone: ${JSON.stringify(timeZone)}`);
  return { now, timeZone };
}
