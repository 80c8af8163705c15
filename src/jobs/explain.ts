// The score of a stored match taken apart: two users' rows weighted exactly as the version that scored them (its
// block weights, views weighting and frozen statistics), so each shared item's product is its part of the cosine.
import type { Csr } from '../similarity/types';
import {
  type Block,
  type FrozenWeighting,
  itemAt,
  type ModelName,
  type ModelParams,
  thawWeighting,
  weightedMatrix,
} from './models';
import { Dictionary, TripleBuffer, UserIndex, type Signals } from './signals';

/** What one user holds, as the similarity job reads it from the graph. */
export interface UserItems {
  /** Followed tags (canonical names). */
  interests: readonly string[];
  /** Viewed courses with total seconds and the course's tags. */
  views: ReadonlyArray<{ course: string; seconds: number; tags: readonly string[] }>;
  /** Assessment attempts; the best score per tag counts. */
  assessments: ReadonlyArray<{ tag: string; score: number }>;
}

/** One shared item's part of the score. */
export interface Contribution {
  signal: Block['signal'];
  item: string;
  value: number;
}

export interface Decomposition {
  /** The cosine of the two weighted rows: the sum of the contributions. */
  score: number;
  /** Every shared item with a non-zero part, largest first (ties by signal, then item). */
  contributions: Contribution[];
}

/** Two users' signals, over the items they hold (course tags included for the courses they watched). */
export function pairSignals(a: UserItems, b: UserItems): Signals {
  const tags = new Dictionary();
  const courses = new Dictionary();
  const interests = new TripleBuffer();
  const views = new TripleBuffer();
  const assessments = new TripleBuffer();
  const courseTags = new TripleBuffer();
  const seenCourse = new Set<string>();
  [a, b].forEach((u, r) => {
    for (const t of u.interests) interests.push(r, tags.id(t), 1);
    for (const v of u.views) {
      const c = courses.id(v.course);
      views.push(r, c, Math.max(0, v.seconds));
      if (!seenCourse.has(v.course)) {
        seenCourse.add(v.course);
        for (const t of v.tags) courseTags.push(c, tags.id(t), 1);
      }
    }
    for (const x of u.assessments) assessments.push(r, tags.id(x.tag), Math.max(0, x.score));
  });
  return {
    users: new UserIndex(Float64Array.from([0, 1])),
    tags,
    courses,
    interests: interests.toCsr(2, tags.size, 'max'),
    views: views.toCsr(2, courses.size, 'sum'),
    assessments: assessments.toCsr(2, tags.size, 'max'),
    courseTags: courseTags.toCsr(courses.size, tags.size, 'max'),
  };
}

function rowNorm(m: Csr, r: number): number {
  let s = 0;
  for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) s += m.data[p]! * m.data[p]!;
  return Math.sqrt(s);
}

/**
 * The cosine of a and b under a cosine-family model, as the version with these params and frozen weighting
 * computed it, with each shared item's part: (w_a(i) / |w_a|) * (w_b(i) / |w_b|), summing to the cosine.
 */
export function decompose(
  model: Exclude<ModelName, 'als'>,
  params: Pick<ModelParams, 'bm25' | 'weights' | 'viewsWeighting'>,
  frozen: FrozenWeighting,
  a: UserItems,
  b: UserItems,
): Decomposition {
  const s = pairSignals(a, b);
  const { matrix: m, blocks } = weightedMatrix(model, s, params, thawWeighting(frozen, s));
  const na = rowNorm(m, 0);
  const nb = rowNorm(m, 1);
  if (na === 0 || nb === 0) return { score: 0, contributions: [] };
  const other = new Map<number, number>();
  for (let p = m.indptr[1]!; p < m.indptr[2]!; p++) other.set(m.indices[p]!, m.data[p]!);
  const contributions: Contribution[] = [];
  let score = 0;
  for (let p = m.indptr[0]!; p < m.indptr[1]!; p++) {
    const col = m.indices[p]!;
    const wb = other.get(col);
    if (wb === undefined) continue;
    const value = (m.data[p]! / na) * (wb / nb);
    if (value === 0) continue;
    score += value;
    contributions.push({ ...itemAt(blocks, s, col), value });
  }
  contributions.sort(
    (x, y) => y.value - x.value || x.signal.localeCompare(y.signal) || (x.item < y.item ? -1 : x.item > y.item ? 1 : 0),
  );
  return { score, contributions };
}
