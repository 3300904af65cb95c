// Events for every layer: one Emitter and one structural Event<T> with vscode.Event's shape (so a
// core event is a vscode.Event as it stands), without a runtime vscode import.
//
// One rule for a listener that throws: it is logged (when a logger was given) and the next listener
// still runs. The emitter never rethrows, so whoever fires (a detector in the middle of a state
// change, a source's read loop) carries on as if every listener had returned.

export interface Disposable {
  dispose(): void;
}

/** vscode.Event's shape: subscribe, optionally bound to `thisArgs` and added to `disposables`. */
export type Event<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: Disposable[]) => Disposable;

/** Where a failing listener is reported (a ComponentLogger fits). */
export interface ListenerErrorLog {
  error(message: string, err?: unknown): void;
}

export class Emitter<T> implements Disposable {
  private listeners: ReadonlyArray<(e: T) => unknown> = [];
  private disposed = false;

  /**
   * `log` may be a function, for an owner whose logger is set after its fields are; without a
   * logger a failing listener is skipped silently.
   */
  constructor(private readonly log?: ListenerErrorLog | (() => ListenerErrorLog | undefined)) {}

  readonly event: Event<T> = (listener, thisArgs, disposables) => {
    const bound = (e: T): unknown => listener.call(thisArgs, e);
    if (!this.disposed) this.listeners = [...this.listeners, bound];
    const subscription: Disposable = { dispose: () => void (this.listeners = this.listeners.filter((l) => l !== bound)) };
    disposables?.push(subscription);
    return subscription;
  };

  /** Calls each listener subscribed now, in order; stops when a listener disposes the emitter. */
  fire(value: T): void {
    for (const listener of this.listeners) {
      if (this.disposed) return;
      try {
        listener(value);
      } catch (err) {
        (typeof this.log === 'function' ? this.log() : this.log)?.error('event listener failed', err);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}
