// Pure evaluation pieces: the hold-out split, recommending from neighbours, and the ranking metrics.
import { seededRandom } from '../similarity/als';
import type { Csr, Neighbours } from '../similarity/types';

/**
 * Recall@k: the relevant items found in the first k of the ranking over the most that k places can hold,
 * hits / min(k, |relevant|), so a perfect list scores 1 however many items are relevant; undefined when nothing
 * is relevant (such a user is not scored).
 */
export function recallAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number | undefined {
  if (relevant.size === 0) return undefined;
  let hits = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (relevant.has(ranked[i]!)) hits++;
  return hits / Math.min(k, relevant.size);
}

/**
 * NDCG@k with binary relevance: sum of 1/log2(rank + 1) over hits in the first k, divided by the same sum for an
 * ideal ranking (all relevant items first, at most k of them); undefined when nothing is relevant.
 */
export function ndcgAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number | undefined {
  if (relevant.size === 0) return undefined;
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (relevant.has(ranked[i]!)) dcg += 1 / Math.log2(i + 2);
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}

/** Catalogue coverage: the share of the catalogue's items recommended to at least one user. */
export function catalogueCoverage(lists: Iterable<ArrayLike<number>>, catalogueSize: number): number {
  if (catalogueSize <= 0) return 0;
  const seen = new Set<number>();
  for (const list of lists) for (let i = 0; i < list.length; i++) seen.add(list[i]!);
  return seen.size / catalogueSize;
}

/**
 * Mean over users that have neighbours and a known community (>= 0) of the share of their neighbours in the
 * same community; undefined when no user qualifies.
 */
export function communityShare(nb: Neighbours, community: Int32Array): number | undefined {
  let sum = 0;
  let users = 0;
  for (let r = 0; r < nb.rows; r++) {
    const own = community[r] ?? -1;
    if (own < 0) continue;
    let n = 0;
    let same = 0;
    for (let j = 0; j < nb.k; j++) {
      const idx = nb.index[r * nb.k + j]!;
      if (idx < 0) break;
      n++;
      if (community[idx] === own) same++;
    }
    if (n === 0) continue;
    sum += same / n;
    users++;
  }
  return users === 0 ? undefined : sum / users;
}

export interface HoldOut {
  /** The matrix without the hidden entries. */
  train: Csr;
  /** Hidden items of row r: test.indices[test.indptr[r] .. test.indptr[r + 1]). */
  test: { indptr: Int32Array; indices: Int32Array };
  /** Rows with at least one hidden item. */
  rows: number;
}

/**
 * Hides a seeded random `fraction` of the items of every row holding at least `minItems` items (rounded to the
 * nearest, or down with 'floor'; at least one item, never all of them); the same seed and matrix give the same
 * split. With `only`, rows r where only[r] is 0 keep all their items.
 */
export function holdOut(
  m: Csr,
  fraction: number,
  seed: number,
  minItems = 2,
  rounding: 'round' | 'floor' = 'round',
  only?: Uint8Array,
): HoldOut {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`expected a fraction in (0, 1), but got ${fraction}`);
  const random = seededRandom(seed);
  const trainIndptr = new Int32Array(m.rows + 1);
  const testIndptr = new Int32Array(m.rows + 1);
  const trainIdx: number[] = [];
  const trainVal: number[] = [];
  const testIdx: number[] = [];
  let rows = 0;
  for (let r = 0; r < m.rows; r++) {
    const start = m.indptr[r]!;
    const n = m.indptr[r + 1]! - start;
    const hide = new Uint8Array(n);
    if (n >= minItems && (only === undefined || only[r] === 1)) {
      const count = Math.min(n - 1, Math.max(1, (rounding === 'floor' ? Math.floor : Math.round)(fraction * n)));
      // Partial Fisher-Yates over positions picks `count` distinct ones.
      const pos = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(random() * (n - i));
        [pos[i], pos[j]] = [pos[j]!, pos[i]!];
        hide[pos[i]!] = 1;
      }
      rows++;
    }
    for (let q = 0; q < n; q++) {
      if (hide[q] === 1) testIdx.push(m.indices[start + q]!);
      else {
        trainIdx.push(m.indices[start + q]!);
        trainVal.push(m.data[start + q]!);
      }
    }
    trainIndptr[r + 1] = trainIdx.length;
    testIndptr[r + 1] = testIdx.length;
  }
  return {
    train: {
      rows: m.rows,
      cols: m.cols,
      indptr: trainIndptr,
      indices: Int32Array.from(trainIdx),
      data: Float32Array.from(trainVal),
    },
    test: { indptr: testIndptr, indices: Int32Array.from(testIdx) },
    rows,
  };
}

/** Per-call marks over the items, reused across calls: `owned[i] === stamp` and `touched[i] === stamp` mean this call. */
let marks: { cols: number; stamp: number; owned: Int32Array; touched: Int32Array; score: Float64Array } | undefined;

