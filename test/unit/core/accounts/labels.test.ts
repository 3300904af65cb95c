// Labels that would attack a terminal: refused when given, NFC-normalised, and shown escaped when an
// older release or a hand edit stored one, in the account layer and in every line the CLI prints.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AccountManager } from '../../../../src/core/accounts/accountManager';
import { AccountError } from '../../../../src/core/accounts/errors';
import { FileProfileStore } from '../../../../src/core/accounts/profileStore';
import { displayLabel, validateLabel } from '../../../../src/core/accounts/labels';
import { escapeForDisplay } from '../../../../src/core/base/displayText';
import { runAccountsCommand } from '../../../../src/cli/accountsCommand';
import { Sandbox, captureIo, makeSandbox, removeSandbox, writeLogin } from '../../../support/accountsFixtures';

const HOSTILE = ['csi\u009b31m', 'rtl\u202Eevil', 'zero\u200Bwidth', 'iso\u2066late', 'tab\there', 'esc\u001b[2J', 'bom\uFEFF', 'line\u2028sep'];
/** Any character a label must never reach a terminal as. */
const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u2028\u2029]/;

describe('profile labels', () => {
  it('refuses control, bidirectional and invisible characters, naming them escaped', () => {
    for (const l of HOSTILE) {
      assert.throws(
        () => validateLabel(l),
        (err: unknown) => err instanceof AccountError && err.code === 'invalid-label' && !RAW_UNSAFE.test(err.message) && err.message.includes('\\u{'),
        JSON.stringify(l),
      );
    }
    for (const ok of ['work', 'Ärger GmbH', '仕事', 'team 2 (max)', '👩‍💻 dev'.replace('\u200d', '')]) assert.equal(validateLabel(ok), ok);
    assert.throws(() => validateLabel('-x'), AccountError);
    assert.throws(() => validateLabel('x'.repeat(65)), AccountError);
  });

  it('normalises to NFC, so a decomposed spelling is the same label', () => {
    assert.equal(validateLabel('cafe\u0301'), 'caf\u00e9');
  });

  it('escapes only what is unsafe', () => {
    assert.equal(escapeForDisplay('a\u202Eb\u009bc'), 'a\\u{202E}b\\u{009B}c');
    assert.equal(escapeForDisplay('plain é 仕事'), 'plain é 仕事');
  });

  describe('a hostile label already stored', () => {
    let sb: Sandbox;
    beforeEach(() => {
      sb = makeSandbox('cqs-labels-');
    });
    afterEach(() => removeSandbox(sb));

    it('is listed, switched to and printed escaped, never raw', async () => {
      const m = new AccountManager({ env: sb.env, store: new FileProfileStore(sb.quotaHome), stateDir: sb.quotaHome, platform: 'linux', settingsFiles: [], lockTimeoutMs: 1000 });
      writeLogin(sb, 'beta');
      await m.add('b');
      writeLogin(sb, 'alpha');
      await m.add('a');
      // As an older release or a hand edit would have left it.
      const file = path.join(sb.quotaHome, 'profiles.json');
      const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { meta: { profiles: { label: string }[] } };
      const stored = 'b\u202Eevil\u009b2J';
      for (const p of doc.meta.profiles) if (p.label === 'b') p.label = stored;
      fs.writeFileSync(file, JSON.stringify(doc), { mode: 0o600 });

      const views = await m.list();
      assert.ok(views.some((v) => v.label === displayLabel(stored)));
      assert.ok(views.every((v) => !RAW_UNSAFE.test(v.label)));

      const outputs: string[] = [];
      for (const argv of [['list'], ['list', '--json'], ['switch', displayLabel(stored)], ['switch', 'a'], ['remove', stored]]) {
        const c = captureIo(sb.env);
        const code = await runAccountsCommand(argv, { ...c.io, platform: 'linux', lockTimeoutMs: 500 });
        outputs.push(c.out() + c.err());
        assert.equal(code, 0, `${argv.join(' ')}: ${c.err()}`);
      }
      for (const o of outputs) assert.doesNotMatch(o, RAW_UNSAFE);
      assert.match(outputs[2] ?? '', /b\\u\{202E\}evil\\u\{009B\}2J/);
      assert.deepEqual((await m.list()).map((v) => v.label), ['a']);
    });
  });
});
