// Replaces one top-level key of a JSON document by splicing text, so every other byte of files such as
// `.claude.json` (which hold much unrelated user state, including numbers JSON.parse would round)
// stays exactly as it was.
import { isDeepStrictEqual } from 'node:util';
import { AccountError } from './errors';

interface Span {
  /** Offset of the key's opening quote. */
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

interface TopLevel {
  open: number;
  close: number;
  members: Map<string, Span>;
  memberCount: number;
}

function skipWs(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xfeff) i++;
    else break;
  }
  return i;
}

function skipString(text: string, i: number): number {
  // i points at the opening quote.
  i++;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  throw new Error('unterminated string');
}

function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    while (i < text.length) {
      const ch = text[i];
      if (ch === '"') {
        i = skipString(text, i);
        continue;
      }
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new Error('unterminated container');
  }
  while (i < text.length && !/[,}\]\s]/.test(text[i] ?? '')) i++;
  return i;
}

function scanTopLevel(text: string): TopLevel {
  let i = skipWs(text, 0);
  if (text[i] !== '{') throw new Error('not an object');
  const open = i;
  i = skipWs(text, i + 1);
  const members = new Map<string, Span>();
  let memberCount = 0;
  if (text[i] === '}') return { open, close: i, members, memberCount };
  for (;;) {
    if (text[i] !== '"') throw new Error('expected key');
    const keyStart = i;
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(keyStart, keyEnd)) as string;
    i = skipWs(text, keyEnd);
    if (text[i] !== ':') throw new Error('expected colon');
    const valueStart = skipWs(text, i + 1);
    const valueEnd = skipValue(text, valueStart);
    // The last duplicate wins in JSON.parse, so the splice targets the same occurrence.
    members.set(key, { keyStart, valueStart, valueEnd });
    memberCount++;
    i = skipWs(text, valueEnd);
    if (text[i] === ',') {
      i = skipWs(text, i + 1);
      continue;
    }
    if (text[i] === '}') return { open, close: i, members, memberCount };
    throw new Error('expected comma or brace');
  }
}

/** The indentation unit of a pretty-printed document, or null for a compact one. */
export function detectIndent(text: string): string | null {
  const m = /\n([ \t]+)["}\]]/.exec(text);
  return m?.[1] ?? null;
}

function render(value: unknown, indent: string | null, level: number): string {
  if (indent === null) return JSON.stringify(value);
  const pad = indent.repeat(level);
  return JSON.stringify(value, null, indent).split('\n').join('\n' + pad);
}

/** The document as an object, or the one-line refusal. */
function parseObject(text: string, fileForErrors: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new AccountError('malformed', `${fileForErrors} is not a JSON object; nothing was changed`);
  }
}

/**
 * Returns `text` with top-level `key` set to `value`; every other byte is kept when the document can be
 * spliced, otherwise the document is re-serialised with its own indentation. The result is checked by
 * parsing it back; a result that would differ in anything but `key` is never returned.
 */
export function setTopLevelKey(text: string, key: string, value: unknown, fileForErrors: string): string {
  const original = parseObject(text, fileForErrors);
  const expected = { ...original, [key]: value };
  const indent = detectIndent(text);
  const candidates: (() => string)[] = [
    () => {
      const top = scanTopLevel(text);
      const span = top.members.get(key);
      if (span) {
        return text.slice(0, span.valueStart) + render(value, indent, 1) + text.slice(span.valueEnd);
      }
      const member = `${JSON.stringify(key)}:${indent === null ? '' : ' '}${render(value, indent, 1)}`;
      if (top.memberCount === 0) {
        const inner = indent === null ? member : `\n${indent}${member}\n`;
        return text.slice(0, top.open + 1) + inner + text.slice(top.close);
      }
      // Insert after the last member, before any whitespace that precedes the closing brace.
      let last = 0;
      for (const s of top.members.values()) last = Math.max(last, s.valueEnd);
      const sep = indent === null ? ',' : `,\n${indent}`;
      return text.slice(0, last) + sep + member + text.slice(last);
    },
    () => {
      const trailing = /\r?\n$/.exec(text)?.[0] ?? '';
      const body = indent === null ? JSON.stringify(expected) : JSON.stringify(expected, null, indent);
      return body + trailing;
    },
  ];
  for (const make of candidates) {
    let out: string;
    try {
      out = make();
    } catch {
      continue;
    }
    try {
      if (isDeepStrictEqual(JSON.parse(out), expected)) return out;
    } catch {
      // fall through to the next strategy
    }
  }
  throw new AccountError('malformed', `Could not update ${key} in ${fileForErrors} safely; nothing was changed`);
}

/**
 * `setTopLevelKey` on the bytes of a file. Where the bytes are not valid UTF-8 (a stray byte elsewhere
 * in `.claude.json`), only the key's own span is replaced and every other byte is kept as it was, so
 * such bytes never come back as U+FFFD; if that splice is not possible, nothing is changed.
 */
export function setTopLevelKeyInBytes(bytes: Uint8Array, key: string, value: unknown, fileForErrors: string): Buffer {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(buf)) {
    return Buffer.from(setTopLevelKey(text, key, value, fileForErrors), 'utf8');
  }
  // One char per byte: every structural character of JSON is ASCII and no byte of a multi-byte
  // sequence is, so offsets found here are byte offsets.
  const latin = buf.toString('latin1');
  const original = parseObject(text, fileForErrors);
  const expected = { ...original, [key]: value };
  try {
    const span = scanTopLevel(latin).members.get(key);
    if (span) {
      const rendered = Buffer.from(render(value, detectIndent(latin), 1), 'utf8');
      const out = Buffer.concat([buf.subarray(0, span.valueStart), rendered, buf.subarray(span.valueEnd)]);
      if (isDeepStrictEqual(JSON.parse(out.toString('utf8')), expected)) return out;
    }
  } catch {
    // fall through: refused below
  }
  throw new AccountError(
    'malformed',
    `${fileForErrors} holds bytes that are not UTF-8 and ${key} cannot be replaced without touching them; nothing was changed`,
  );
}
