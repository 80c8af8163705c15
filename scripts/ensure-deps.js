#!/usr/bin/env node
// Runs before `npm start` and `npm test`: installs the npm packages when they are missing or older than the lockfile,
// so that a fresh clone needs no separate install step. Plain Node, no dependencies.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');

// npm writes the hidden lockfile last; a lockfile newer by more than a moment means it changed since (a pull, a checkout).
const stale = !fs.existsSync(installed) || fs.statSync(installed).mtimeMs + 2000 < fs.statSync(lock).mtimeMs;
if (stale) {
  process.stderr.write('Installing npm packages (npm ci)...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const res = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) {
    process.stderr.write(`npm ci failed (exit ${res.status}); run it yourself to see why.\n`);
    process.exit(res.status ?? 1);
  }
}
