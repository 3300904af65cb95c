import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ControlEvent, ControlModeParser, decodeOctal } from '../../../../../src/core/sources/tmux/controlModeParser';
import { DEFAULT_MATCHER, PaneInfo, ProcReader, isClaudePane, parsePaneList, LIST_PANES_FORMAT } from '../../../../../src/core/sources/tmux/discovery';
import { seedBytes } from '../../../../../src/core/sources/tmux/paneFeeds';
import { ScreenClassifier } from '../../../../../src/core/screen/screenClassifier';

const SAMPLE = Buffer.from(
  [
    '%begin 1795434277 265 0',
    '%end 1795434277 265 0',
    '%session-changed $0 my session',
    '%output %1 ab\\134c\\033[31mr\\015\\012',
    '%begin 1795434277 270 1',
    'ab\\c\x1b[31mred\x1b[39m é',
    '%end 1795434277 999 1',
    '%output %9 not a notification',
    '%end 1795434277 270 1',
    '%begin 1795434277 271 1',
    "can't find pane: %7",
    '%error 1795434277 271 1',
    '%window-renamed @0 sleep',
    '%layout-change @0 6aee,80x10,0,0 6aee,80x10,0,0 *',
    '%window-add @3',
    '%window-close @3',
    '%unlinked-window-close @4',
    '%pane-mode-changed %1',
    '%extended-output %1 12 : x\\012',
    '%client-session-changed /dev/pts/1 $1 other',
    '%sessions-changed',
    '%exit',
    '',
  ].join('\n'),
  'utf8',
);

function parseAll(chunks: Buffer[]): ControlEvent[] {
  const p = new ControlModeParser();
  return chunks.flatMap((c) => p.push(c));
}

describe('tmux control-mode parser', () => {
  it('decodes octal escapes to raw bytes and keeps other backslashes', () => {
    assert.deepEqual(decodeOctal(Buffer.from('a\\033[1mb\\134\\015\\012')), Buffer.from('a\x1b[1mb\\\r\n', 'latin1'));
    assert.deepEqual(decodeOctal(Buffer.from('\\342\\224\\200')), Buffer.from('─'));
    assert.deepEqual(decodeOctal(Buffer.from('end\\0')), Buffer.from('end\\0'));
    assert.deepEqual(decodeOctal(Buffer.from('\\9x')), Buffer.from('\\9x'));
    const plain = Buffer.from('no escapes é');
    assert.equal(decodeOctal(plain), plain);
  });

  it('parses replies, output and the notifications that matter; ignores the rest', () => {
    const events = parseAll([SAMPLE]);
    assert.deepEqual(
      events.map((e) => e.type),
      ['reply', 'session-changed', 'output', 'reply', 'reply', 'layout-change', 'window-add', 'window-close', 'unlinked-window-close', 'pane-mode-changed', 'output', 'sessions-changed', 'exit'],
    );
    const [attach, changed, out, capture, error] = events;
    assert.deepEqual(attach, { type: 'reply', number: 265, ok: true, flags: 0, lines: [] });
    assert.deepEqual(changed, { type: 'session-changed', sessionId: '$0', name: 'my session' });
    assert.ok(out.type === 'output');
    assert.equal(out.paneId, '%1');
    assert.deepEqual(out.data, Buffer.from('ab\\c\x1b[31mr\r\n', 'latin1'));
    assert.ok(capture.type === 'reply');
    assert.equal(capture.flags, 1);
    assert.equal(capture.ok, true);
    // Lines inside a block are raw, and a %end with another number is content.
    assert.deepEqual(capture.lines.map((l) => l.toString('utf8')), ['ab\\c\x1b[31mred\x1b[39m é', '%end 1795434277 999 1', '%output %9 not a notification']);
    assert.ok(error.type === 'reply');
    assert.equal(error.ok, false);
    assert.deepEqual(error.lines.map(String), ["can't find pane: %7"]);
    const ext = events[10];
    assert.ok(ext.type === 'output');
    assert.deepEqual(ext.data, Buffer.from('x\n'));
    assert.deepEqual(events[12], { type: 'exit', reason: null });
  });

  it('gives the same events however the stream is split, down to single bytes', () => {
    const whole = parseAll([SAMPLE]);
    for (let cut = 1; cut < SAMPLE.length; cut += 7) {
      assert.deepEqual(parseAll([SAMPLE.subarray(0, cut), SAMPLE.subarray(cut)]), whole, `cut at ${cut}`);
    }
    const bytes: Buffer[] = [];
    for (let i = 0; i < SAMPLE.length; i++) bytes.push(SAMPLE.subarray(i, i + 1));
    assert.deepEqual(parseAll(bytes), whole);
  });

  it('does not reuse the caller buffer for a partial line', () => {
    const p = new ControlModeParser();
    const chunk = Buffer.from('%output %2 hel');
    assert.deepEqual(p.push(chunk), []);
    chunk.fill(0x21);
    const events = p.push(Buffer.from('lo\n'));
    assert.deepEqual(events, [{ type: 'output', paneId: '%2', data: Buffer.from('hello') }]);
  });

  it('reads %exit with a reason and tolerates CRLF line ends', () => {
    assert.deepEqual(parseAll([Buffer.from('%exit server exited\r\n%sessions-changed\r\n')]), [
      { type: 'exit', reason: 'server exited' },
      { type: 'sessions-changed' },
    ]);
  });
});

