// A minimal event emitter with vscode.Event's shape but no runtime vscode import, so the sessions
// controller and the notifier run (and are unit-tested) in plain Node.
import type * as vscode from 'vscode';

export class Emitter<T> implements vscode.Disposable {
  private listeners: Array<(e: T) => unknown> = [];
  private disposed = false;

  readonly event: vscode.Event<T> = (listener, thisArgs?: unknown, disposables?: vscode.Disposable[]) => {
    const bound = (e: T): unknown => listener.call(thisArgs, e);
    if (!this.disposed) this.listeners = [...this.listeners, bound];
    const d = { dispose: () => (this.listeners = this.listeners.filter((l) => l !== bound)) };
    disposables?.push(d);
    return d;
  };

  fire(value: T): void {
    for (const l of this.listeners) {
      try {
        l(value);
      } catch {
        // A failing listener must not starve the others (vscode.EventEmitter behaves the same).
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}

/** setTimeout/clearTimeout, injectable so tests drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const nodeTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Node's timers overflow (and fire at once) beyond 2^31-1 ms; longer waits re-arm when they fire. */
export const MAX_TIMER_MS = 2_147_483_647;
