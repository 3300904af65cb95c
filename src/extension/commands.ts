// Every command of the extension, registered in one place: one handler per id of CommandIds (the
// compiler says when one is missing), all owned by the one disposable returned.
import * as vscode from 'vscode';
import { CommandIds } from './commandIds';

export type CommandHandlers = { readonly [K in keyof typeof CommandIds]: (...args: unknown[]) => unknown };

export function registerCommands(
  handlers: CommandHandlers,
  register: (id: string, handler: (...args: unknown[]) => unknown) => vscode.Disposable = (id, handler) => vscode.commands.registerCommand(id, handler),
): vscode.Disposable {
  const keys = Object.keys(CommandIds) as (keyof typeof CommandIds)[];
  const registered = keys.map((k) => register(CommandIds[k], handlers[k]));
  return { dispose: () => registered.forEach((d) => d.dispose()) };
}

/** A non-blank string argument (a label from a keybinding or a status bar item), else undefined. */
export function stringArg(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value : undefined;
}