describe('tmux discovery', () => {
  const pane = (over: Partial<PaneInfo>): PaneInfo => ({
    sessionId: '$0', sessionName: 's', windowIndex: 0, paneIndex: 0, paneId: '%0', panePid: 1,
    currentCommand: 'bash', cols: 80, rows: 24, dead: false, ...over,
  });

  it('parses list-panes output, session names with tabs included', () => {
    assert.equal(LIST_PANES_FORMAT.split('\t').length, 10);
    const list = parsePaneList('$1\t2\t3\t%7\t4242\tclaude\t120\t40\t0\tmy\tsession\nnot a pane\n');
    assert.deepEqual(list, [
      { sessionId: '$1', windowIndex: 2, paneIndex: 3, paneId: '%7', panePid: 4242, currentCommand: 'claude', cols: 120, rows: 40, dead: false, sessionName: 'my\tsession' },
    ]);
  });

  it('recognises claude, claude.exe and node running the npm package; not dead panes or lookalikes', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-proc-'));
    try {
      const proc = (pid: number, comm: string, argv: string[], children: number[]): void => {
        fs.mkdirSync(path.join(root, String(pid), 'task', String(pid)), { recursive: true });
        fs.writeFileSync(path.join(root, String(pid), 'comm'), `${comm}\n`);
        fs.writeFileSync(path.join(root, String(pid), 'cmdline'), argv.join('\0') + '\0');
        fs.writeFileSync(path.join(root, String(pid), 'task', String(pid), 'children'), children.join(' ') + (children.length ? ' ' : ''));
      };
      fs.mkdirSync(path.join(root, 'self'));
      proc(10, 'bash', ['-bash'], [11]);
      proc(11, 'node', ['node', '/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js'], []);
      proc(20, 'bash', ['bash'], [21]);
      proc(21, 'claude.exe', ['/opt/cc/node_modules/@anthropic-ai/claude-code/bin/claude.exe'], []);
      proc(30, 'zsh', ['zsh'], [31]);
      proc(31, 'vim', ['vim', 'notes/claude', '@anthropic-ai/claude-code-notes.md'], []);
      const reader = new ProcReader(root);
      assert.ok(reader.available);
      assert.ok(isClaudePane(pane({ currentCommand: 'claude' }), DEFAULT_MATCHER, null));
      assert.ok(isClaudePane(pane({ currentCommand: 'claude.exe' }), DEFAULT_MATCHER, null));
      assert.ok(!isClaudePane(pane({ currentCommand: 'claude', dead: true }), DEFAULT_MATCHER, null));
      assert.ok(isClaudePane(pane({ currentCommand: 'bash', panePid: 10 }), DEFAULT_MATCHER, reader));
      assert.ok(isClaudePane(pane({ currentCommand: 'bash', panePid: 20 }), DEFAULT_MATCHER, reader));
      assert.ok(!isClaudePane(pane({ currentCommand: 'zsh', panePid: 30 }), DEFAULT_MATCHER, reader));
      assert.ok(!isClaudePane(pane({ currentCommand: 'bash', panePid: 99 }), DEFAULT_MATCHER, reader));
      // The setting's patterns judge a pane's processes as they judge a terminal's: an npm bin link
      // runs under node, so `node /usr/local/bin/claude` is Claude Code.
      proc(40, 'bash', ['-bash'], [41]);
      proc(41, 'node', ['node', '/usr/local/bin/claude', '--resume'], []);
      const settingMatcher = { ...DEFAULT_MATCHER, commandLinePatterns: [/^(?:\S*\/)?claude(?:\.exe)?(?:\s|$)/] };
      assert.ok(isClaudePane(pane({ currentCommand: 'node', panePid: 40 }), settingMatcher, reader));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('seed bytes redraw a capture with CR LF rows and the cursor where tmux has it', async () => {
    const screen = new ScreenClassifier({ cols: 20, rows: 4 });
    screen.write('old junk\r\nmore junk');
    screen.write(seedBytes('\x1b[31mfirst\x1b[39m\nsecond   \n\nfourth\n', 3, 2));
    screen.write('X');
    assert.deepEqual(screen.visibleLines().map((l) => l.trimEnd()), ['first', 'second', '   X', 'fourth']);
    screen.dispose();
  });
});
