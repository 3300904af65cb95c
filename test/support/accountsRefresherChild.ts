// Child process imitating Claude Code's token refresh: under its lock directories it reads
// .credentials.json, checks the live refresh token is the newest one "the server" issued for that
// account (refresh tokens are single-use), and writes rotated tokens with temp file + rename.
// It also checks its locks are still its own when it lets them go (nobody removed a lock it held).
// argv[2]: a file whose appearance stops the loop; argv[3]: ms to hold the locks at most (default 0);
// argv[4] `nolock`: a writer that ignores the locks (a broken or foreign tool).
// Prints a JSON summary on stdout.
import * as fs from 'node:fs';
import * as path from 'node:path';

const configDir = process.env['CLAUDE_CONFIG_DIR'] ?? '';
const credentials = path.join(configDir, '.credentials.json');
const locks = [path.join(configDir, '.oauth_refresh.lock'), `${fs.realpathSync(configDir)}.lock`];
const STALE_MS = 60_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function lock(dir: string): Promise<void> {
  for (;;) {
    try {
      fs.mkdirSync(dir);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      // Claude Code's own rule: a lock whose mtime is older than the stale period is taken away.
      try {
        if (fs.statSync(dir).mtimeMs < Date.now() - STALE_MS) fs.rmdirSync(dir);
      } catch {
        // gone meanwhile
      }
      await sleep(1 + Math.random() * 3);
    }
  }
}

async function main(): Promise<void> {
  const stopFile = process.argv[2] ?? '';
  const issued: Record<string, number> = { alpha: 1, beta: 1 };
  const holdMs = Number(process.argv[3] ?? '0');
  const honoursLocks = process.argv[4] !== 'nolock';
  const violations: string[] = [];
  let rotations = 0;
  let removedLocks = 0;
  while (!fs.existsSync(stopFile)) {
    if (honoursLocks) for (const l of locks) await lock(l);
    const made = honoursLocks ? locks.map((l) => fs.lstatSync(l).ino) : [];
    try {
      if (holdMs > 0) await sleep(Math.random() * holdMs);
      const doc = JSON.parse(fs.readFileSync(credentials, 'utf8')) as { claudeAiOauth?: { refreshToken?: string; accessToken?: string } };
      const rt = doc.claudeAiOauth?.refreshToken ?? '';
      const m = /^test-refresh-([a-z]+)-(\d+)$/.exec(rt);
      if (!m || !doc.claudeAiOauth?.accessToken) {
        violations.push('blank or malformed token');
      } else {
        const name = m[1] ?? '';
        const gen = Number(m[2]);
        if (gen !== issued[name]) violations.push(`${name}: live generation ${gen}, newest issued ${issued[name]}`);
        const next = (issued[name] ?? 0) + 1;
        issued[name] = next;
        doc.claudeAiOauth = { ...doc.claudeAiOauth, accessToken: `test-access-${name}-${next}`, refreshToken: `test-refresh-${name}-${next}` };
        const tmp = `${credentials}.tmp.${process.pid}`;
        fs.writeFileSync(tmp, JSON.stringify(doc), { mode: 0o600 });
        fs.renameSync(tmp, credentials);
        rotations++;
      }
    } finally {
      for (const [i, l] of honoursLocks ? [...locks.entries()].reverse() : []) {
        let ino = -1;
        try {
          ino = fs.lstatSync(l).ino;
        } catch {
          // gone: removed by someone else while held
        }
        if (ino !== made[i]) {
          removedLocks++;
          violations.push(`lock ${path.basename(l)} was removed while held`);
          continue;
        }
        fs.rmdirSync(l);
      }
    }
    await sleep(Math.random() * 4);
  }
  process.stdout.write(JSON.stringify({ issued, violations, rotations, removedLocks }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`refresher failed: ${String(err)}\n`);
  process.exit(3);
});
