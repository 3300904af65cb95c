import * as vscode from 'vscode';
import { Logger, LoggerOptions } from '../core/base/logger';

export const OUTPUT_CHANNEL_NAME = 'Claude Quota Sentinel';

/** The extension's single LogOutputChannel behind the core Logger (levels, tags, redaction, rate limit). */
export function createOutputLog(
  createChannel: (name: string) => vscode.LogOutputChannel = (name) => vscode.window.createOutputChannel(name, { log: true }),
  options: LoggerOptions = {},
): { channel: vscode.LogOutputChannel; logger: Logger } {
  const channel = createChannel(OUTPUT_CHANNEL_NAME);
  return { channel, logger: new Logger(channel, options) };
}
