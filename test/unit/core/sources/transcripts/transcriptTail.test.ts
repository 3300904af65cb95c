import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { FIXTURES } from '../../../../support/paths';
import { TranscriptTail, nodeTailFs, type MalformedReport, type TailFs } from '../../../../../src/core/sources/transcripts/transcriptTail';
import { isTranscriptLine } from '../../../../../src/core/sources/transcripts/transcriptRecord';

const TRANSCRIPTS = path.join(FIXTURES, 'transcripts');
const FIVE_HOUR = fs.readFileSync(path.join(TRANSCRIPTS, 'five_hour.jsonl'));
const SUCCESS = fs.readFileSync(path.join(TRANSCRIPTS, 'success.jsonl'));
/** The one normal assistant line of the success transcript. */
const SUCCESS_LINE = Buffer.from(`${SUCCESS.toString('utf8').split('\n').find((l) => l.includes('"type":"assistant"')) ?? ''}\n`);

/** Records every read so a test can check no byte is read twice. */
function recordingFs(): { fs: TailFs; reads: Array<{ position: number; length: number; bytesRead: number }> } {
  const reads: Array<{ position: number; length: number; bytesRead: number }> = [];
  return {
    reads,
    fs: {
      open: async (p) => {
        const h = await nodeTailFs.open(p);
        return {
          stat: () => h.stat(),
          close: () => h.close(),
          read: async (buffer, offset, length, position) => {
            const r = await h.read(buffer, offset, length, position);
            reads.push({ position, length, bytesRead: r.bytesRead });
            return r;
          },
        };
      },
    },
  };
}

