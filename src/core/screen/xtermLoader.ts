// The terminal emulator is loaded at the first screen, not when the extension starts: it is most of
// the extension's code and many windows never watch a session. The bundles leave it in a file of its
// own (dist/xterm.js, see esbuild.mjs); the require below is the one they rewrite to it.
import type * as Xterm from '@xterm/headless';

let loaded: typeof Xterm | null = null;

/** The @xterm/headless module, loaded (synchronously) on the first call. */
export function loadXterm(): typeof Xterm {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('@xterm/headless') as typeof Xterm;
  return loaded;
}

/** True once loadXterm() has run in this process. */
export function xtermLoaded(): boolean {
  return loaded !== null;
}
