// Every string package.json shows a user is a %key% placeholder resolved in package.nls.json (so a
// translation bundle can replace it), and package.nls.json holds nothing that is not used.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../../support/paths';
import { COMMAND_CATEGORY } from '../../../src/extension/commandIds';

/** Fields of a manifest that VS Code shows to people. */
const SHOWN = new Set(['displayName', 'description', 'title', 'category', 'name', 'contextualTitle', 'markdownDescription', 'enumDescriptions', 'deprecationMessage', 'markdownDeprecationMessage']);

function shownStrings(value: unknown, key: string, out: { path: string; text: string }[], at: string): void {
  if (typeof value === 'string') {
    if (SHOWN.has(key)) out.push({ path: at, text: value });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => shownStrings(v, key === 'enumDescriptions' ? key : `${key}[]`, out, `${at}[${i}]`));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) shownStrings(v, k, out, at ? `${at}.${k}` : k);
  }
}

describe('package.nls.json', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { displayName: string; description: string; contributes: unknown };
  const nls = JSON.parse(fs.readFileSync(path.join(REPO, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const shown: { path: string; text: string }[] = [];
  shownStrings({ displayName: pkg.displayName, description: pkg.description }, '', shown, '');
  shownStrings(pkg.contributes, 'contributes', shown, 'contributes');

  it('resolves every string the manifest shows through a key', () => {
    assert.ok(shown.length > 30, `found ${shown.length} shown strings`);
    for (const s of shown) {
      const m = /^%([\w.-]+)%$/.exec(s.text);
      assert.ok(m, `${s.path} is written out ("${s.text}") instead of a %key%`);
      assert.equal(typeof nls[m[1] ?? ''], 'string', `${s.path}: ${s.text} is not in package.nls.json`);
    }
  });

  it('holds no unused key, and the command category matches the one in code', () => {
    const used = new Set(shown.map((s) => s.text.slice(1, -1)));
    assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), []);
    assert.equal(nls['command.category'], COMMAND_CATEGORY);
  });

  it('ships with the package', () => {
    assert.match(fs.readFileSync(path.join(REPO, '.vscodeignore'), 'utf8'), /^!package\.nls\.json$/m);
  });
});
