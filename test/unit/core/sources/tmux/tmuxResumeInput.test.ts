// What resuming needs of the tmux source, against a real tmux on a private socket: the pane's
// screen, whether Claude Code runs in it (asked of tmux now), and typing with a separate
// `tmux send-keys` (text literally with -l, Enter as its own key).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TmuxSource } from '../../../../../src/core/sources/tmux/tmuxSource';
import { EventLog, TmuxServer, until, requireTmux } from '../../../../support/tmuxHarness';


describe('TmuxSource: typing into a pane for resuming (real tmux)', function () {
  this.timeout(60_000);
  let server: TmuxServer;
  let source: TmuxSource | null = null;

  before(() => requireTmux());

  beforeEach(() => {
    server = new TmuxServer();
  });

  afterEach(() => {
    source?.dispose();
    source = null;
    server.cleanup();
  });

  it('reads the screen, sees Claude Code running, types text literally and Enter as a key', async () => {
    // A stand-in `claude` that echoes each line it reads, so what was typed shows on the pane.
    const dir = path.join(server.dir, 'echo');
    fs.mkdirSync(dir);
    const claude = path.join(dir, 'claude');
    fs.writeFileSync(claude, '#!/bin/sh\nwhile IFS= read -r l; do printf "got:%s\\n" "$l"; done\nexit 0\n', { mode: 0o755 });
    const pane = server.newSession('work', claude);
    const other = server.newWindow('work', 'sleep 600');
    const log = new EventLog();
    const s = new TmuxSource({ socket: { path: server.socket }, recheckMs: 200 }, log.listener);
    source = s;
    s.start();
    await log.waitFor('paneAdded', (e) => e.paneId === pane);
    await until(() => s.paneLines(pane) !== undefined, 10_000, 'the seeded screen');

    assert.equal(await s.paneRunsClaude(pane), true);
    assert.equal(await s.paneRunsClaude(other), false, 'a pane that is not watched');
    assert.equal(s.paneLines(other), undefined);
    assert.equal(await s.sendKeys(other, { text: 'x' }), false, 'never types into a pane that is not watched');

    assert.equal(await s.sendKeys(pane, { text: 'continue' }), true);
    assert.equal(await s.sendKeys(pane, { key: 'Enter' }), true);
    await until(() => (s.paneLines(pane) ?? []).includes('got:continue'), 10_000, 'the echoed line');
    // -l: the text "Enter" is typed as five letters, not the key.
    assert.equal(await s.sendKeys(pane, { text: 'Enter' }), true);
    assert.equal(await s.sendKeys(pane, { key: 'Enter' }), true);
    await until(() => (s.paneLines(pane) ?? []).includes('got:Enter'), 10_000, 'the literal text');
    assert.ok(!(s.paneLines(pane) ?? []).includes('got:'), 'no empty line: the word was not taken as a key');

    // The program ends (end of input): the pane no longer runs Claude Code.
    server.tmux('set-option', '-t', 'work', 'remain-on-exit', 'on');
    server.tmux('send-keys', '-t', pane, 'C-d');
    await until(() => server.tmux('display-message', '-p', '-t', pane, '#{pane_dead}').trim() === '1', 10_000, 'the program to exit');
    assert.equal(await s.paneRunsClaude(pane), false);
  });
});
