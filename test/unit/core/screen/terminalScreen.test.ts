import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { TerminalScreen } from '../../../../src/core/screen/terminalScreen';

async function feed(screen: TerminalScreen, data: Uint8Array | string): Promise<void> {
  screen.write(data);
  await screen.flush();
}

async function look(screen: TerminalScreen, data: Uint8Array | string): Promise<string[]> {
  await feed(screen, data);
  return screen.takeChangedLines();
}

/** Output mixing multi-byte UTF-8, wide characters, SGR, OSC, cursor moves, CR overwrite and a TUI redraw. */
function sampleOutput(): Buffer {
  const parts: string[] = ['\x1b]0;claude — é title\x07'];
  for (let i = 0; i < 120; i++) {
    parts.push(`\x1b[38;5;${i % 256}m●\x1b[0m line ${i} café ─ 日本語 🎉 \x1b[1mbold\x1b[22m\r\n`);
    if (i % 7 === 0) {
      parts.push('progress 10%\rprogress 99%\r\n');
    }
    if (i % 10 === 0) {
      parts.push(`\x1b[2A\r\x1b[2K╭ box ${i} ╮\r\n\x1b[2K│ > prompt │\r\n`);
    }
  }
  parts.push('\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\ end\r\n');
  parts.push('5-hour limit reached ∙ resets 3pm\r\n');
  return Buffer.from(parts.join(''), 'utf8');
}

async function renderWhole(bytes: Uint8Array): Promise<{ visible: string[]; changed: string[] }> {
  const screen = new TerminalScreen({ cols: 60, rows: 20, scrollback: 500 });
  await feed(screen, bytes);
  const result = { visible: screen.visibleLines(), changed: screen.takeChangedLines() };
  screen.dispose();
  return result;
}

async function renderSplit(bytes: Uint8Array, cuts: readonly number[]): Promise<{ visible: string[]; changed: string[] }> {
  const screen = new TerminalScreen({ cols: 60, rows: 20, scrollback: 500 });
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    // A copy per chunk, as a pty delivers fresh buffers.
    screen.write(Uint8Array.prototype.slice.call(bytes, prev, p));
    prev = p;
  }
  await screen.flush();
  const result = { visible: screen.visibleLines(), changed: screen.takeChangedLines() };
  screen.dispose();
  return result;
}

