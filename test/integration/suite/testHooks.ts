// The extension's test hooks, which activate() hands out only outside production.
import * as assert from 'node:assert/strict';
import type { ClaudeQuotaApi, ClaudeQuotaTestHooks } from '../../../src/extension/api';

export function testHooks(api: ClaudeQuotaApi | undefined): ClaudeQuotaTestHooks {
  assert.ok(api, 'activate() returns the API');
  assert.equal(api.version, 1);
  assert.ok(api.testing, 'the test hooks are there when VS Code runs the extension for tests');
  return api.testing;
}
