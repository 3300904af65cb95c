// Hostile terminal output for the screen watcher's CPU budget: a deterministic mix of escape
// sequences (colours, cursor moves, erases, scroll regions, alternate-screen switches, titles,
// device strings, resets, wide characters) and text, as when a binary or a broken program is
// printed into a watched session.

/** Deterministic PRNG (mulberry32): every run sees the same bytes. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['limit', 'usage', 'resets', 'claude', 'error', 'api', '5-hour', 'weekly', '\u26a0', '\u23bf', 'x'.repeat(40), '\u4e2d\u6587', '\ud83d\ude00'];

function piece(r: () => number): string {
  const n = (max: number): number => Math.floor(r() * max);
  switch (n(16)) {
    case 0:
      return `\x1b[${n(300)};${n(300)}H`;
    case 1:
      return `\x1b[${[...Array(1 + n(12))].map(() => n(256)).join(';')}m`;
    case 2:
      return `\x1b[38;2;${n(256)};${n(256)};${n(256)}m`;
    case 3:
      // Not ED 1: xterm 6.0.0 throws on it at the last cell of a screen without scrollback (the
      // watcher survives that, see its tests; here it would only blur what is measured).
      return r() < 0.5 ? `\x1b[${[0, 2, 3][n(3)]}J` : `\x1b[${n(3)}K`;
    case 4:
      return `\x1b[${1 + n(20)};${20 + n(40)}r`;
    case 5:
      return r() < 0.5 ? '\x1b[?1049h' : '\x1b[?1049l';
    case 6:
      return `\x1b]0;${WORDS[n(WORDS.length)]}\x07`;
    case 7:
      return `\x1bP${'q'.repeat(1 + n(30))}\x1b\\`;
    case 8:
      return `\x1b[${n(50)}${'ABCDLMPSTX@'[n(11)]}`;
    case 9:
      return r() < 0.05 ? '\x1bc' : '\x1b7\x1b8';
    case 10:
      return String.fromCharCode(...[...Array(1 + n(40))].map(() => n(256)));
    case 11:
      return '\r\n';
    default:
      return `${WORDS[n(WORDS.length)]} `;
  }
}

/** One chunk of about `size` characters (UTF-8 encoded: a little more bytes). */
function chunk(r: () => number, size: number): Buffer {
  let s = '';
  while (s.length < size) s += piece(r);
  return Buffer.from(s, 'utf8');
}

/**
 * At least `totalBytes` of hostile output in chunks of about `chunkSize`, from a pool of 64
 * distinct chunks taken in a seeded order (generating every chunk afresh would cost the test more
 * than the watcher spends on them).
 */
export function* escapeFlood(totalBytes: number, chunkSize = 64 * 1024, seed = 42): Generator<Buffer> {
  const r = rng(seed);
  const pool = [...Array(64)].map(() => chunk(r, chunkSize));
  for (let sent = 0; sent < totalBytes; ) {
    const next = pool[Math.floor(r() * pool.length)];
    sent += next.length;
    yield next;
  }
}
