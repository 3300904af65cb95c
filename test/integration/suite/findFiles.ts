// Files below a folder by name, for suites that look for the extension's log among VS Code's logs.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every file below `dir` whose name matches; a folder that cannot be read counts as empty. */
export function findFiles(dir: string, name: RegExp): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return findFiles(full, name);
    return e.isFile() && name.test(e.name) ? [full] : [];
  });
}
