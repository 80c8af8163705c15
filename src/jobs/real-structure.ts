// The real behaviour structure (a binary user x (interest tag | course) matrix, e.g. the platform's
// user_features_binary.npz) as the job's signals, with a seeded hold-out of courses: real structure to evaluate
// the models on, with anonymous tag and course names and synthetic view times.
import fs from 'node:fs';
import path from 'node:path';
import { badInput } from '../errors';
import { readNpz } from '../ingest/npz';
import { isUnreadable, records } from '../ingest/reader';
import { seededRandom } from '../similarity/als';
import { canonicalTag } from '../tags';
import type { HoldOut } from './metrics';
import { Dictionary, TripleBuffer, UserIndex, type Signals } from './signals';

/** Layout of the platform's matrix: column 0 holds the handle, then interest tags, then courses. */
export const REAL_LAYOUT = {
  firstTag: 1,
  lastTag: 748,
  /** Interest tags spelled like a course id: their columns hold course flags (CALIBRATION.md). */
  courseFlagColumns: [
    1, 8, 32, 148, 151, 187, 227, 235, 313, 358, 374, 375, 408, 475, 506, 512, 517, 552, 570, 571, 578, 587, 695,
  ],
} as const;

export interface RealStructure {
  /** Training signals: the matrix with the held-out courses removed, each course its own course tag. */
  signals: Signals;
  /** The hidden courses per user row (indices into signals.courses), as a hold-out split of the views. */
  split: HoldOut;
  protocol: string;
}

/** A seeded log-normal draw (Box-Muller), for synthetic view seconds. */
function logNormal(random: () => number, mu: number, sigma: number): number {
  const u = 1 - random();
  const v = random();
  return Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

/**
 * Reads the matrix and holds out, for every user with at least 5 courses, a seeded fifth of them (rounded down),
 * as shared/acceptance/real_structure.py does. A course's view seconds are the sum of 1 to 3 log-normal views
 * (the real times are unknown). The real assessments table beside the file (user_assessment_scores.csv[.gz])
 * is read when present. `holdOut: false` keeps every course in the training views (the split is then empty).
 */
export async function loadRealStructure(
  file: string,
  seed: number,
  opts: { holdOut?: boolean } = {},
): Promise<RealStructure> {
  if (!fs.existsSync(file)) throw badInput(`--real-structure: expected an .npz file, got "${file}" (not found)`);
  const npz = readNpz(file);
  const indptr = npz.get('indptr')?.values;
  const indices = npz.get('indices')?.values;
  if (!(indptr instanceof Int32Array) || !(indices instanceof Int32Array)) {
    throw badInput(`${file}: expected a CSR matrix with int32 indptr and indices arrays, but they are missing`);
  }
  const random = seededRandom(seed);
  const flags = new Set<number>(REAL_LAYOUT.courseFlagColumns);
  const rows = indptr.length - 1;
  const users = new UserIndex(Float64Array.from({ length: rows }, (_, r) => r + 1));
  const tags = new Dictionary();
  const courses = new Dictionary();
  const interests = new TripleBuffer();
  const views = new TripleBuffer();
  const testIndptr = new Int32Array(rows + 1);
  const testIdx: number[] = [];
  let heldRows = 0;
  for (let r = 0; r < rows; r++) {
    const own: number[] = [];
    for (let p = indptr[r]!; p < indptr[r + 1]!; p++) {
      const c = indices[p]!;
      if (c === 0) continue;
      if (c >= REAL_LAYOUT.firstTag && c <= REAL_LAYOUT.lastTag && !flags.has(c)) {
        interests.push(r, tags.id(`tag-${c}`), 1);
      } else own.push(courses.id(`course-${c}`));
    }
    // Partial Fisher-Yates: the first floor(n / 5) of a seeded shuffle are hidden.
    const hide = opts.holdOut !== false && own.length >= 5 ? Math.floor(own.length / 5) : 0;
    for (let i = 0; i < hide; i++) {
      const j = i + Math.floor(random() * (own.length - i));
      [own[i], own[j]] = [own[j]!, own[i]!];
    }
    for (let i = 0; i < own.length; i++) {
      if (i < hide) {
        testIdx.push(own[i]!);
        continue;
      }
      let seconds = 0;
      const times = 1 + Math.floor(random() * 3);
      for (let t = 0; t < times; t++) seconds += Math.round(logNormal(random, 7, 1.3));
      views.push(r, own[i]!, seconds);
    }
    if (hide > 0) heldRows++;
    testIndptr[r + 1] = testIdx.length;
  }
  const courseTags = new TripleBuffer();
  for (let c = 0; c < courses.size; c++) courseTags.push(c, tags.id(`topic-${courses.names[c]!}`), 1);
  const assessments = new TripleBuffer();
  const table = ['user_assessment_scores.csv', 'user_assessment_scores.csv.gz']
    .map((name) => path.join(path.dirname(file), name))
    .find((f) => fs.existsSync(f));
  if (table !== undefined) {
    const source = { table: 'user_assessment_scores' as const, path: table, name: path.basename(table) };
    for await (const chunk of records(source)) {
      for (const item of chunk) {
        if (isUnreadable(item)) continue;
        const r = users.row(Number(item.fields[0]));
        const tag = canonicalTag(item.fields[1] ?? '');
        if (r === undefined || tag === '') continue;
        assessments.push(r, tags.id(tag), Math.max(0, Number(item.fields[3]) || 0));
      }
    }
  }
  const train = views.toCsr(rows, courses.size, 'sum');
  const signals: Signals = {
    users,
    tags,
    courses,
    interests: interests.toCsr(rows, tags.size, 'max'),
    views: train,
    assessments: assessments.toCsr(rows, tags.size, 'max'),
    courseTags: courseTags.toCsr(courses.size, tags.size, 'max'),
  };
  const protocol =
    `real behaviour structure ${path.basename(file)} (${rows.toLocaleString('en-US')} users, ` +
    `${courses.size.toLocaleString('en-US')} courses, ${tags.size.toLocaleString('en-US')} tags incl. one topic per course); ` +
    `a fifth (rounded down) of the courses of each user with 5+ courses held out, seed ${seed}; ` +
    `${table !== undefined ? 'real assessments; ' : ''}each user's 10 best neighbours on the rest recommend the ` +
    `courses they watched (popular courses fill a shorter list); recall@10 = hits / min(10, held out)`;
  return {
    signals,
    split: { train, test: { indptr: testIndptr, indices: Int32Array.from(testIdx) }, rows: heldRows },
    protocol,
  };
}
