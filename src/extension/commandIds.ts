/** Every command the extension contributes; package.json `contributes.commands` mirrors this list. */
export const CommandIds = {
  showLog: 'claudeQuota.showLog',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

export const COMMAND_CATEGORY = 'Claude Quota';
