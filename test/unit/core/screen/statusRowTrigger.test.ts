import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES } from '../../../support/paths';
import { classify } from '../../../../src/core/detection/classifier';
import { StatusRowTrigger, startsLikeStatusRow } from '../../../../src/core/screen/statusRowTrigger';
import { buildSessionCorpus } from '../../../bench/sessionCorpus';

const DIR = path.join(FIXTURES, 'recordings');
const ctx = { now: new Date('2026-11-23T12:00:00Z'), timeZone: 'UTC' };

const LIMIT_ROW = "\x1b[38;2;153;153;153m  ⎿ \u00a0\x1b[38;2;255;107;128mYou've hit your 5-hour limit · resets 11pm (Asia/Tokyo)\r\x1b[2B";

describe('StatusRowTrigger', () => {
  it('fires on every recording that shows a status row, and on no ordinary session output', () => {
    for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith('.bin'))) {
      const meta = JSON.parse(fs.readFileSync(path.join(DIR, file.replace(/\.bin$/, '.json')), 'utf8')) as { expected: { verdict: string } };
      const fired = new StatusRowTrigger().test(fs.readFileSync(path.join(DIR, file)));
      if (meta.expected.verdict !== 'none') assert.ok(fired, `${file}: ${meta.expected.verdict} not triggered`);
    }
    // Diffs, file views, prose that quotes "usage limit reached", spinner redraws: a long stream of them.
    const corpus = buildSessionCorpus(256 * 1024, path.join(DIR, 'none'));
    const trigger = new StatusRowTrigger();
    for (let off = 0; off < corpus.length; off += 4096) assert.equal(trigger.test(corpus.subarray(off, off + 4096)), false, `chunk at ${off}`);
  });

  it('fires wherever the bytes of a limit row are cut, on the piece that completes its first words', () => {
    const before = Buffer.from('ordinary output\r\n  another row of it\r\n', 'utf8');
    const row = Buffer.from(LIMIT_ROW, 'utf8');
    const bytes = Buffer.concat([before, row]);
    const wordsEnd = before.length + row.indexOf("You've") + "You've".length;
    for (let cut = 1; cut < bytes.length; cut++) {
      const trigger = new StatusRowTrigger();
      const first = trigger.test(bytes.subarray(0, cut));
      const second = trigger.test(bytes.subarray(cut));
      if (cut < wordsEnd) assert.equal(second, true, `cut at ${cut}: second piece`);
      else assert.equal(first, true, `cut at ${cut}: first piece`);
    }
  });

  it('tells a row that starts like a status row from content that mentions the words', () => {
    assert.equal(startsLikeStatusRow("  ⎿  You've hit your limit · resets 3pm"), true);
    assert.equal(startsLikeStatusRow('● 5-hour limit reached · retrying in 1s'), true);
    assert.equal(startsLikeStatusRow('  The tests now pass; "usage limit reached" stays a string literal.'), false);
    assert.equal(startsLikeStatusRow('      103 +  const value = compute(input);'), false);
  });

  it('never misses a row the classifier calls a limit: every quota row of the classifier tests starts like a status row', () => {
    const rows = [
      "You've hit your limit · resets 3pm (Europe/Paris)",
      '  ⎿  5-hour limit reached ∙ resets 11pm',
      '⚠ Usage limit reached · limit resets 6pm',
      'Claude AI usage limit reached|1763906400',
      "│ You've hit your weekly limit · resets Nov 26, 6am │",
    ];
    for (const row of rows) {
      assert.equal(classify([row], ctx).verdict, 'quota', row);
      assert.equal(startsLikeStatusRow(row), true, row);
      assert.equal(new StatusRowTrigger().test(`\x1b[2K\r${row}`), true, row);
    }
  });
});
