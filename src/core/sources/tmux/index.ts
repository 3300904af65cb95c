export { TmuxSource } from './tmuxSource';
export { seedBytes } from './paneFeeds';
export type { TmuxSourceEvent, TmuxSourceListener, TmuxSourceOptions, TmuxSourceState } from './tmuxSource';
export { ControlModeParser, decodeOctal } from './controlModeParser';
export type { ControlEvent } from './controlModeParser';
export { DEFAULT_MATCHER, isClaudePane, parsePaneList } from './discovery';
export type { ClaudeMatcher, PaneInfo } from './discovery';
export type { SpawnFn, TmuxSocket } from './tmuxProcess';
