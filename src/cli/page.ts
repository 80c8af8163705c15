// The page (web/) as `npm start` serves it: built with Vite when missing or older than its sources.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config';
import { AppError } from '../errors';

const WEB_DIR = path.join(PROJECT_ROOT, 'web');

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the page with Vite when web/dist is missing or older than its sources. */
export function ensurePage(say: (message: string) => void): void {
  const built = path.join(WEB_DIR, 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(path.join(WEB_DIR, 'src')),
    fs.existsSync(path.join(WEB_DIR, 'index.html')) ? fs.statSync(path.join(WEB_DIR, 'index.html')).mtimeMs : 0,
  );
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) {
    say('built page is up to date');
    return;
  }
  say('building the page with Vite...');
  const res = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', 'build:web'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  if (res.status !== 0) {
    throw new AppError(
      'INTERNAL',
      `Building the page failed:\n${`${res.stdout}${res.stderr}`.trim().split('\n').slice(-10).join('\n')}`,
    );
  }
}
