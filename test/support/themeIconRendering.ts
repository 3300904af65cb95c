// What VS Code shows for a string with theme icons (status bar text, quick pick labels): the same
// expression as renderLabelWithIcons in VS Code 1.139 (read from code-server's workbench.js). An icon
// becomes `<icon:name>`; an escaped reference `\$(name)` becomes the literal `$(name)`.
const LABEL_WITH_ICONS = /(\\)?\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)/g;

export function renderWithIcons(text: string): string {
  return text.replace(LABEL_WITH_ICONS, (_match, escaped: string | undefined, name: string) => (escaped ? `$(${name})` : `<icon:${name}>`));
}
