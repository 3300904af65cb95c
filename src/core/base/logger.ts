import { describeError } from './errors';
import { redactSecrets } from './redact';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Where log lines go: VS Code's LogOutputChannel in the extension, stderr in the CLI, an array in tests. */
export interface LogSink {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface LoggerOptions {
  /** The same message from the same component more often than this within the window is dropped and counted. */
  readonly maxRepeats?: number;
  readonly windowMs?: number;
  readonly clock?: () => number;
  /** Extra literal values to mask (e.g. tokens known to be loaded). */
  readonly knownSecrets?: () => Iterable<string>;
}

interface RepeatState { windowStart: number; count: number; dropped: number }

/**
 * A small logger with component tags, secret redaction and rate limiting of repeated lines, so a
 * terminal that prints the same error every 100 ms cannot flood the output channel.
 */
export class Logger {
  private readonly repeats = new Map<string, RepeatState>();
  private readonly maxRepeats: number;
  private readonly windowMs: number;
  private readonly clock: () => number;
  private readonly knownSecrets: () => Iterable<string>;

  constructor(private readonly sink: LogSink, options: LoggerOptions = {}) {
    this.maxRepeats = options.maxRepeats ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
    this.knownSecrets = options.knownSecrets ?? (() => []);
  }

  /** A logger whose lines carry `[component]`. */
  child(component: string): ComponentLogger {
    return new ComponentLogger(this, component);
  }

  write(level: LogLevel, component: string, message: string): void {
    const key = `${level}\u0000${component}\u0000${message}`;
    const now = this.clock();
    let state = this.repeats.get(key);
    if (!state || now - state.windowStart >= this.windowMs) {
      if (state && state.dropped > 0) {
        this.emit(level, component, `(previous line repeated ${state.dropped} more times)`);
      }
      state = { windowStart: now, count: 0, dropped: 0 };
      this.repeats.set(key, state);
      this.pruneRepeats(now);
    }
    state.count++;
    if (state.count > this.maxRepeats) {
      state.dropped++;
      return;
    }
    this.emit(level, component, message);
  }

  private emit(level: LogLevel, component: string, message: string): void {
    this.sink[level](`[${component}] ${redactSecrets(message, this.knownSecrets())}`);
  }

  // Bounded memory: forget windows that have ended.
  private pruneRepeats(now: number): void {
    if (this.repeats.size < 512) return;
    for (const [key, state] of this.repeats) {
      if (now - state.windowStart >= this.windowMs) this.repeats.delete(key);
    }
  }
}

export class ComponentLogger {
  constructor(private readonly root: Logger, readonly component: string) {}
  trace(message: string): void { this.root.write('trace', this.component, message); }
  debug(message: string): void { this.root.write('debug', this.component, message); }
  info(message: string): void { this.root.write('info', this.component, message); }
  warn(message: string): void { this.root.write('warn', this.component, message); }
  error(message: string, err?: unknown): void {
    this.root.write('error', this.component, err === undefined ? message : `${message}: ${describeError(err)}`);
  }
}
