import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A long Claude Code session as a terminal sees it: ordinary assistant output, tool results,
 * diffs, spinner redraws (cursor up + clear line), and now and then the recorded limit screens.
 */
export function buildSessionCorpus(targetBytes: number, recordingsDir: string): Buffer {
  const recordings = fs.existsSync(recordingsDir)
    ? fs.readdirSync(recordingsDir).filter((f) => f.endsWith('.bin')).sort().map((f) => fs.readFileSync(path.join(recordingsDir, f)))
    : [];
  const parts: Buffer[] = [];
  let size = 0;
  let i = 0;
  while (size < targetBytes) {
    const block = Buffer.from(ordinaryBlock(i), 'utf8');
    parts.push(block);
    size += block.length;
    if (recordings.length > 0 && i % 50 === 49) {
      const rec = recordings[(i / 50) % recordings.length | 0];
      parts.push(rec);
      size += rec.length;
    }
    i++;
  }
  return Buffer.concat(parts).subarray(0, targetBytes);
}

function ordinaryBlock(i: number): string {
  const lines: string[] = [];
  lines.push(`\x1b[1m⏺\x1b[0m I'll look at \x1b[36msrc/module${i % 37}.ts\x1b[0m and update the handler.`);
  lines.push(`  ⎿\u00a0 Read 120 lines (ctrl+r to expand)`);
  for (let k = 0; k < 12; k++) {
    const n = 100 + k;
    const sign = k % 3 === 0 ? '\x1b[32m+' : k % 3 === 1 ? '\x1b[31m-' : ' ';
    lines.push(`      ${n} ${sign}  const value${k} = compute(input, { retries: ${k}, label: "item ${i}" });\x1b[0m`);
  }
  lines.push(`  The tests in \x1b[1mtest/handler.test.ts\x1b[0m now pass; "usage limit reached" stays a string literal.`);
  let text = lines.join('\r\n') + '\r\n';
  // The spinner: Claude Code redraws its status line in place many times a second.
  for (let s = 0; s < 8; s++) {
    text += `\x1b[2K\r\x1b[33m✻\x1b[0m Thinking… (${s}s · ↑ ${i * 7 + s} tokens · esc to interrupt)`;
  }
  text += '\x1b[2K\r';
  return text;
}
