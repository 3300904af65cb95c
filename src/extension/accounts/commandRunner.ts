// Runs a program without a shell, for Keychain access through `security` on macOS.
import { spawn } from 'node:child_process';
import type { CommandRunner } from '../../core/accounts/liveCredentials';

const TIMEOUT_MS = 30_000;

export const spawnCommand: CommandRunner = (command, args, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    // A closed stdin (the program exited early) must not crash the extension host.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options?.input ?? '');
  });
