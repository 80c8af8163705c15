// Splits a generated data set for an incremental refresh: base/ holds every row but those of a seeded set of new
// users and every other row of a seeded set of changed users; late/ holds those rows (imported after the first run).
// Used by `npm run bench -- incremental` and test/integration/similarity-incremental.int.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { seededRandom } from '../src/similarity/als';

const USER_TABLES = ['user_interests', 'user_course_views', 'user_assessment_scores'] as const;

function readTable(dir: string, table: string): { file: string; lines: string[] } {
  for (const file of [`${table}.csv`, `${table}.csv.gz`]) {
    const p = path.join(dir, file);
    if (!fs.existsSync(p)) continue;
    const raw = fs.readFileSync(p);
    const text = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
    return { file: `${table}.csv`, lines: text.split('\n').filter((l) => l.length > 0) };
  }
  throw new Error(`expected ${table}.csv or ${table}.csv.gz in ${dir}, found neither`);
}

const handleOf = (line: string) => Number(line.slice(0, line.indexOf(',')));

export interface IncrementalSplit {
  base: string;
  late: string;
  /** Users whose every row is in late/. */
  added: number[];
  /** Users with every other row (of each table) in late/. */
  changed: number[];
}

/**
 * Writes `out`/base and `out`/late from the four tables in `dir`: `share` of the users (seeded) are new, as many
 * others are changed. Users are drawn among those with interests and views both.
 */
export function splitForIncremental(dir: string, out: string, share: number, seed: number): IncrementalSplit {
  const base = path.join(out, 'base');
  const late = path.join(out, 'late');
  for (const d of [base, late]) {
    fs.rmSync(d, { recursive: true, force: true });
    fs.mkdirSync(d, { recursive: true });
  }
  const tables = USER_TABLES.map((t) => readTable(dir, t));
  const withViews = new Set(tables[1]!.lines.slice(1).map(handleOf));
  const candidates = [...new Set(tables[0]!.lines.slice(1).map(handleOf))].filter((h) => withViews.has(h));
  candidates.sort((a, b) => a - b);
  const random = seededRandom(seed);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  const count = Math.max(1, Math.round(candidates.length * share));
  const added = candidates.slice(0, count).sort((a, b) => a - b);
  const changed = candidates.slice(count, 2 * count).sort((a, b) => a - b);
  const isAdded = new Set(added);
  const isChanged = new Set(changed);
  for (const { file, lines } of tables) {
    const [header, ...rows] = lines;
    const seen = new Map<number, number>();
    const toLate = rows.map((l) => {
      const h = handleOf(l);
      if (isAdded.has(h)) return true;
      if (!isChanged.has(h)) return false;
      const n = seen.get(h) ?? 0;
      seen.set(h, n + 1);
      return n % 2 === 1;
    });
    fs.writeFileSync(path.join(base, file), [header, ...rows.filter((_, i) => !toLate[i])].join('\n') + '\n');
    fs.writeFileSync(path.join(late, file), [header, ...rows.filter((_, i) => toLate[i])].join('\n') + '\n');
  }
  const tags = readTable(dir, 'course_tags');
  fs.writeFileSync(path.join(base, tags.file), tags.lines.join('\n') + '\n');
  fs.writeFileSync(path.join(late, tags.file), `${tags.lines[0]}\n`);
  return { base, late, added, changed };
}

/** Mean top-k overlap (|a ∩ b| / |b|) over the users of `which` that have a list in `b` (the reference). */
export function meanOverlap(
  a: ReadonlyMap<number, readonly number[]>,
  b: ReadonlyMap<number, readonly number[]>,
  which: (handle: number) => boolean,
): { overlap: number; users: number } {
  let sum = 0;
  let users = 0;
  for (const [h, ref] of b) {
    if (!which(h) || ref.length === 0) continue;
    const got = new Set(a.get(h) ?? []);
    sum += ref.filter((x) => got.has(x)).length / ref.length;
    users++;
  }
  return { overlap: users > 0 ? sum / users : 1, users };
}
