export { TmuxSource, seedBytes } from './tmuxSource';
export type { TmuxSourceEvent, TmuxSourceListener, TmuxSourceOptions, TmuxSourceState } from './tmuxSource';
export { ControlModeParser, decodeOctal } from './controlModeParser';
export type { ControlEvent } from './controlModeParser';
export { DEFAULT_MATCHER, isClaudePane, parsePaneList } from './discovery';
export type { ClaudeMatcher, PaneInfo } from './discovery';
export type { SpawnFn, TmuxSocket } from './tmuxProcess';