function freshMarks(cols: number): NonNullable<typeof marks> {
  if (marks === undefined || marks.cols !== cols || marks.stamp >= 0x7fffffff) {
    marks = {
      cols,
      stamp: 0,
      owned: new Int32Array(cols),
      touched: new Int32Array(cols),
      score: new Float64Array(cols),
    };
  }
  marks.stamp++;
  return marks;
}

/**
 * Recommends to row r the k items its neighbours have (in `items`, e.g. training views) that r has not, scored
 * by the sum of the neighbours' similarities; ties by ascending item. With `fill` (e.g. popularityOrder), a list
 * shorter than k is completed from it. Validation calls it for every candidate of a fit: the scores live in arrays
 * reused from call to call, not in a map per row.
 */
export function recommendFromNeighbours(
  nb: Neighbours,
  items: Csr,
  r: number,
  k: number,
  fill?: Int32Array,
): Int32Array {
  const m = freshMarks(items.cols);
  const { stamp, owned, touched, score } = m;
  for (let p = items.indptr[r]!; p < items.indptr[r + 1]!; p++) owned[items.indices[p]!] = stamp;
  // The best k so far, best first (score descending, then item ascending).
  const best: number[] = [];
  const candidates: number[] = [];
  for (let j = 0; j < nb.k; j++) {
    const n = nb.index[r * nb.k + j]!;
    if (n < 0) break;
    const sim = nb.score[r * nb.k + j]!;
    for (let p = items.indptr[n]!; p < items.indptr[n + 1]!; p++) {
      const item = items.indices[p]!;
      if (owned[item] === stamp) continue;
      if (touched[item] !== stamp) {
        touched[item] = stamp;
        score[item] = 0;
        candidates.push(item);
      }
      score[item]! += sim;
    }
  }
  const ahead = (a: number, b: number) => score[a]! > score[b]! || (score[a] === score[b] && a < b);
  for (const item of candidates) {
    if (best.length === k && !ahead(item, best[k - 1]!)) continue;
    let at = best.length < k ? best.length : k - 1;
    best[at] = item;
    while (at > 0 && ahead(item, best[at - 1]!)) {
      best[at] = best[at - 1]!;
      best[at - 1] = item;
      at--;
    }
  }
  if (fill !== undefined) {
    for (let i = 0; i < fill.length && best.length < k; i++) {
      const item = fill[i]!;
      if (owned[item] !== stamp && touched[item] !== stamp) best.push(item);
    }
  }
  return Int32Array.from(best);
}

/** Items ordered by how many rows hold them (most first, ties by ascending item). */
export function popularityOrder(items: Csr): Int32Array {
  const count = new Int32Array(items.cols);
  for (let p = 0; p < items.indices.length; p++) count[items.indices[p]!]!++;
  const order = Array.from({ length: items.cols }, (_, i) => i);
  order.sort((a, b) => count[b]! - count[a]! || a - b);
  return Int32Array.from(order);
}

/** The first k items of `order` that row r does not hold. */
export function recommendInOrder(order: Int32Array, items: Csr, r: number, k: number): Int32Array {
  const own = new Set<number>();
  for (let p = items.indptr[r]!; p < items.indptr[r + 1]!; p++) own.add(items.indices[p]!);
  const out: number[] = [];
  for (let i = 0; i < order.length && out.length < k; i++) if (!own.has(order[i]!)) out.push(order[i]!);
  return Int32Array.from(out);
}

/** k distinct items drawn uniformly (with `random`) among those row r does not hold. */
export function recommendRandom(random: () => number, items: Csr, r: number, k: number): Int32Array {
  const own = new Set<number>();
  for (let p = items.indptr[r]!; p < items.indptr[r + 1]!; p++) own.add(items.indices[p]!);
  const available = items.cols - own.size;
  const out = new Set<number>();
  while (out.size < Math.min(k, available)) {
    const item = Math.floor(random() * items.cols);
    if (!own.has(item)) out.add(item);
  }
  return Int32Array.from(out);
}

export interface RankingFigures {
  /** Users scored (those with hidden items). */
  users: number;
  recall: number;
  ndcg: number;
  coverage: number;
}

/** Recall@k, NDCG@k (means over rows with hidden items) and coverage of a recommender over a hold-out split. */
export function scoreRecommender(
  split: HoldOut,
  k: number,
  recommend: (r: number) => ArrayLike<number>,
): RankingFigures {
  let recall = 0;
  let ndcg = 0;
  let users = 0;
  const lists: ArrayLike<number>[] = [];
  for (let r = 0; r < split.train.rows; r++) {
    const start = split.test.indptr[r]!;
    const end = split.test.indptr[r + 1]!;
    if (end === start) continue;
    const relevant = new Set<number>(split.test.indices.subarray(start, end));
    const ranked = recommend(r);
    lists.push(ranked);
    recall += recallAtK(ranked, relevant, k) ?? 0;
    ndcg += ndcgAtK(ranked, relevant, k) ?? 0;
    users++;
  }
  return {
    users,
    recall: users > 0 ? recall / users : 0,
    ndcg: users > 0 ? ndcg / users : 0,
    coverage: catalogueCoverage(lists, split.train.cols),
  };
}
