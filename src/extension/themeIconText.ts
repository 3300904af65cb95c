// Free text (account labels, terminal names) inside strings that VS Code renders with theme icons:
// status bar item text, quick pick labels and descriptions. There `$(name)` becomes an icon and
// `\$(name)` the literal `$(name)` (VS Code 1.93–1.139 renderLabelWithIcons). Only a `$(` that forms an
// icon reference is escaped: before any other `$(` VS Code would show the backslash itself.
const ICON_REFERENCE = /\$\((?=[A-Za-z0-9-]+(?:~[A-Za-z]+)?\))/g;

/** `text` escaped so that VS Code shows it literally where theme icons are rendered. */
export function escapeThemeIcons(text: string): string {
  // Every reference gets a backslash, even one already preceded by a backslash: VS Code consumes
  // exactly one, so a label's own `\$(x)` still shows as `\$(x)`.
  return text.replace(ICON_REFERENCE, '\\$(');
}