describe('TerminalScreen', () => {
  it('parses writes at once with the pinned xterm, so a look needs no timer', () => {
    const screen = new TerminalScreen({ cols: 40, rows: 5 });
    assert.equal(screen.parsesSynchronously, true, 'xterm core writeSync is missing: check the @xterm/headless upgrade');
    screen.write('limit reached\r\n');
    assert.deepEqual(screen.takeChangedLines(), ['limit reached']);
    screen.dispose();
  });

  describe('split-anywhere equivalence', () => {
    it('gives the same screen for a UTF-8 character and an escape split across writes', async () => {
      const screen = new TerminalScreen({ cols: 40, rows: 5 });
      const bytes = Buffer.from('caf\u00e9 \x1b[31mred\x1b[0m 日\r\n', 'utf8');
      const eAcute = bytes.indexOf(0xc3);
      const esc = bytes.indexOf(0x1b);
      screen.write(bytes.subarray(0, eAcute + 1));
      screen.write(bytes.subarray(eAcute + 1, esc + 2));
      screen.write(bytes.subarray(esc + 2, bytes.length - 4));
      screen.write(bytes.subarray(bytes.length - 4, bytes.length - 3));
      screen.write(bytes.subarray(bytes.length - 3));
      await screen.flush();
      assert.deepEqual(screen.visibleLines(), ['café red 日']);
      assert.deepEqual(screen.takeChangedLines(), ['café red 日']);
      screen.dispose();
    });

    it('renders random chunkings of the same bytes identically', async () => {
      const bytes = sampleOutput();
      const whole = await renderWhole(bytes);
      assert.ok(whole.changed.includes('5-hour limit reached ∙ resets 3pm'));
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(), { maxLength: 400 }), async (cuts) => {
          const split = await renderSplit(bytes, cuts);
          assert.deepEqual(split.visible, whole.visible);
          assert.deepEqual(new Set(split.changed), new Set(whole.changed));
        }),
        { numRuns: 25 },
      );
    });

    it('splits every single byte without changing the result', async () => {
      const bytes = sampleOutput();
      const whole = await renderWhole(bytes);
      const split = await renderSplit(bytes, Array.from({ length: bytes.length }, (_, i) => i));
      assert.deepEqual(split.visible, whole.visible);
      assert.deepEqual(split.changed, whole.changed);
    });
  });

  describe('terminal semantics', () => {
    it('applies carriage-return overwrite as a terminal does', async () => {
      const screen = new TerminalScreen({ cols: 40, rows: 5 });
      assert.deepEqual(await look(screen, 'Progress 10%\rProgress 20%'), ['Progress 20%']);
      assert.deepEqual(await look(screen, '\rProgress 30%'), ['Progress 30%']);
      // Overwriting with the same characters leaves the row as it was.
      assert.deepEqual(await look(screen, '\rProg'), []);
      assert.deepEqual(screen.visibleLines(), ['Progress 30%']);
      screen.dispose();
    });

    it('clears whole lines and line tails', async () => {
      const screen = new TerminalScreen({ cols: 40, rows: 5 });
      assert.deepEqual(await look(screen, 'hello world'), ['hello world']);
      assert.deepEqual(await look(screen, '\r\x1b[2K'), []);
      assert.deepEqual(screen.visibleLines(), []);
      assert.deepEqual(await look(screen, 'abcdef'), ['abcdef']);
      assert.deepEqual(await look(screen, '\r\x1b[3C\x1b[K'), ['abc']);
      assert.deepEqual(screen.visibleLines(), ['abc']);
      screen.dispose();
    });

    it('reports only the row a cursor-up redraw actually changed', async () => {
      const screen = new TerminalScreen({ cols: 40, rows: 10 });
      const frame = (status: string): string => `\x1b[2K╭────╮\r\n\x1b[2K│ ${status} │\r\n\x1b[2K╰────╯\r\n`;
      assert.deepEqual(await look(screen, 'output\r\n' + frame('idle')), ['output', '╭────╮', '│ idle │', '╰────╯']);
      assert.deepEqual(await look(screen, '\x1b[3A\r' + frame('idle')), []);
      assert.deepEqual(await look(screen, '\x1b[3A\r' + frame('limit reached')), ['│ limit reached │']);
      assert.deepEqual(screen.visibleLines(), ['output', '╭────╮', '│ limit reached │', '╰────╯']);
      screen.dispose();
    });

    it('reports nothing when the screen is cleared and redrawn identically', async () => {
      const screen = new TerminalScreen({ cols: 40, rows: 6, scrollback: 50 });
      const page = 'alpha\r\nbeta\r\ngamma';
      await look(screen, page);
      assert.deepEqual(await look(screen, '\x1b[2J\x1b[H' + page), []);
      // A row moved by one line is the same text, not new evidence.
      assert.deepEqual(await look(screen, '\x1b[2J\x1b[H\r\n' + page), []);
      assert.deepEqual(await look(screen, '\x1b[2J\x1b[H' + page + '\r\ndelta'), ['delta']);
      screen.dispose();
    });

    it('shows the alternate screen and restores the normal one', async () => {
      const screen = new TerminalScreen({ cols: 40, rows: 5 });
      assert.deepEqual(await look(screen, '$ prompt\r\n'), ['$ prompt']);
      assert.deepEqual(await look(screen, '\x1b[?1049h\x1b[Hin alt'), ['in alt']);
      assert.deepEqual(screen.visibleLines(), ['in alt']);
      assert.deepEqual(await look(screen, '\x1b[?1049l'), []);
      assert.deepEqual(screen.visibleLines(), ['$ prompt']);
      assert.deepEqual(await look(screen, 'after\r\n'), ['after']);
      screen.dispose();
    });

    it('keeps lines written on both screens within one batch', async () => {
      const screen = new TerminalScreen({ cols: 40, rows: 5, scrollback: 20 });
      const changed = await look(screen, 'n1\r\nn2\r\nn3\r\nn4\r\nn5\r\nn6\r\n\x1b[?1049h\x1b[Halt text\x1b[?1049l\r\nback');
      assert.deepEqual(changed, ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'alt text', 'back']);
      // Entering again wipes the alternate screen; its old text is not reported again.
      assert.deepEqual(await look(screen, '\x1b[?1049h\x1b[Hfresh'), ['fresh']);
      assert.deepEqual(await look(screen, '\x1b[?1049l'), []);
      screen.dispose();
    });

    it('joins wrapped rows into one logical line, keeping a space at the wrap point', async () => {
      const screen = new TerminalScreen({ cols: 10, rows: 5 });
      const text = 'usage lim it reached resets 3pm';
      assert.deepEqual(await look(screen, text + '\r\nnext'), [text, 'next']);
      assert.deepEqual(screen.visibleLines(), [text, 'next']);
      screen.dispose();
    });

    it('does not report lines again after a reflowing resize', async () => {
      const screen = new TerminalScreen({ cols: 20, rows: 5, scrollback: 50 });
      const long = 'x'.repeat(35) + ' tail';
      await look(screen, `first\r\n${long}\r\nlast`);
      screen.resize(50, 5);
      await screen.flush();
      assert.deepEqual(screen.takeChangedLines(), []);
      assert.ok(screen.visibleLines().includes(long));
      screen.resize(12, 8);
      assert.deepEqual(screen.takeChangedLines(), []);
      screen.dispose();
    });

    it('keeps working after a full reset', async () => {
      const screen = new TerminalScreen({ cols: 20, rows: 4, scrollback: 10 });
      await look(screen, 'a\r\nb\r\nc\r\nd\r\ne\r\n');
      assert.deepEqual(await look(screen, '\x1bcnew start\r\n'), ['new start']);
      const lines = Array.from({ length: 12 }, (_, i) => `r${i}`);
      assert.deepEqual(await look(screen, lines.join('\r\n')), lines);
      assert.deepEqual(await look(screen, '\r\n'), []);
      screen.dispose();
    });
  });

  describe('scrollback', () => {
    it('never reports a line again once it scrolled into scrollback', async () => {
      const screen = new TerminalScreen({ cols: 40, rows: 5, scrollback: 30 });
      assert.deepEqual(await look(screen, 'LIMIT reached\r\n'), ['LIMIT reached']);
      for (let round = 0; round < 20; round++) {
        const batch = Array.from({ length: 3 }, (_, i) => `r${round}-${i}\r\n`).join('');
        const changed = await look(screen, batch);
        assert.ok(!changed.includes('LIMIT reached'), `round ${round}`);
        assert.equal(changed.length, 3);
      }
      // Deleting the top viewport row must not make older scrollback look new.
      assert.deepEqual(await look(screen, '\x1b[H\x1b[M'), []);
      screen.dispose();
    });

    it('reports every line that scrolled past between two looks', async () => {
      const screen = new TerminalScreen({ cols: 40, rows: 5, scrollback: 100 });
      await look(screen, 'start\r\n');
      const lines = Array.from({ length: 60 }, (_, i) => `line ${i}`);
      assert.deepEqual(await look(screen, lines.join('\r\n')), lines);
      screen.dispose();
    });

    it('passes over rows that scrolled away when told to, still reading the whole viewport', async () => {
      const screen = new TerminalScreen({ cols: 40, rows: 5, scrollback: 100 });
      await look(screen, 'start\r\n');
      const lines = Array.from({ length: 60 }, (_, i) => `line ${i}`);
      await feed(screen, lines.join('\r\n'));
      screen.skipScrolled();
      assert.deepEqual(screen.takeChangedLines(), lines.slice(-5));
      // The next look is as usual: rows that scroll from now on are read.
      assert.deepEqual(await look(screen, '\r\nnext 1\r\nnext 2'), ['next 1', 'next 2']);
      screen.dispose();
    });

    it('bounds memory while streaming and reports only what the buffer still holds', async () => {
      const rows = 10;
      const scrollback = 100;
      const screen = new TerminalScreen({ cols: 80, rows, scrollback });
      let n = 0;
      for (let chunk = 0; chunk < 200; chunk++) {
        let s = '';
        for (let i = 0; i < 1000; i++) {
          s += `streamed line ${n++}\r\n`;
        }
        screen.write(s);
      }
      await screen.flush();
      assert.ok(screen.bufferLength <= rows + scrollback, `buffer ${screen.bufferLength}`);
      const changed = screen.takeChangedLines();
      assert.ok(changed.length <= rows + scrollback);
      assert.equal(changed[changed.length - 1], `streamed line ${n - 1}`);
      assert.deepEqual(await look(screen, 'tail'), ['tail']);
      screen.dispose();
    });

    it('starts over cleanly after the scrollback is erased', async () => {
      const screen = new TerminalScreen({ cols: 40, rows: 4, scrollback: 20 });
      await look(screen, Array.from({ length: 15 }, (_, i) => `old ${i}`).join('\r\n'));
      assert.deepEqual(await look(screen, '\x1b[3J\x1b[2J\x1b[Hnew'), ['new']);
      screen.dispose();
    });
  });

  describe('lifecycle', () => {
    it('settles a pending flush when disposed', async () => {
      const screen = new TerminalScreen();
      screen.write('x'.repeat(1_000_000));
      const pending = screen.flush();
      screen.dispose();
      await pending;
    });

    it('returns nothing without new output and tolerates use after dispose', async () => {
      const screen = new TerminalScreen();
      await screen.flush();
      assert.deepEqual(screen.takeChangedLines(), []);
      await look(screen, 'x');
      assert.deepEqual(screen.takeChangedLines(), []);
      screen.dispose();
      screen.dispose();
      screen.write('y');
      await screen.flush();
      assert.deepEqual(screen.takeChangedLines(), []);
      assert.deepEqual(screen.visibleLines(), []);
    });
  });

  describe('properties', () => {
    it('never throws on random bytes', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), async (chunks) => {
          const screen = new TerminalScreen({ cols: 30, rows: 6, scrollback: 20 });
          for (const c of chunks) {
            screen.write(c);
            if (c.length % 3 === 0) {
              await screen.flush();
              screen.takeChangedLines();
            }
          }
          await screen.flush();
          const changed = screen.takeChangedLines();
          assert.ok(changed.every((l) => l !== ''));
          screen.visibleLines();
          assert.ok(screen.bufferLength <= 26);
          assert.deepEqual(screen.takeChangedLines(), []);
          screen.dispose();
        }),
        { numRuns: 150 },
      );
    });

    it('never throws on random control sequences, and a second look reports nothing', async () => {
      const token = fc.constantFrom(
        'text', ' limit ', '日本', '🎉', '\r', '\n', '\r\n', '\x1b[2K', '\x1b[K', '\x1b[2J', '\x1b[3J', '\x1b[H', '\x1b[5A',
        '\x1b[3B', '\x1b[10C', '\x1b[M', '\x1b[L', '\x1b[2;4r', '\x1b[r', '\x1b[?1049h', '\x1b[?1049l', '\x1b[?47h',
        '\x1b[?47l', '\x1bc', '\x1b7', '\x1b8', '\x1bM', '\x1b[S', '\x1b[T', '\x1b[31m', '\x1b]0;t\x07', '\x1b[?7l', '\x1b[?7h',
      );
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(token, { maxLength: 40 }), { maxLength: 6 }), async (batches) => {
          const screen = new TerminalScreen({ cols: 12, rows: 5, scrollback: 10 });
          for (const batch of batches) {
            await feed(screen, batch.join(''));
            assert.ok(screen.takeChangedLines().every((l) => l !== ''));
            assert.deepEqual(screen.takeChangedLines(), []);
            screen.resize(8 + (batch.length % 10), 3 + (batch.length % 4));
          }
          screen.dispose();
        }),
        { numRuns: 150 },
      );
    });
  });
});
