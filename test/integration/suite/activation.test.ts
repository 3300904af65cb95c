// Runs inside the extension host of a real VS Code (see test/host/runVsCode.mjs).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ClaudeQuotaApi } from '../../../src/extension/api';
import { waitFor } from './wait';

const EXTENSION_ID = 'claude-quota-sentinel.claude-quota-sentinel';
const SHOW_LOG = 'claudeQuota.showLog';

/** Re-checks `condition` every `intervalMs` until it holds or `timeoutMs` has passed. */

describe('extension activation', () => {
  it('is installed under its id', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} not found`);
    const manifest = extension.packageJSON as { activationEvents?: string[]; contributes?: { commands?: { command: string }[] } };
    assert.ok(manifest.activationEvents?.includes('onStartupFinished'), 'activates on onStartupFinished');
    assert.ok(manifest.contributes?.commands?.some((c) => c.command === SHOW_LOG), `${SHOW_LOG} is contributed`);
  });

  it('activates by itself after startup (onStartupFinished)', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    await waitFor(`${EXTENSION_ID} to be active`, () => extension.isActive, 45000);
    // activate() on an active extension returns the same finished activation; it must not throw.
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('returns a versioned public API that holds no secret, and registers every contributed command', async () => {
    const extension = vscode.extensions.getExtension<ClaudeQuotaApi>(EXTENSION_ID);
    assert.ok(extension);
    const api = await extension.activate();
    assert.equal(api.version, 1);
    assert.ok(Array.isArray(await api.listAccounts()));
    assert.ok(Array.isArray(api.sessions().sessions));
    assert.equal(typeof api.onDidChangeSessions, 'function');
    const manifest = extension.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = await vscode.commands.getCommands(true);
    for (const c of manifest.contributes.commands) assert.ok(registered.includes(c.command), `${c.command} is registered`);
  });

  it(`registers ${SHOW_LOG}`, async () => {
    await waitFor(`command ${SHOW_LOG}`, async () => (await vscode.commands.getCommands(true)).includes(SHOW_LOG), 15000, 200);
  });

  it(`runs ${SHOW_LOG} without error`, async () => {
    await vscode.commands.executeCommand(SHOW_LOG);
    // A second call only reveals the channel again.
    await vscode.commands.executeCommand(SHOW_LOG);
  });
});
