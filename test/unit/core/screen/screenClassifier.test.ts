import { strict as assert } from 'node:assert';
import { ScreenClassifier } from '../../../../src/core/screen/screenClassifier';

const ctx = { now: new Date('2026-11-23T11:20:00Z'), timeZone: 'UTC' };

describe('ScreenClassifier', () => {
  let session: ScreenClassifier;
  beforeEach(() => {
    session = new ScreenClassifier({ cols: 100, rows: 24 });
  });
  afterEach(() => session.dispose());

  it('holds back the row the cursor is still writing even when rows below it changed too', async () => {
    // A TUI frame: the footer is drawn first, then the cursor goes back up to the result row; the
    // chunk ends inside its date ("Nov 2" of "Nov 25").
    const first = "\x1b[12;1H  ⚠ Usage limit reached\x1b[4;1H  ⎿  You've hit your weekly limit · resets Nov 2";
    const c1 = await session.feed(first, ctx);
    assert.notEqual(c1.evidence, "⎿  You've hit your weekly limit · resets Nov 2", 'the half-drawn row was read');
    assert.ok(session.urgent, 'the held row looks like a status row, so the next write is worth a look at once');
    const c2 = await session.feed('5, 9:15am (UTC)\x1b[20;1H', ctx);
    assert.equal(c2.verdict, 'quota');
    assert.equal(c2.window, 'weekly');
    assert.equal(c2.resetsAt?.toISOString(), '2026-11-25T09:15:00.000Z');
  });

  it('reads a held row as it stood when the next output moves on without finishing it', async () => {
    await session.feed("\x1b[12;1H  ⚠ Usage limit reached\x1b[4;1H  ⎿  You've hit your 5-hour limit · resets 2pm (UTC)", ctx);
    const c = await session.feed('\x1b[20;1H', ctx);
    assert.equal(c.verdict, 'quota');
    assert.equal(c.resetsAt?.toISOString(), '2026-11-23T14:00:00.000Z');
    assert.equal(session.urgent, false);
  });

  it('reads the open row at the final look', async () => {
    const c = await session.feed("  ⎿  You've hit your 5-hour limit · resets 2pm (UTC)", ctx, true);
    assert.equal(c.verdict, 'quota');
  });
});
