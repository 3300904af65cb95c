import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { REPO } from '../../support/paths';
import { DEFAULTS } from '../../../src/extension/settings';

const repo = REPO;

describe('settings', () => {
  it('package.json declares every typed setting with the same default, and nothing else', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default: unknown; description?: string; scope?: string }> } };
    };
    const declared = pkg.contributes.configuration.properties;
    const defaults: Readonly<Record<string, unknown>> = { ...DEFAULTS };
    assert.deepEqual(Object.keys(declared).sort(), Object.keys(defaults).map((k) => `claudeQuota.${k}`).sort());
    for (const [key, value] of Object.entries(defaults)) {
      const entry = declared[`claudeQuota.${key}`];
      assert.deepEqual(entry.default, value, key);
      assert.ok(entry.description && entry.scope, `${key} has a description and a scope`);
    }
  });
});
