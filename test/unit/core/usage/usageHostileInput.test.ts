// Usage input that would poison the totals or hang a scan: impossible token counts, sparse files,
// files growing faster than a scan reads, and files and folders that cannot be read.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageLedger } from '../../../../src/core/usage/usageLedger';
import { UsageScanner } from '../../../../src/core/usage/usageScanner';
import { usageStateFile } from '../../../../src/core/usage/usageState';
import { describeScanProblems } from '../../../../src/core/usage/usageText';
import { UsageTracker } from '../../../../src/core/usage/usageTracker';
import { bundleChild } from '../../../support/childBundle';
import { REPO } from '../../../support/paths';
import { assistantLine } from '../../../support/usageTranscripts';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const response = (i: number, input = 10): string =>
  assistantLine({ at: T0 + i, messageId: `msg_${i}`, requestId: `req_${i}`, input, output: 20, cacheCreation: 30, cacheRead: 40 });

describe('usage scan of hostile input', () => {
  let dir: string;
  let configDir: string;
  let projectDir: string;
  let stateFile: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usage-hostile-'));
    configDir = path.join(dir, 'claude');
    projectDir = path.join(configDir, 'projects', '-work-project');
    fs.mkdirSync(projectDir, { recursive: true });
    stateFile = usageStateFile(path.join(dir, 'quota-home'), configDir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const tracker = (warnings: string[] = []): UsageTracker =>
    new UsageTracker({ configDir, stateFile, now: () => T0 + 3_600_000, log: { warn: (m) => warnings.push(m), info: () => undefined } });

  it('rejects impossible token counts per line, so totals stay finite and the saved state stays valid', async () => {
    const huge = JSON.parse(response(2)) as { message: { usage: Record<string, unknown> } };
    huge.message.usage.input_tokens = 1e308;
    const negative = JSON.parse(response(3)) as { message: { usage: Record<string, unknown> } };
    negative.message.usage.output_tokens = -5;
    fs.writeFileSync(path.join(projectDir, 'a.jsonl'), [response(1), JSON.stringify(huge), JSON.stringify({ ...huge, requestId: 'req_x' }), JSON.stringify(negative)].map((l) => `${l}\n`).join(''));
    const t = tracker();
    const stats = await t.scan();
    assert.equal(stats.counted, 1);
    assert.equal(stats.rejected, 3);
    assert.deepEqual(t.report().totals, [10, 20, 30, 40]);
    assert.ok(await t.save());
    // The next run loads the state (it validates) and reads nothing again.
    const warnings: string[] = [];
    const again = tracker(warnings);
    assert.equal(await again.load(), 'loaded');
    const second = await again.scan();
    assert.equal(second.bytesRead, 0);
    assert.deepEqual(again.report().totals, [10, 20, 30, 40]);
    assert.deepEqual(warnings, []);
    assert.match(describeScanProblems(stats).join('\n'), /3 response\(s\) with impossible token counts/);
  });

  it('skips a sparse 100 GB .jsonl without reading it, and says so', async () => {
    const sparse = path.join(projectDir, 'huge.jsonl');
    const fd = fs.openSync(sparse, 'w');
    fs.ftruncateSync(fd, 100 * 1024 ** 3);
    fs.closeSync(fd);
    fs.writeFileSync(path.join(projectDir, 'real.jsonl'), `${response(1)}\n`);
    const stats = await tracker().scan();
    assert.equal(stats.notTranscripts, 1);
    assert.equal(stats.counted, 1);
    assert.ok(stats.bytesRead < 1 << 20, `read ${stats.bytesRead} bytes`);
    assert.match(describeScanProblems(stats).join('\n'), /1 sparse \.jsonl file\(s\) skipped/);
  });

  it('reads at most the per-file cap in one scan and the rest in the next ones', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => response(i));
    fs.writeFileSync(path.join(projectDir, 'a.jsonl'), lines.map((l) => `${l}\n`).join(''));
    const size = fs.statSync(path.join(projectDir, 'a.jsonl')).size;
    const cap = Math.ceil(size / 3);
    const ledger = new UsageLedger();
    const scanner = new UsageScanner(path.join(configDir, 'projects'), ledger, { maxScanBytesPerFile: cap });
    const first = await scanner.scan();
    assert.equal(first.capped, 1);
    assert.ok(first.bytesRead <= cap);
    let total = first.counted;
    let scans = 1;
    for (;;) {
      const next = await scanner.scan();
      scans++;
      total += next.counted;
      if (next.capped === 0) break;
      assert.ok(scans < 10, 'the capped file never finished');
    }
    assert.equal(scans, 3);
    assert.equal(total, 200);
  });

  it('counts transcript files and folders it cannot read instead of dropping them silently', () => {
    fs.writeFileSync(path.join(projectDir, 'ok.jsonl'), `${response(1)}\n`);
    const locked = path.join(projectDir, 'locked.jsonl');
    fs.writeFileSync(locked, `${response(2)}\n`);
    const lockedDir = path.join(configDir, 'projects', '-locked');
    fs.mkdirSync(lockedDir);
    fs.writeFileSync(path.join(lockedDir, 'x.jsonl'), `${response(3)}\n`);
    fs.chmodSync(locked, 0o000);
    fs.chmodSync(lockedDir, 0o000);
    for (const d of [dir, configDir, path.join(configDir, 'projects'), projectDir]) fs.chmodSync(d, 0o755);
    // Root reads anything: the scan runs as an unprivileged user then.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    // Bundled into the temp folder, so the unprivileged user needs nothing from the repository.
    const entry = path.join(dir, 'scan-entry.js');
    fs.writeFileSync(entry, `const { UsageLedger } = require(${JSON.stringify(path.join(REPO, 'out/src/core/usage/usageLedger.js'))});
const { UsageScanner } = require(${JSON.stringify(path.join(REPO, 'out/src/core/usage/usageScanner.js'))});
new UsageScanner(process.argv[2], new UsageLedger()).scan().then((s) => process.stdout.write(JSON.stringify(s)));`);
    const bundle = path.join(dir, 'scan.js');
    bundleChild(entry, bundle);
    fs.chmodSync(bundle, 0o644);
    const r = spawnSync(process.execPath, [bundle, path.join(configDir, 'projects')], { encoding: 'utf8', env: { HOME: dir }, ...asUser });
    fs.chmodSync(lockedDir, 0o700);
    assert.equal(r.status, 0, r.stderr);
    const stats = JSON.parse(r.stdout) as { counted: number; unreadable: number };
    assert.equal(stats.counted, 1);
    assert.equal(stats.unreadable, 2);
  });
});
