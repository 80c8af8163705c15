#!/usr/bin/env node
// Runs before `npm start` and `npm test`: installs the npm packages when they are missing or older than the lockfile,
// so that a fresh clone needs no separate install step. With --test (npm test's pretest) or --system, it also
// installs the Debian packages the tests use (chromium for the browser tests, docker-compose to validate the
// compose file) when they are missing: with apt-get as root (or passwordless sudo), else it stops with the one
// command that installs them. Plain Node, no dependencies.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const systemOnly = args.includes('--system');
const forTests = args.includes('--test') || systemOnly;

/** Debian packages the test suite needs, each with how to tell it is there. */
const SYSTEM_PACKAGES = [
  { name: 'chromium', present: () => fs.existsSync('/usr/bin/chromium') },
  { name: 'docker-compose', present: () => onPath('docker-compose') },
];

function onPath(cmd) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && fs.existsSync(path.join(dir, cmd)));
}

function run(cmd, cmdArgs, opts = {}) {
  return spawnSync(cmd, cmdArgs, { stdio: 'inherit', ...opts });
}

function ensureNpmPackages() {
  const lock = path.join(root, 'package-lock.json');
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  // npm writes the hidden lockfile last; a lockfile newer by more than a moment means it changed since (a pull, a checkout).
  const stale = !fs.existsSync(installed) || fs.statSync(installed).mtimeMs + 2000 < fs.statSync(lock).mtimeMs;
  if (!stale) return;
  process.stderr.write('Installing npm packages (npm ci)...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const res = run(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root });
  if (res.status !== 0) {
    process.stderr.write(`npm ci failed (exit ${res.status}); run it yourself to see why.\n`);
    process.exit(res.status ?? 1);
  }
}

function ensureSystemPackages() {
  const missing = SYSTEM_PACKAGES.filter((p) => !p.present()).map((p) => p.name);
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  const fail = (why) => {
    process.stderr.write(
      `The tests need ${missing.join(' and ')}, missing on this machine, and ${why}.\n` +
        `Install them with:\n  sudo sh -c '${command}'\nthen run npm test again.\n`,
    );
    process.exit(1);
  };
  if (process.platform !== 'linux' || !onPath('apt-get')) return fail('this is not a Debian-like system (no apt-get)');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !isRoot && onPath('sudo') && run('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!isRoot && !sudo) return fail('this user cannot install packages (not root, no passwordless sudo)');
  const prefix = isRoot ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (aptArgs) => {
    const [cmd, ...rest] = [...prefix, 'apt-get', ...aptArgs];
    return run(cmd, rest, { env, stdio: ['ignore', 'ignore', 'inherit'] }).status === 0;
  };
  process.stderr.write(`Installing ${missing.join(', ')} for the tests (apt-get)...\n`);
  // A half-finished earlier install (unpacked, not configured) blocks any new one: complete it first.
  if (!apt(['update', '-qq']) || !apt(['install', '-y', '-qq', '--fix-broken'])) return fail('apt-get update failed');
  if (!apt(['install', '-y', '-qq', '--no-install-recommends', ...missing])) return fail('apt-get install failed');
  const still = SYSTEM_PACKAGES.filter((p) => missing.includes(p.name) && !p.present()).map((p) => p.name);
  if (still.length > 0) return fail(`apt-get finished but ${still.join(', ')} is still missing`);
  process.stderr.write(`Installed ${missing.join(', ')}.\n`);
}

/** Native modules built for another Node (another NODE_MODULE_VERSION) are rebuilt for this one. */
function ensureNativeModules() {
  const probe = spawnSync(process.execPath, ['-e', 'require("hnswlib-node")'], { cwd: root, encoding: 'utf8' });
  if (probe.status === 0) return;
  if (!/NODE_MODULE_VERSION|was compiled against a different Node/.test(probe.stderr)) {
    process.stderr.write(`hnswlib-node does not load:\n${probe.stderr.trim().split('\n').slice(0, 5).join('\n')}\n`);
    process.exit(1);
  }
  process.stderr.write(`hnswlib-node was built for another Node: rebuilding it for ${process.version}...\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const res = run(npm, ['rebuild', 'hnswlib-node'], { cwd: root });
  if (res.status !== 0) {
    process.stderr.write(`npm rebuild hnswlib-node failed (exit ${res.status}); run it yourself to see why.\n`);
    process.exit(res.status ?? 1);
  }
}

if (args.includes('--native')) {
  ensureNativeModules();
} else {
  if (!systemOnly) {
    ensureNpmPackages();
    ensureNativeModules();
  }
  if (forTests) ensureSystemPackages();
}
