import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { REPO } from '../../support/paths';
import { LineEndingNormalizer } from '../../../src/cli/classifyCommand';
import { main } from '../../../src/cli/main';

const repo = REPO;

function memoryIo(): { io: { stdout: { write(t: string): void }; stderr: { write(t: string): void }; env: NodeJS.ProcessEnv }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (t: string) => { out += t; } }, stderr: { write: (t: string) => { err += t; } }, env: {} },
    out: () => out,
    err: () => err,
  };
}

async function run(argv: string[], stdin: string | Buffer | Readable = ''): Promise<{ code: number; out: string; err: string }> {
  const m = memoryIo();
  const stream = stdin instanceof Readable ? stdin : Readable.from([Buffer.from(stdin)]);
  const code = await main(argv, m.io, stream);
  return { code, out: m.out(), err: m.err() };
}

describe('claude-quota CLI', () => {
  it('parse-reset prints the instant for a clock time in a zone', async () => {
    const r = await run(['parse-reset', 'resets 8pm (Europe/Paris)', '--now', '2026-11-23T12:00:00Z']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), { resetsAt: '2026-11-23T19:00:00.000Z' });
  });

  it('parse-reset prints null when there is no reset time', async () => {
    const r = await run(['parse-reset', 'hello', '--now', '2026-11-23T12:00:00Z', '--tz', 'UTC']);
    assert.deepEqual(JSON.parse(r.out), { resetsAt: null });
  });

  it('classify prints exactly one JSON line with the verdict, window, reset and evidence', async () => {
    const screen = "⏺ Working on it\n  ⎿\u00a0 You've hit your limit · resets 8pm (Europe/Paris)\n     /upgrade to increase your usage limit.\n";
    const r = await run(['classify', '--now', '2026-11-23T12:00:00Z', '--tz', 'Europe/Paris'], screen);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    const result = JSON.parse(lines[0]);
    assert.equal(result.verdict, 'quota');
    assert.equal(result.resetsAt, '2026-11-23T19:00:00.000Z');
    assert.match(result.evidence, /hit your limit/);
  });

  it('classify reports none for ordinary output', async () => {
    const r = await run(['classify', '--tz', 'UTC'], 'just some build output\r\nall good\r\n');
    assert.deepEqual(JSON.parse(r.out), { verdict: 'none', window: null, resetsAt: null, evidence: null });
  });

  it('rejects bad options with one line on stderr and a non-zero exit', async () => {
    for (const argv of [['classify', '--tz', 'Mars/Olympus'], ['classify', '--now', 'yesterday'], ['parse-reset'], ['classify', '--bogus'], ['nope']]) {
      const r = await run(argv);
      assert.notEqual(r.code, 0, argv.join(' '));
      assert.match(r.err, /^claude-quota: /);
      assert.ok(!/\n\s+at /.test(r.err), `stack trace printed: ${r.err}`);
    }
  });

  it('rejects input larger than --max-bytes', async () => {
    const r = await run(['classify', '--max-bytes', '10'], 'x'.repeat(100));
    assert.equal(r.code, 2);
    assert.match(r.err, /larger than 10 bytes/);
  });

  it('reports a stdin that cannot be read', async () => {
    const broken = new Readable({ read() { this.destroy(Object.assign(new Error('is a directory'), { code: 'EISDIR' })); } });
    const r = await run(['classify'], broken);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /cannot read stdin \(EISDIR\)/);
  });

  it('runs as the bundled executable and exits non-zero without a stack trace on a directory as stdin', () => {
    const cli = path.join(repo, 'dist/cli.js');
    assert.ok(fs.existsSync(cli), 'npm run build makes dist/cli.js before the unit tests');
    const ok = spawnSync(process.execPath, [cli, 'parse-reset', 'resets in 45 minutes', '--now', '2026-11-23T12:00:00Z'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { resetsAt: '2026-11-23T12:45:00.000Z' });
    const dirFd = fs.openSync(repo, 'r');
    try {
      const bad = spawnSync(process.execPath, [cli, 'classify'], { stdio: [dirFd, 'pipe', 'pipe'], encoding: 'utf8' });
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /^claude-quota: cannot read stdin/);
      assert.ok(!/\n\s+at /.test(bad.stderr), bad.stderr);
    } finally {
      fs.closeSync(dirFd);
    }
  });
});

describe('LineEndingNormalizer', () => {
  const normalizeWhole = (s: string): string => Buffer.from(new LineEndingNormalizer().normalize(Buffer.from(s))).toString();

  it('adds CR before bare LF and leaves CR LF alone', () => {
    assert.equal(normalizeWhole('a\nb\r\nc\n'), 'a\r\nb\r\nc\r\n');
  });

  it('gives the same result however the input is split', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', '\r', '\n', 'é'), { maxLength: 60 }), fc.array(fc.nat(60)), (parts, cuts) => {
        const whole = Buffer.from(parts.join(''));
        const normalizer = new LineEndingNormalizer();
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        const pieces: Buffer[] = [];
        let prev = 0;
        for (const p of [...points, whole.length]) {
          pieces.push(Buffer.from(normalizer.normalize(whole.subarray(prev, p))));
          prev = p;
        }
        assert.equal(Buffer.concat(pieces).toString(), normalizeWhole(parts.join('')));
      }),
    );
  });
});
