// The tmux session source's reading of claudeCommandPatterns: the same matcher as terminals, so an
// empty entry is ignored instead of making every pane count as Claude Code.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '../../../../src/core/base/logger';
import { DEFAULT_MATCHER, isClaudePane, ProcReader, type ClaudeMatcher, type PaneInfo } from '../../../../src/core/sources/tmux/discovery';
import type { TmuxSourceOptions } from '../../../../src/core/sources/tmux';
import { DEFAULTS, type SettingKey, type Settings } from '../../../../src/extension/settings';
import { TmuxSessionSource } from '../../../../src/extension/sources/tmuxSessionSource';

/** The matcher a TmuxSessionSource hands to its core source when the setting holds `patterns`. */
function matcherFor(patterns: string[], warnings: string[] = []): ClaudeMatcher {
  const settings: Settings = { ...DEFAULTS, claudeCommandPatterns: patterns };
  let options: TmuxSourceOptions | undefined;
  const source = new TmuxSessionSource({
    config: { onChange: () => ({ dispose: () => undefined }) },
    read: <K extends SettingKey>(key: K): Settings[K] => settings[key],
    logger: new Logger({
      trace: () => undefined, debug: () => undefined, info: () => undefined, error: () => undefined,
      warn: (m: string) => warnings.push(m),
    }).child('tmux'),
    create: (o) => {
      options = o;
      return { start: () => undefined, rescan: () => undefined, dispose: () => undefined };
    },
  });
  source.dispose();
  assert.ok(options, 'the source was started');
  // As the core TmuxSource fills in what the options leave out.
  return {
    commandPatterns: options.matcher?.commandPatterns ?? DEFAULT_MATCHER.commandPatterns,
    commandLinePatterns: options.matcher?.commandLinePatterns ?? DEFAULT_MATCHER.commandLinePatterns,
  };
}

describe('TmuxSessionSource patterns', () => {
  let root: string;
  let reader: ProcReader;
  const pane = (panePid: number): PaneInfo => ({
    sessionId: '$0', sessionName: 's', windowIndex: 0, paneIndex: 0, paneId: `%${panePid}`, panePid,
    currentCommand: 'bash', cols: 80, rows: 24, dead: false,
  });

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-proc-'));
    const proc = (pid: number, comm: string, argv: string[], children: number[]): void => {
      fs.mkdirSync(path.join(root, String(pid), 'task', String(pid)), { recursive: true });
      fs.writeFileSync(path.join(root, String(pid), 'comm'), `${comm}\n`);
      fs.writeFileSync(path.join(root, String(pid), 'cmdline'), argv.join('\0') + '\0');
      fs.writeFileSync(path.join(root, String(pid), 'task', String(pid), 'children'), children.join(' '));
    };
    fs.mkdirSync(path.join(root, 'self'));
    proc(10, 'bash', ['-bash'], [11]);
    proc(11, 'vim', ['vim', 'notes.txt'], []);
    proc(20, 'bash', ['-bash'], [21]);
    proc(21, 'cc', ['/opt/bin/cc', '--resume'], []);
    reader = new ProcReader(root);
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('ignores an empty or blank pattern: a pane running only a shell and an editor is not Claude Code', () => {
    const matcher = matcherFor(['', '   ', ...DEFAULTS.claudeCommandPatterns]);
    assert.equal(isClaudePane(pane(10), matcher, reader), false);
  });

  it('still follows the other patterns of the setting', () => {
    const matcher = matcherFor(['', '(?:^|/)cc(?:\\s|$)']);
    assert.equal(isClaudePane(pane(20), matcher, reader), true);
    assert.equal(isClaudePane(pane(10), matcher, reader), false);
  });

  it('reports an invalid pattern and skips it', () => {
    const warnings: string[] = [];
    const matcher = matcherFor(['(broken'], warnings);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /\(broken/);
    assert.deepEqual(matcher.commandLinePatterns, DEFAULT_MATCHER.commandLinePatterns);
  });
});
