// Text from files and users, made safe to print: control, format and bidi characters become visible
// escapes, so a label, an email or a pane title cannot move the cursor, reorder a line or hide text
// in a terminal, a quick pick, a notification or the status bar.

/** C0, DEL, C1, format characters (bidi overrides and isolates, zero-width ones, BOM), line and paragraph separators. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

export function hasUnsafeCharacters(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text);
}

/** `text` with every unsafe character written as `\u{XXXX}`; text without any comes back unchanged. */
export function escapeForDisplay(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}}`);
}
