// A switch made by someone else is noticed: watching the folders of the live login's files, with a
// stat poll as the floor, reporting only when what the files say changed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AccountManager } from '../../../../src/core/accounts/accountManager';
import { FileProfileStore } from '../../../../src/core/accounts/profileStore';
import { LiveLoginWatcher } from '../../../../src/core/accounts/liveLoginWatcher';
import { MemoryProfileStore } from '../../../../src/core/accounts/profileStore';
import type { CommandRunner } from '../../../../src/core/accounts/liveCredentials';
import { Sandbox, claudeJsonText, credentialsText, makeSandbox, removeSandbox, writeLogin } from '../../../support/accountsFixtures';

/** Replaces a file the way Claude Code and the CLI do: a temp file renamed over it. */
function replace(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function nextChange(w: LiveLoginWatcher, withinMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      sub.dispose();
      resolve(false);
    }, withinMs);
    const sub = w.onDidChange(() => {
      clearTimeout(t);
      sub.dispose();
      resolve(true);
    });
  });
}

describe('live login watcher', () => {
  let sb: Sandbox;
  let m: AccountManager;
  const watchers: LiveLoginWatcher[] = [];
  beforeEach(async () => {
    sb = makeSandbox('cqs-watch-');
    m = new AccountManager({ env: sb.env, store: new FileProfileStore(sb.quotaHome), stateDir: sb.quotaHome, platform: 'linux', settingsFiles: [] });
    writeLogin(sb, 'beta');
    await m.add('b');
    writeLogin(sb, 'alpha');
    await m.add('a');
  });
  afterEach(() => {
    for (const w of watchers.splice(0)) w.dispose();
    removeSandbox(sb);
  });

  function watcher(extra: Partial<ConstructorParameters<typeof LiveLoginWatcher>[0]> = {}): LiveLoginWatcher {
    const w = new LiveLoginWatcher({ files: [sb.credentialsFile, sb.claudeJsonFile, path.join(sb.quotaHome, 'profiles.json')], fingerprint: () => m.fingerprint(), ...extra });
    watchers.push(w);
    return w;
  }

  it('reports a switch made by another process, and not a rewrite that changes nothing it reads', async () => {
    const w = watcher();
    await w.start();
    // Claude Code rewrites .claude.json all the time for other state: no change of login.
    const quiet = nextChange(w, 1500);
    replace(sb.claudeJsonFile, claudeJsonText('alpha').replace('"numStartups": 42', '"numStartups": 43'));
    assert.equal(await quiet, false, 'unrelated state is not a change');
    // Another window switches to beta.
    const changed = nextChange(w, 5000);
    replace(sb.credentialsFile, credentialsText('beta'));
    replace(sb.claudeJsonFile, claudeJsonText('beta'));
    assert.equal(await changed, true);
    await w.idle();
    assert.equal((await m.list()).find((v) => v.active)?.label, 'b');
  });

  it('still notices through the stat poll when watching the folder gives nothing', async () => {
    const w = watcher({
      pollMs: 50,
      watch: () => {
        throw new Error('not supported here');
      },
    });
    await w.start();
    const changed = nextChange(w, 5000);
    replace(sb.credentialsFile, credentialsText('alpha', 2));
    assert.equal(await changed, true, 'a refreshed token is a change of what the files say');
  });

  it('reports profiles saved elsewhere, and nothing once disposed', async () => {
    const w = watcher();
    await w.start();
    const changed = nextChange(w, 5000);
    const cli = new AccountManager({ env: sb.env, store: new FileProfileStore(sb.quotaHome), stateDir: sb.quotaHome, platform: 'linux', settingsFiles: [] });
    await cli.rename('b', 'work');
    assert.equal(await changed, true);
    w.dispose();
    let fired = false;
    w.onDidChange(() => (fired = true));
    replace(sb.credentialsFile, credentialsText('beta'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(fired, false);
  });

  it('on macOS notices a refresh in the Keychain item by its modification date, without reading the secret to poll', async () => {
    let item = credentialsText('alpha');
    let mdat = '0x32303236313230323130303030305A00  "20261202100000Z\\000"';
    const polls: (readonly string[])[] = [];
    const runner: CommandRunner = async (_cmd, args) => {
      if (args[0] !== 'find-generic-password') return { code: 1, stdout: '', stderr: '' };
      if (args.includes('-w')) return { code: 0, stdout: item + '\n', stderr: '' };
      polls.push(args);
      return { code: 0, stdout: `keychain: "login.keychain-db"\nattributes:\n    "mdat"<timedate>=${mdat}\n`, stderr: '' };
    };
    fs.writeFileSync(sb.claudeJsonFile, claudeJsonText('alpha'));
    const mac = new AccountManager({ env: sb.env, store: new MemoryProfileStore(), stateDir: sb.quotaHome, platform: 'darwin', runCommand: runner, settingsFiles: [] });
    await mac.add('a');
    const live = mac.live;
    assert.equal(live.kind, 'keychain');
    const w = watcher({ files: [sb.claudeJsonFile], fingerprint: () => mac.fingerprint(), changeKey: live.changeKey?.bind(live), pollMs: 50 });
    await w.start();
    const changed = nextChange(w, 5000);
    item = credentialsText('alpha', 2);
    mdat = '0x32303236313230323130303030315A00  "20261202100001Z\\000"';
    assert.equal(await changed, true);
    assert.ok(polls.length > 0 && polls.every((a) => !a.includes('-w')), 'polling never asks for the secret');
  });
});
