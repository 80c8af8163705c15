// Loads the .cypher files once: each statement lives in its own file under cypher/, named for its intent.
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config';
import { AppError } from '../errors';

export const CYPHER_DIR = path.join(PROJECT_ROOT, 'cypher');

const cache = new Map<string, string>();

/** Strips `//` comment lines (the header) so what remains is the statement itself. */
export function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('//'))
    .join('\n')
    .trim();
}

/** A statement by its path under cypher/ without the extension, e.g. `ingest/merge-views`. */
export function cypher(name: string): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const file = path.join(CYPHER_DIR, `${name}.cypher`);
  if (!fs.existsSync(file)) {
    throw new AppError('INTERNAL', `Missing Cypher file cypher/${name}.cypher`);
  }
  const text = stripComments(fs.readFileSync(file, 'utf8'));
  if (text === '') throw new AppError('INTERNAL', `cypher/${name}.cypher holds no statement`);
  cache.set(name, text);
  return text;
}

/** Every .cypher file under cypher/ (or a subfolder), as names usable with cypher(). */
export function listCypher(sub = ''): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.cypher'))
        out.push(
          path
            .relative(CYPHER_DIR, p)
            .replace(/\.cypher$/, '')
            .split(path.sep)
            .join('/'),
        );
    }
  };
  walk(path.join(CYPHER_DIR, sub));
  return out.sort();
}

/** Loads a set of statements eagerly so a missing file fails at startup, not on a request. */
export function preload(names: readonly string[]): void {
  for (const n of names) cypher(n);
}
