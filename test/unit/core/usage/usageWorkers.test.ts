// A scan on worker threads counts exactly what a scan on one thread counts, and leaves the same
// offsets, so the next (incremental) scan of either reads the same new bytes.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageLedger } from '../../../../src/core/usage/usageLedger';
import { UsageScanner } from '../../../../src/core/usage/usageScanner';
import { assistantLine, FILLER_LINES, limitLine } from '../../../support/usageTranscripts';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const MIN = 60_000;

describe('usage scan on worker threads', () => {
  let dir: string;
  let projects: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usage-workers-'));
    projects = path.join(dir, 'projects');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const line = (i: number, tokens: Partial<Record<'input' | 'output' | 'cacheCreation' | 'cacheRead', number>> = {}): string =>
    assistantLine({ at: T0 + i * MIN, messageId: `msg_${i}`, requestId: `req_${i}`, input: 1 + i, output: 2 * i, cacheCreation: 3, cacheRead: 100 + i, ...tokens });

  /** Eight files: repeats within and across files, a malformed line, an impossible count, a limit hit, a partial last line. */
  function writeCorpus(): void {
    for (let f = 0; f < 8; f++) {
      const d = path.join(projects, `-work-p${f % 3}`);
      fs.mkdirSync(d, { recursive: true });
      const lines = [...FILLER_LINES];
      for (let i = 0; i < 40; i++) lines.push(line(f * 100 + i), line(f * 100 + i));
      lines.push(line(5), 'not json {', line(f * 100 + 99, { output: 1e12 }), limitLine(T0 + f * MIN, T0 + 5 * 60 * MIN, 'five_hour', `req_limit_${f}`));
      fs.writeFileSync(path.join(d, `s${f}.jsonl`), `${lines.join('\n')}\n${f === 2 ? line(777).slice(0, 300) : ''}`);
    }
  }

  const scanners = (): [UsageScanner, UsageLedger][] =>
    [0, 1].map((workers) => {
      const ledger = new UsageLedger();
      return [new UsageScanner(projects, ledger, { workers, workerMinBytes: 0, clock: () => T0 }), ledger];
    });

  const totals = (l: UsageLedger): unknown => JSON.stringify({ minutes: [...l.minutes].sort(), daily: [...l.daily].sort(), seen: l.seen.size });

  it('counts the same totals, stats and offsets as one thread, and the next incremental scan too', async () => {
    writeCorpus();
    const [[one, oneLedger], [many, manyLedger]] = scanners();
    const a = await one.scan();
    const b = await many.scan();
    assert.ok(a.counted > 300 && a.rejected === 8 && a.malformed === 8 && a.limitHits === 8, JSON.stringify(a));
    assert.deepEqual(b, a);
    assert.equal(totals(manyLedger), totals(oneLedger));
    const byPath = (s: UsageScanner): unknown[] => s.states().sort((x, y) => x.path.localeCompare(y.path));
    assert.deepEqual(byPath(many), byPath(one));

    // The partial line completed and more appended: both read only the new bytes, and agree again.
    const partial = path.join(projects, '-work-p2', 's2.jsonl');
    fs.appendFileSync(partial, `${line(777).slice(300)}\n${line(778)}\n`);
    const before = fs.statSync(partial).size;
    const a2 = await one.scan();
    const b2 = await many.scan();
    assert.equal(a2.filesRead, 1);
    assert.equal(a2.counted, 2);
    assert.ok(a2.bytesRead < before / 2, `read ${a2.bytesRead} of ${before}`);
    assert.deepEqual(b2, a2);
    assert.equal(totals(manyLedger), totals(oneLedger));

    // Nothing new: neither opens a file.
    assert.equal((await many.scan()).filesRead, 0);
    assert.equal((await one.scan()).filesRead, 0);
  });
});