describe('TranscriptTail', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cqs-tail-'));
    file = path.join(dir, 'sess.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads appended pieces once each, holding back a line split across appends', async () => {
    fs.writeFileSync(file, '');
    const rec = recordingFs();
    const tail = new TranscriptTail(file, { fs: rec.fs, chunkSize: 4096 });
    const kinds: string[] = [];
    // Cut the transcript at awkward points: inside the quota line, inside a multi-byte character (·).
    const quotaLineEnd = FIVE_HOUR.indexOf('"type":"system","subtype":"informational"');
    const dot = FIVE_HOUR.indexOf(Buffer.from('·'));
    const cuts = [0, 1000, dot + 1, quotaLineEnd - 300, quotaLineEnd + 10, FIVE_HOUR.length - 5, FIVE_HOUR.length].sort((a, b) => a - b);
    for (let i = 1; i < cuts.length; i++) {
      fs.appendFileSync(file, FIVE_HOUR.subarray(cuts[i - 1], cuts[i]));
      const signals = await tail.readNew();
      kinds.push(...signals.map((s) => `${s.kind}:${s.kind === 'quota' ? s.origin : ''}`));
      // The committed offset is always a line start (or the end).
      const { offset } = tail.state();
      assert.ok(offset === 0 || FIVE_HOUR[offset - 1] === 0x0a, `offset ${offset} is not at a line start`);
    }
    assert.deepEqual(kinds, ['quota:api-error', 'quota:notice']);
    assert.equal(tail.bytesRead, FIVE_HOUR.length);
    // Every byte position was read exactly once.
    const covered = rec.reads.map((r) => [r.position, r.position + r.bytesRead] as const).sort((a, b) => a[0] - b[0]);
    let pos = 0;
    for (const [from, to] of covered) {
      assert.equal(from, pos);
      pos = to;
    }
    assert.equal(pos, FIVE_HOUR.length);
    assert.equal(tail.malformedCount, 0);
    assert.equal(tail.linesSeen, FIVE_HOUR.toString('utf8').trim().split('\n').length);
    assert.deepEqual(tail.state(), { path: file, offset: FIVE_HOUR.length, ino: fs.statSync(file).ino, size: FIVE_HOUR.length });
    // Nothing new: no bytes read.
    assert.deepEqual(await tail.readNew(), []);
    assert.equal(tail.bytesRead, FIVE_HOUR.length);
  });

  it('parses lines larger than the chunk size', async () => {
    fs.writeFileSync(file, SUCCESS);
    const tail = new TranscriptTail(file, { chunkSize: 64 });
    const signals = await tail.readNew();
    assert.deepEqual(
      signals.map((s) => s.kind),
      ['activity', 'usage'],
    );
    assert.equal(tail.malformedCount, 0);
  });

  it('counts and skips malformed lines, reporting at a limited rate', async () => {
    let now = 1_000_000;
    const reports: MalformedReport[] = [];
    fs.writeFileSync(file, 'not json\n{"no":"type"}\n[1,2]\n');
    const tail = new TranscriptTail(file, { parseAll: true, clock: () => now, onMalformed: (r) => reports.push(r), malformedReportIntervalMs: 60_000 });
    assert.deepEqual(await tail.readNew(), []);
    assert.equal(tail.malformedCount, 3);
    assert.equal(reports.length, 1);
    assert.equal(reports[0].count, 3);
    fs.appendFileSync(file, '{"type":"assistant",broken\n');
    fs.appendFileSync(file, SUCCESS);
    const signals = await tail.readNew();
    assert.deepEqual(
      signals.map((s) => s.kind),
      ['activity', 'usage'],
    );
    assert.equal(tail.malformedCount, 4);
    assert.equal(reports.length, 1, 'second report held back by the rate limit');
    now += 60_000;
    fs.appendFileSync(file, '{{{\n');
    await tail.readNew();
    assert.equal(reports.length, 2);
    assert.equal(reports[1].count, 2);
    assert.equal(reports[1].total, 5);
  });

  it('in the default mode skips irrelevant lines without parsing but still flags non-objects', async () => {
    fs.writeFileSync(file, Buffer.concat([SUCCESS, Buffer.from('garbage line\n{"type":"user", not even json}\n')]));
    const tail = new TranscriptTail(file);
    const signals = await tail.readNew();
    assert.equal(signals.length, 2);
    assert.equal(tail.malformedCount, 1);
    assert.ok(tail.skippedCount > 20);
  });

  it('starts over when the file is truncated or replaced', async () => {
    fs.writeFileSync(file, FIVE_HOUR);
    const tail = new TranscriptTail(file);
    assert.equal((await tail.readNew()).length, 2);
    fs.truncateSync(file, 0); // truncated in place (same inode), then written again, shorter than before
    fs.appendFileSync(file, SUCCESS_LINE);
    assert.deepEqual(
      (await tail.readNew()).map((s) => s.kind),
      ['activity', 'usage'],
    );
    assert.equal(tail.restarts, 1);
    // Replaced by another file (new inode), even if it is larger.
    const other = path.join(dir, 'other.jsonl');
    fs.writeFileSync(other, Buffer.concat([FIVE_HOUR, FIVE_HOUR]));
    fs.renameSync(other, file);
    assert.equal((await tail.readNew()).length, 4);
    assert.equal(tail.restarts, 2);
  });

  it('resumes from a persisted state without replaying, and skips a partial first line', async () => {
    fs.writeFileSync(file, SUCCESS);
    const first = new TranscriptTail(file);
    assert.equal((await first.readNew()).length, 2);
    fs.appendFileSync(file, FIVE_HOUR.subarray(0, 5000)); // a line in progress when we stop
    await first.readNew();
    const saved = first.state();
    assert.ok(saved.offset < SUCCESS.length + 5000 && saved.offset >= SUCCESS.length);
    fs.appendFileSync(file, FIVE_HOUR.subarray(5000));
    const resumed = new TranscriptTail(file, { offset: saved.offset, ino: saved.ino });
    const signals = await resumed.readNew();
    assert.deepEqual(
      signals.map((s) => s.kind),
      ['quota', 'quota'],
    );
    assert.equal(resumed.malformedCount, 0);
    assert.equal(resumed.bytesRead, fs.statSync(file).size - saved.offset);

    // An offset inside a line (e.g. "start at the end" while a line is being written) skips to the next line.
    const mid = new TranscriptTail(file, { offset: SUCCESS.length + 10 });
    assert.deepEqual(
      (await mid.readNew()).map((s) => s.kind),
      ['quota', 'quota'],
    );
    assert.equal(mid.malformedCount, 0);

    // A persisted state for a file that was since replaced starts over.
    const stale = new TranscriptTail(file, { offset: 10, ino: saved.ino + 12345 });
    assert.equal((await stale.readNew()).length, 4);
  });

  it('gives nothing for a missing file and picks it up once it exists', async () => {
    const tail = new TranscriptTail(file);
    assert.deepEqual(await tail.readNew(), []);
    fs.writeFileSync(file, SUCCESS);
    assert.equal((await tail.readNew()).length, 2);
  });

  it('handles CRLF line ends and a line over the length limit', async () => {
    const crlf = SUCCESS.toString('utf8').split('\n').join('\r\n');
    const longest = Math.max(...SUCCESS.toString('utf8').split('\n').map((l) => Buffer.byteLength(l) + 1));
    fs.writeFileSync(file, `{"type":"user","x":"${'x'.repeat(longest)}"}\n${crlf}`);
    const tail = new TranscriptTail(file, { chunkSize: 4096, maxLineBytes: longest + 10 });
    assert.equal((await tail.readNew()).length, 2);
    assert.equal(tail.malformedCount, 1);
  });

  it('property: garbage lines never throw and are counted as malformed', async () => {
    const validLine = (s: string): boolean => {
      try {
        return isTranscriptLine(JSON.parse(s));
      } catch {
        return false;
      }
    };
    const garbage = fc
      .oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.json().map((j) => j.replace(/\n/g, ' ')),
        fc.constantFrom('{', '}', '{"type":', '{"type":"assistant"', '{"type":"assistant",}', 'null', '[]', '"assistant"'),
      )
      .map((s) => s.replace(/[\r\n]/g, ' '))
      .filter((s) => s.trim() !== '' && !validLine(s));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(garbage, { minLength: 1, maxLength: 20 }), fc.integer({ min: 16, max: 4096 }), async (lines, chunk) => {
        const f = path.join(dir, `g${n++}.jsonl`);
        fs.writeFileSync(f, Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), SUCCESS_LINE]));
        const strict = new TranscriptTail(f, { parseAll: true, chunkSize: chunk });
        const s1 = await strict.readNew();
        assert.deepEqual(
          s1.map((s) => s.kind),
          ['activity', 'usage'],
        );
        assert.equal(strict.malformedCount, lines.length);
        const fast = new TranscriptTail(f, { chunkSize: chunk });
        const s2 = await fast.readNew();
        assert.equal(s2.length, 2);
        // The fast mode does not parse marker-free lines, so some garbage is only skipped.
        assert.ok(fast.malformedCount <= lines.length);
        fs.rmSync(f);
      }),
      { numRuns: 150 },
    );
  });
});
