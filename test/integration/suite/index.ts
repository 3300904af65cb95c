// extensionTestsPath for the integration tests: VS Code loads this module inside the extension
// host and awaits run(). It runs every compiled *.test.js file next to it with mocha and
// rejects when a test fails, which makes the test run exit non-zero.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTestFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

/** Written where CLAUDE_QUOTA_TEST_RESULTS points, so the launcher can repeat the counts at the very end. */
interface ResultSummary {
  passes: number;
  failures: number;
  pending: number;
  durationMs: number;
  failed: string[];
}

function writeSummary(summary: ResultSummary): void {
  const target = process.env.CLAUDE_QUOTA_TEST_RESULTS;
  if (!target) return;
  try {
    fs.writeFileSync(target, JSON.stringify(summary));
  } catch (err) {
    console.error(`could not write the test summary to ${target}: ${String(err)}`);
  }
}

export function run(): Promise<void> {
  // CLAUDE_QUOTA_TEST_GREP narrows the run to matching test titles while working on one suite.
  const grep = process.env.CLAUDE_QUOTA_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000, ...(grep ? { grep } : {}) });
  const files = findTestFiles(__dirname);
  for (const file of files) mocha.addFile(file);
  return new Promise<void>((resolve, reject) => {
    if (files.length === 0) {
      reject(new Error(`no *.test.js files under ${__dirname}`));
      return;
    }
    const started = Date.now();
    const failed: string[] = [];
    try {
      const runner = mocha.run((failures) => {
        const stats = runner.stats;
        writeSummary({
          passes: stats?.passes ?? 0,
          failures,
          pending: stats?.pending ?? 0,
          durationMs: Date.now() - started,
          failed,
        });
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
      runner.on('fail', (test) => failed.push(test.fullTitle()));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
