// Usage accounting for one Claude Code config directory: loads the persisted state, scans the
// transcripts incrementally, records the active-account timeline and limit hits, builds reports and
// threshold warnings, and saves the state back atomically. Used by the editor and the CLI alike.

import * as path from 'node:path';
import { defaultFs, type FsOps } from '../accounts/fileOps';
import type { TailState } from '../sources/transcripts/transcriptTail';
import { UsageLedger, type UsageWindow } from './usageLedger';
import { buildReport, takeDueWarnings, type ReportOptions, type ThresholdWarning, type UsageReport } from './usageReport';
import { UsageScanner, type ScanStats } from './usageScanner';
import { loadUsageState, saveUsageState } from './usageState';

export interface UsageTrackerLog {
  warn(message: string): void;
  info(message: string): void;
}

export interface UsageTrackerOptions {
  /** Claude Code's config directory (claudeConfigDir: CLAUDE_CONFIG_DIR or ~/.claude). */
  readonly configDir: string;
  /** Where the state is persisted (usageStateFile()); null keeps it in memory only. */
  readonly stateFile: string | null;
  readonly now?: () => number;
  readonly log?: UsageTrackerLog;
  readonly fs?: FsOps;
  readonly concurrency?: number;
}

export class UsageTracker {
  private ledger = new UsageLedger();
  private scanner: UsageScanner;
  private readonly now: () => number;
  private readonly fs: FsOps;
  private queue: Promise<unknown> = Promise.resolve();
  private offsetsSaved = '';

  constructor(private readonly opts: UsageTrackerOptions) {
    this.now = opts.now ?? Date.now;
    this.fs = opts.fs ?? defaultFs;
    this.scanner = this.newScanner([]);
  }

  get projectsDir(): string {
    return path.join(this.opts.configDir, 'projects');
  }

  /** Loads the persisted state; an invalid one is reported and replaced by a full rescan. */
  load(): Promise<'loaded' | 'missing' | 'invalid'> {
    return this.serial(async () => {
      if (this.opts.stateFile === null) return 'missing';
      const r = await loadUsageState(this.opts.stateFile, this.opts.configDir, this.fs);
      if (r.kind === 'invalid') {
        this.opts.log?.warn(`Usage state ${this.opts.stateFile} is unusable (${r.reason}); counting all transcripts again`);
        this.ledger = new UsageLedger();
        this.scanner = this.newScanner([]);
        return 'invalid';
      }
      if (r.kind === 'loaded') {
        this.ledger = UsageLedger.fromData(r.ledger);
        this.scanner = this.newScanner(r.files);
        this.offsetsSaved = JSON.stringify(r.files);
      }
      return r.kind;
    });
  }

  /** Reads what the transcripts gained since the last scan. */
  scan(): Promise<ScanStats> {
    return this.serial(async () => {
      const stats = await this.scanner.scan();
      this.ledger.prune(this.now());
      return stats;
    });
  }

  /** Reads what these transcripts gained (paths a watcher reported), without listing the rest. */
  scanFiles(paths: Iterable<string>): Promise<ScanStats> {
    return this.serial(async () => {
      const stats = await this.scanner.scanFiles(paths);
      this.ledger.prune(this.now());
      return stats;
    });
  }

  /** The account Claude Code uses from now on (key: email, lower-cased). */
  noteActiveAccount(key: string, label: string, at: number = this.now()): boolean {
    return this.ledger.noteActive(key.toLowerCase(), label, at);
  }

  /** A limit hit seen outside the transcripts (a blocked session, an exhausted account). */
  noteLimitHit(key: string, window: UsageWindow, resetsAt: number, at: number = this.now()): void {
    this.ledger.addHit({ key: key.toLowerCase(), window, at, resetsAt });
  }

  report(options: Omit<ReportOptions, 'now'> & { readonly now?: number } = {}): UsageReport {
    return buildReport(this.ledger, { ...options, now: options.now ?? this.now() });
  }

  /** Warnings due for this report, each given once per window (remembered in the state). */
  takeWarnings(report: UsageReport, thresholdPercent: number): ThresholdWarning[] {
    return takeDueWarnings(this.ledger, report, thresholdPercent);
  }

  /** Writes the state when anything changed since the last save. */
  save(): Promise<boolean> {
    return this.serial(async () => {
      if (this.opts.stateFile === null) return false;
      const files = this.scanner.states();
      const offsets = JSON.stringify(files);
      if (!this.ledger.dirty && offsets === this.offsetsSaved) return false;
      await saveUsageState(this.opts.stateFile, this.opts.configDir, files, this.ledger.toData(), this.now(), this.fs);
      this.ledger.dirty = false;
      this.offsetsSaved = offsets;
      return true;
    });
  }

  private newScanner(offsets: readonly TailState[]): UsageScanner {
    return new UsageScanner(this.projectsDir, this.ledger, { offsets, concurrency: this.opts.concurrency, clock: this.now });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
