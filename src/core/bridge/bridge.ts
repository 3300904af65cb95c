// Connecting Claude Code to the product: install writes the shims and adds them to Claude Code's
// user settings, uninstall puts the settings back, status says what is in place and what would
// override it. Settings are written atomically with a backup, through a symlink to its target, and
// a file that cannot be parsed or written is refused with one line before anything changes.
import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { defaultFs, ensurePrivateDir, writeFileAtomic, type FsOps } from '../accounts/fileOps';
import { projectSettingsFiles } from '../accounts/overrides';
import { describeError } from '../base/errors';
import { bridgeCommands, bridgeLayout, hookShimText, statusLineShimText, type BridgeLayout } from './bridgeShims';
import { BRIDGE_HOOK_EVENTS, hasBridgeStatusLine, installBridge, parseSettings, SettingsEditError, uninstallBridge, type InstallRecord } from './bridgeSettings';

export { SettingsEditError } from './bridgeSettings';

const StateSchema = z.object({
  version: z.literal(1),
  settingsFile: z.string(),
  record: z.object({
    userStatusLine: z.unknown(),
    createdHookEvents: z.array(z.string()),
    createdHooksKey: z.boolean(),
    spans: z.object({ statusLine: z.nullable(z.string()), hooks: z.record(z.string(), z.string()) }),
  }),
  /** The settings as they were, and a digest of what install wrote: unchanged since, uninstall restores the bytes. */
  originalText: z.nullable(z.string()),
  installedSha256: z.string(),
});
type BridgeState = z.infer<typeof StateSchema>;

export interface BridgeOptions {
  readonly configDir: string;
  readonly quotaHome: string;
  /** Folders sessions run in: project settings there may override the user's statusLine or hooks. */
  readonly projectDirs?: readonly string[];
  /** Managed settings path (default: the platform's). */
  readonly managedSettingsFile?: string;
  readonly fs?: FsOps;
  readonly now?: () => number;
}

export interface BridgeStatus {
  readonly installed: boolean;
  readonly settingsFile: string;
  readonly shimsPresent: boolean;
  /** The user's own statusLine command the shim runs, or null. */
  readonly userStatusLineCommand: string | null;
  /** Settings that take precedence over the user's and would hide the bridge: file and what. */
  readonly overriddenBy: readonly { file: string; what: string }[];
}

