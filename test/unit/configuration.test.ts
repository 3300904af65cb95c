import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

// configuration.ts imports vscode; its defaults are read from the compiled file's text instead.
const repo = path.resolve(__dirname, '../../..');

describe('settings', () => {
  it('package.json declares every typed setting with the same default, and nothing else', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default: unknown; description?: string; scope?: string }> } };
    };
    const declared = pkg.contributes.configuration.properties;
    const source = fs.readFileSync(path.join(repo, 'src/extension/configuration.ts'), 'utf8');
    const block = /export const DEFAULTS: Settings = (\{[\s\S]*?\n\});/.exec(source)?.[1];
    assert.ok(block, 'DEFAULTS block found');
    // The block is a plain object literal of JSON-compatible values.
    const defaults = Function(`"use strict"; return (${block});`)() as Record<string, unknown>;
    assert.deepEqual(Object.keys(declared).sort(), Object.keys(defaults).map((k) => `claudeQuota.${k}`).sort());
    for (const [key, value] of Object.entries(defaults)) {
      const entry = declared[`claudeQuota.${key}`];
      assert.deepEqual(entry.default, value, key);
      assert.ok(entry.description && entry.scope, `${key} has a description and a scope`);
    }
  });
});
