// Public surface of the account layer (no vscode dependency).
export * from './errors';
export * from './schemas';
export * from './policy';
export * from './profileStore';
export * from './claudePaths';
export * from './liveCredentials';
export * from './overrides';
export * from './locks';
export { AccountManager, validateLabel } from './accountManager';
export type { AccountManagerOptions, ProfileView, SwitchOptions, SwitchResult, RecoveryResult, RecoveryAction, SwitchStep } from './accountManager';
export { journalPath } from './journal';
export type { FsOps, FileSnapshot } from './fileOps';
export { defaultFs, writeFileAtomic, readRegularFile } from './fileOps';