const MAX_BACKUPS = 5;
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export class ClaudeCodeBridge {
  readonly layout: BridgeLayout;
  readonly settingsFile: string;
  private readonly fs: FsOps;
  private readonly now: () => number;

  constructor(private readonly opts: BridgeOptions) {
    this.layout = bridgeLayout(opts.quotaHome);
    this.settingsFile = path.join(opts.configDir, 'settings.json');
    this.fs = opts.fs ?? defaultFs;
    this.now = opts.now ?? Date.now;
  }

  async install(): Promise<{ changed: boolean; backup: string | null }> {
    const current = await this.readSettingsText();
    const commands = bridgeCommands(this.layout);
    const { text, record } = installBridge(current.text ?? '', this.settingsFile, commands);
    await this.writeShims(record ?? (await this.readState())?.record ?? null);
    if (record === null) return { changed: false, backup: null };
    const backup = current.text === null ? null : await this.backup(current.text);
    const state: BridgeState = { version: 1, settingsFile: this.settingsFile, record: { ...record, createdHookEvents: [...record.createdHookEvents], spans: { statusLine: record.spans.statusLine, hooks: { ...record.spans.hooks } } }, originalText: current.text, installedSha256: sha256(text) };
    await writeFileAtomic(this.fs, this.layout.stateFile, `${JSON.stringify(state, null, 2)}\n`);
    await writeFileAtomic(this.fs, current.target, text, { mode: current.mode });
    return { changed: true, backup };
  }

  async uninstall(): Promise<{ changed: boolean; restoredBytes: boolean }> {
    const state = await this.readState();
    const current = await this.readSettingsText();
    const commands = bridgeCommands(this.layout);
    let changed = false;
    let restoredBytes = false;
    if (current.text !== null && hasBridgeStatusLine(parseSettings(current.text, this.settingsFile), commands)) {
      if (state === null) throw new SettingsEditError(`the bridge's record in ${this.layout.stateFile} is missing; remove "statusLine" and the bridge's hooks from ${this.settingsFile} by hand`);
      restoredBytes = state.originalText !== null && sha256(current.text) === state.installedSha256;
      const untouched = sha256(current.text) === state.installedSha256;
      await this.backup(current.text);
      if (untouched && state.originalText === null) {
        await this.fs.unlink(current.target); // install created the file: no trace of it stays
      } else {
        const text = restoredBytes ? (state.originalText as string) : uninstallBridge(current.text, this.settingsFile, commands, state.record as InstallRecord);
        await writeFileAtomic(this.fs, current.target, text, { mode: current.mode });
      }
      restoredBytes ||= untouched;
      changed = true;
    }
    // Only after the settings no longer name them: the shims, records and state go.
    for (const p of [this.layout.binDir, this.layout.statusLineRecords, this.layout.hookRecords, this.layout.userCommandFile, this.layout.ownLineFile, this.layout.stateFile]) {
      await nodeFs.rm(p, { recursive: true, force: true });
    }
    return { changed, restoredBytes };
  }

  async status(): Promise<BridgeStatus> {
    const current = await this.readSettingsText();
    const settings = current.text === null ? {} : parseSettings(current.text, this.settingsFile);
    const installed = hasBridgeStatusLine(settings, bridgeCommands(this.layout));
    const shimsPresent = (await exists(this.fs, this.layout.statusLineShim)) && (await exists(this.fs, this.layout.hookShim));
    let userStatusLineCommand: string | null = null;
    if (installed) userStatusLineCommand = await this.fs.readFile(this.layout.userCommandFile, 'utf8').catch(() => null);
    else userStatusLineCommand = ((settings['statusLine'] as { command?: unknown } | undefined)?.command as string | undefined) ?? null;
    const overriddenBy: { file: string; what: string }[] = [];
    if (settings['disableAllHooks'] === true) overriddenBy.push({ file: this.settingsFile, what: 'disableAllHooks' });
    for (const file of [this.managedSettingsFile(), ...projectSettingsFiles(this.opts.projectDirs ?? [])]) {
      const text = await this.fs.readFile(file, 'utf8').catch(() => null);
      if (text === null) continue;
      let other: Record<string, unknown>;
      try {
        other = parseSettings(text, file);
      } catch {
        continue; // Claude Code cannot use it either
      }
      if (other['statusLine'] !== undefined) overriddenBy.push({ file, what: 'statusLine' });
      if (other['disableAllHooks'] === true) overriddenBy.push({ file, what: 'disableAllHooks' });
      if (other['allowManagedHooksOnly'] === true) overriddenBy.push({ file, what: 'allowManagedHooksOnly' });
    }
    return { installed, settingsFile: this.settingsFile, shimsPresent, userStatusLineCommand, overriddenBy };
  }

  private managedSettingsFile(): string {
    if (this.opts.managedSettingsFile !== undefined) return this.opts.managedSettingsFile;
    if (process.platform === 'darwin') return '/Library/Application Support/ClaudeCode/managed-settings.json';
    if (process.platform === 'win32') return 'C:\\Program Files\\ClaudeCode\\managed-settings.json';
    return '/etc/claude-code/managed-settings.json';
  }

  /** The settings text (null when there is no file), the file to replace (a symlink's target) and its mode. */
  private async readSettingsText(): Promise<{ text: string | null; target: string; mode: number }> {
    let target = this.settingsFile;
    try {
      target = await this.fs.realpath(this.settingsFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SettingsEditError(`cannot read ${this.settingsFile}: ${describeError(err)}`);
      if ((await this.fs.lstat(this.settingsFile).catch(() => null))?.isSymbolicLink()) {
        throw new SettingsEditError(`${this.settingsFile} is a symbolic link to a file that does not exist; nothing was changed`);
      }
      return { text: null, target, mode: 0o600 };
    }
    const st = await this.fs.stat(target);
    if (!st.isFile()) throw new SettingsEditError(`${target} is not a regular file; nothing was changed`);
    // Root could write it anyway; a file the user made read-only is a decision to respect.
    if ((st.mode & 0o222) === 0) throw new SettingsEditError(`${target} is read-only; nothing was changed (make it writable, then try again)`);
    const text = await this.fs.readFile(target, 'utf8');
    return { text, target, mode: st.mode & 0o777 };
  }

  private async readState(): Promise<BridgeState | null> {
    const text = await this.fs.readFile(this.layout.stateFile, 'utf8').catch(() => null);
    if (text === null) return null;
    try {
      const state = StateSchema.parse(JSON.parse(text));
      return state.settingsFile === this.settingsFile ? state : null;
    } catch {
      return null;
    }
  }

  private async writeShims(record: InstallRecord | null): Promise<void> {
    for (const dir of [this.layout.dir, this.layout.binDir, this.layout.statusLineRecords, this.layout.hookRecords]) await ensurePrivateDir(this.fs, dir);
    await writeFileAtomic(this.fs, this.layout.statusLineShim, statusLineShimText(this.layout), { mode: 0o700 });
    await writeFileAtomic(this.fs, this.layout.hookShim, hookShimText(this.layout), { mode: 0o700 });
    const command = (record?.userStatusLine as { command?: unknown } | null | undefined)?.command;
    if (typeof command === 'string' && command.trim() !== '') await writeFileAtomic(this.fs, this.layout.userCommandFile, command);
    else await nodeFs.rm(this.layout.userCommandFile, { force: true });
  }

  private async backup(text: string): Promise<string> {
    await ensurePrivateDir(this.fs, this.layout.backupsDir);
    const file = path.join(this.layout.backupsDir, `settings.json.${this.now()}`);
    await writeFileAtomic(this.fs, file, text);
    const old = (await this.fs.readdir(this.layout.backupsDir)).filter((n) => n.startsWith('settings.json.')).sort((a, b) => Number(a.slice(14)) - Number(b.slice(14)));
    for (const name of old.slice(0, Math.max(0, old.length - MAX_BACKUPS))) await nodeFs.rm(path.join(this.layout.backupsDir, name), { force: true });
    return file;
  }
}

async function exists(fs: FsOps, p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

export { BRIDGE_HOOK_EVENTS };
