// Parser for tmux control mode (`tmux -C`), see tmux(1) "CONTROL MODE".
//
// The stream is a sequence of LF-terminated lines. A read may end anywhere, so bytes are buffered
// until a line is complete; everything is handled as bytes because pane output is arbitrary binary
// (only `%output` payloads escape bytes below 0x20 and the backslash as `\ooo`; command replies are
// sent raw). Notifications never appear inside a `%begin` … `%end`/`%error` block.

export type ControlEvent =
  /** A command reply. `flags` is 1 for commands this client sent, 0 otherwise; null before tmux 3.0. */
  | { readonly type: 'reply'; readonly number: number; readonly ok: boolean; readonly flags: number | null; readonly lines: Buffer[] }
  | { readonly type: 'output'; readonly paneId: string; readonly data: Buffer }
  | { readonly type: 'window-add' | 'window-close' | 'unlinked-window-close'; readonly windowId: string }
  | { readonly type: 'layout-change'; readonly windowId: string }
  | { readonly type: 'sessions-changed' }
  | { readonly type: 'session-changed'; readonly sessionId: string; readonly name: string }
  | { readonly type: 'pane-mode-changed'; readonly paneId: string }
  | { readonly type: 'exit'; readonly reason: string | null };

const LF = 0x0a;
const BACKSLASH = 0x5c;

/** Turns `\ooo` escapes into bytes; a backslash not followed by three octal digits is kept as is. */
export function decodeOctal(data: Buffer): Buffer {
  const first = data.indexOf(BACKSLASH);
  if (first < 0) return data;
  const out = Buffer.allocUnsafe(data.length);
  data.copy(out, 0, 0, first);
  let o = first;
  for (let i = first; i < data.length; i++) {
    const b = data[i];
    if (b === BACKSLASH && isOctal(data[i + 1]) && isOctal(data[i + 2]) && isOctal(data[i + 3])) {
      out[o++] = ((data[i + 1] - 0x30) * 64 + (data[i + 2] - 0x30) * 8 + (data[i + 3] - 0x30)) & 0xff;
      i += 3;
    } else {
      out[o++] = b;
    }
  }
  return out.subarray(0, o);
}

function isOctal(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x37;
}

interface OpenBlock {
  readonly time: string;
  readonly number: number;
  readonly flags: number | null;
  readonly lines: Buffer[];
}

export class ControlModeParser {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private block: OpenBlock | null = null;

  /** Feeds a chunk as read; returns the events of every line it completed. */
  push(chunk: Buffer): ControlEvent[] {
    const events: ControlEvent[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(LF); nl >= 0; nl = chunk.indexOf(LF, start)) {
      let line = chunk.subarray(start, nl);
      if (this.pendingLength > 0) {
        line = Buffer.concat([...this.pending, line]);
        this.pending = [];
        this.pendingLength = 0;
      }
      this.line(line, events);
      start = nl + 1;
    }
    if (start < chunk.length) {
      // Copied: the caller may reuse its buffer.
      const rest = Buffer.from(chunk.subarray(start));
      this.pending.push(rest);
      this.pendingLength += rest.length;
    }
    return events;
  }

  private line(raw: Buffer, events: ControlEvent[]): void {
    // tmux ends lines with LF; tolerate CRLF (e.g. a pty in between).
    const line = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
    const block = this.block;
    if (block !== null) {
      if (line[0] === 0x25 /* % */) {
        const m = /^%(end|error) (\S+) (\d+)(?: (\S+))?$/.exec(line.toString('latin1'));
        // A reply line that merely looks like %end cannot carry the same time and number.
        if (m && m[2] === block.time && Number(m[3]) === block.number) {
          this.block = null;
          events.push({ type: 'reply', number: block.number, ok: m[1] === 'end', flags: block.flags, lines: block.lines });
          return;
        }
      }
      block.lines.push(Buffer.from(line));
      return;
    }
    if (line[0] !== 0x25) return;
    const space = line.indexOf(0x20);
    const name = line.subarray(1, space < 0 ? line.length : space).toString('latin1');
    if (name === 'output') {
      const idEnd = line.indexOf(0x20, space + 1);
      if (idEnd < 0) return;
      const paneId = line.subarray(space + 1, idEnd).toString('latin1');
      events.push({ type: 'output', paneId, data: decodeOctal(line.subarray(idEnd + 1)) });
      return;
    }
    if (name === 'extended-output') {
      // %extended-output %<pane> <age> ... : <data>
      const sep = line.indexOf(' : ');
      const idEnd = line.indexOf(0x20, space + 1);
      if (sep < 0 || idEnd < 0) return;
      const paneId = line.subarray(space + 1, idEnd).toString('latin1');
      events.push({ type: 'output', paneId, data: decodeOctal(line.subarray(sep + 3)) });
      return;
    }
    const args = space < 0 ? [] : line.subarray(space + 1).toString('utf8').split(' ');
    switch (name) {
      case 'begin':
        this.block = { time: args[0] ?? '', number: Number(args[1] ?? -1), flags: args[2] === undefined ? null : Number(args[2]), lines: [] };
        return;
      case 'window-add':
      case 'window-close':
      case 'unlinked-window-close':
      case 'layout-change':
        if (args[0] !== undefined) events.push({ type: name, windowId: args[0] });
        return;
      case 'sessions-changed':
        events.push({ type: 'sessions-changed' });
        return;
      case 'session-changed':
        if (args[0] !== undefined) events.push({ type: 'session-changed', sessionId: args[0], name: args.slice(1).join(' ') });
        return;
      case 'pane-mode-changed':
        if (args[0] !== undefined) events.push({ type: 'pane-mode-changed', paneId: args[0] });
        return;
      case 'exit':
        events.push({ type: 'exit', reason: args.length > 0 ? args.join(' ') : null });
        return;
      default:
        // Other notifications (%window-renamed, %client-*, %paste-buffer-*, …) do not matter here.
        return;
    }
  }
}
