#!/usr/bin/env node
// Proves a test run left the real home alone: `snapshot` lists every file and folder under the
// user's home (type, size, mode, mtime) before `npm test`, `check` lists it again afterwards and
// fails on any difference. npm's own cache and logs (~/.npm) and a repository cloned under the
// home are left out: npm writes those itself. Usage: node test/host/homeGuard.mjs snapshot|check
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const home = os.userInfo().homedir;
const stateFile = path.join(repo, '.vscode-test', 'home-guard.json');
const skipped = new Set([path.join(home, '.npm'), repo]);

function list(dir, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // unreadable: nothing a test could have changed through it either
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (skipped.has(p)) continue;
    let st;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue;
    }
    // A folder's own mtime changes with its entries, which are compared one by one.
    out[p] = st.isDirectory() ? 'dir' : `${st.isSymbolicLink() ? 'link' : 'file'} ${st.size} ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}`;
    if (st.isDirectory()) list(p, out);
  }
  return out;
}

const command = process.argv[2];
if (command === 'snapshot') {
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  fs.writeFileSync(stateFile, JSON.stringify(list(home, {})));
  process.exit(0);
}
if (command !== 'check') {
  console.error('usage: node test/host/homeGuard.mjs snapshot|check');
  process.exit(2);
}
let before;
try {
  before = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
} catch {
  console.error(`home guard: no snapshot at ${stateFile} (run "node test/host/homeGuard.mjs snapshot" first)`);
  process.exit(2);
}
const after = list(home, {});
const changes = [];
for (const [p, v] of Object.entries(after)) {
  if (!(p in before)) changes.push(`added    ${p}`);
  else if (before[p] !== v) changes.push(`changed  ${p}`);
}
for (const p of Object.keys(before)) if (!(p in after)) changes.push(`removed  ${p}`);
fs.rmSync(stateFile, { force: true });
if (changes.length > 0) {
  console.error(`home guard: the test run changed ${changes.length} path(s) under the real home ${home}:`);
  for (const c of changes.slice(0, 40)) console.error(`  ${c}`);
  process.exit(1);
}
console.log(`home guard: nothing under ${home} changed during the run`);
