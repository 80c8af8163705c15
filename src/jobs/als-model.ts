// The latent-factor model: implicit ALS on user x (course | tag) confidence, neighbours by cosine on user factors.
import { csrFromTriples, hstack, mapValues, nnz, nonEmptyRows, scale } from '../similarity/csr';
import { log1pValues } from '../similarity/weighting';
import { denseCosineTopK, hnswTopK, recallAgainst, seededRandom, trainAls } from '../similarity/als';
import type { Pool } from '../similarity/pool';
import type { Csr, DenseMatrix, Neighbours } from '../similarity/types';
import type { ModelParams, ModelResult } from './models';
import { widen, type Signals } from './signals';

export interface AlsParams {
  factors: number;
  regularization: number;
  iterations: number;
  cgSteps: number;
  seed: number;
  /**
   * Confidence of a viewed course: c = 1 + alpha * v, with v = 1 (binary) or log1p(seconds) over its mean over
   * all views (log), so that alpha means the same in both.
   */
  alpha: number;
  confidence: 'binary' | 'log';
  /** Confidence added for a followed tag, relative to alpha; 0 leaves interests out of the model. */
  interestWeight: number;
  /**
   * 'mean' compares users by the cosine of their factors minus the mean factor row of all users with input,
   * so the direction every user shares (what is popular) stops making everyone alike; 'none' uses the raw factors.
   */
  centre: 'mean' | 'none';
  /**
   * Weight of the interests' cosine blended into a user's neighbour scores: (factor cosine + w x interest cosine)
   * / (1 + w) with w = blend / (1 + the user's viewed courses) (blendWeight), over the best BLEND_CANDIDATES of
   * each search. 0 is ALS alone. Fitted: interests help users with few courses (on the real structure too), not
   * heavy viewers, whose weight is small.
   */
  blend: number;
  /**
   * Significance weighting of the blended interests' cosine: times shared / (shared + blendShrink), shared being
   * the tags both users follow. A neighbour who shares one tag of a user's ten is weaker evidence of a common taste
   * than one who shares seven, whatever their cosine. 0: the plain cosine. Fitted after the blend.
   */
  blendShrink: number;
  /** HNSW graph degree and search breadth, used with --ann. */
  hnswM: number;
  hnswEf: number;
}

/**
 * Where each run's fit starts (and what runs without fitting use): the best on the real behaviour structure's
 * validation split (`npm run evaluate -- --real-structure FILE`): views only, binary confidence, alpha 20,
 * neighbours by centred factors.
 */
export const DEFAULT_ALS: AlsParams = {
  factors: 64,
  regularization: 1,
  iterations: 15,
  cgSteps: 3,
  seed: 42,
  alpha: 20,
  confidence: 'binary',
  interestWeight: 0,
  centre: 'mean',
  blend: 0,
  blendShrink: 3,
  hnswM: 16,
  hnswEf: 100,
};

/**
 * The confidence-minus-one matrix ALS trains on: views (alpha, or alpha * log1p(s) / its mean) beside followed
 * tags (alpha * interestWeight; left out when interestWeight is 0, since an entry of weight 0 still counts as
 * a preference in implicit ALS).
 */
export function alsMatrix(s: Signals, p: AlsParams): Csr {
  const views = s.views;
  const interests = s.interests;
  if (views === undefined || interests === undefined) throw new Error('als needs the views and interests signals');
  let v: Csr;
  if (p.confidence === 'binary') v = mapValues(views, () => p.alpha);
  else {
    const logs = log1pValues(views);
    let sum = 0;
    for (const x of logs.data) sum += x;
    const mean = logs.data.length > 0 && sum > 0 ? sum / logs.data.length : 1;
    v = scale(logs, p.alpha / mean);
  }
  if (p.interestWeight <= 0) return widen(v, views.cols + s.tags.size);
  return hstack([v, scale(widen(interests, s.tags.size), p.alpha * p.interestWeight)]);
}

/**
 * The matrix with its columns (viewed courses, then followed tags) in the order of their names. The signals number
 * items in the order the graph returned them, which is not fixed; ALS starts each item's factors from its column
 * number, so a canonical order makes the factors, hence the neighbours, the same in every process (shards of a
 * run, a run repeated on the same data).
 */
export function canonicalColumns(c: Csr, s: Signals): Csr {
  const position = canonicalPositions(s, c.cols);
  const rows = new Int32Array(c.indices.length);
  for (let r = 0; r < c.rows; r++) rows.fill(r, c.indptr[r], c.indptr[r + 1]);
  return csrFromTriples(
    c.rows,
    c.cols,
    rows,
    Int32Array.from(c.indices, (col) => position[col]!),
    c.data,
    'sum',
  );
}

/**
 * Each signals' canonical column positions, by (viewed courses, columns): the same for every matrix a fit builds
 * from them. The name dictionaries only grow, so the names of a given span of columns never change.
 */
const positionsCache = new WeakMap<Signals, Map<string, Int32Array>>();

/** Column i's position when the columns (viewed courses, then followed tags) are ordered by name. */
function canonicalPositions(s: Signals, cols: number): Int32Array {
  let byCols = positionsCache.get(s);
  if (byCols === undefined) positionsCache.set(s, (byCols = new Map<string, Int32Array>()));
  const views = s.views?.cols ?? 0;
  const key = `${views}/${cols}`;
  const known = byCols.get(key);
  if (known !== undefined) return known;
  const names = Array.from({ length: cols }, (_, i) =>
    i < views ? `c\u0000${s.courses.names[i] ?? ''}` : `t\u0000${s.tags.names[i - views] ?? ''}`,
  );
  const order = Array.from({ length: cols }, (_, i) => i).sort((a, b) =>
    names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : a - b,
  );
  const position = new Int32Array(cols);
  order.forEach((col, i) => (position[col] = i));
  byCols.set(key, position);
  return position;
}

/**
 * Subtracts the mean factor row of the users with input from each of their rows (rows without input stay zero):
 * cosine on centred factors is a Pearson correlation of users' tastes, without the direction all users share.
 * Returns the mean subtracted (null when no user has input), which a version keeps for folding users in.
 */
export function centreRows(users: DenseMatrix, c: Csr): Float64Array | null {
  const f = users.cols;
  const mean = new Float64Array(f);
  let n = 0;
  for (let r = 0; r < c.rows; r++) {
    if (c.indptr[r + 1] === c.indptr[r]) continue;
    n++;
    for (let j = 0; j < f; j++) mean[j]! += users.data[r * f + j]!;
  }
  if (n === 0) return null;
  for (let j = 0; j < f; j++) mean[j] = mean[j]! / n;
  for (let r = 0; r < c.rows; r++) {
    if (c.indptr[r + 1] === c.indptr[r]) continue;
    for (let j = 0; j < f; j++) users.data[r * f + j]! -= mean[j]!;
  }
  return mean;
}

/** Zeroes the factor rows of users without any input, so they neither get nor give neighbours. */
function zeroRowsWithout(users: DenseMatrix, c: Csr): void {
  for (let r = 0; r < c.rows; r++) {
    if (c.indptr[r + 1] === c.indptr[r]) users.data.fill(0, r * users.cols, (r + 1) * users.cols);
  }
}

/**
 * What ALS training gives the neighbour search: the user factors as searched (rows without input zeroed, centred
 * when p.als.centre is 'mean'), the item factors and the mean subtracted (kept for folding users in), and figures.
 * Float32 throughout, so stored and read back (a sharded run's factors) they search exactly as in this process.
 */
export interface TrainedAls {
  users: DenseMatrix;
  items: DenseMatrix;
  mean: Float64Array | null;
  usersWithSignal: number;
  nonZeros: number;
  details: Record<string, unknown>;
}

/** Trains ALS on the run's signals and prepares the user factors for the cosine search. */
export async function trainAlsUsers(s: Signals, p: ModelParams, pool?: Pool): Promise<TrainedAls> {
  const c = canonicalColumns(alsMatrix(s, p.als), s);
  const model = await trainAls(c, {
    factors: p.als.factors,
    regularization: p.als.regularization,
    iterations: p.als.iterations,
    cgSteps: p.als.cgSteps,
    seed: p.als.seed,
    threads: p.threads,
    computeLoss: false,
    ...(pool !== undefined ? { pool } : {}),
  });
  zeroRowsWithout(model.users, c);
  const mean = p.als.centre === 'mean' ? centreRows(model.users, c) : null;
  return {
    users: model.users,
    items: model.items,
    mean,
    usersWithSignal: nonEmptyRows(c),
    nonZeros: nnz(c),
    details: { iterationMs: model.iterationMs.map((ms) => Math.round(ms)) },
  };
}

/**
 * Factors trained with centre 'none', centred as `p` asks: what trainAlsUsers(s, p) gives, without training again
 * (centring only shifts the trained rows). The given factors are left as they are.
 */
export function centredAs(raw: TrainedAls, s: Signals, p: ModelParams): TrainedAls {
  if (raw.mean !== null) throw new Error('centredAs expects factors trained with centre none');
  if (p.als.centre === 'none') return raw;
  const users = { ...raw.users, data: Float32Array.from(raw.users.data) };
  const mean = centreRows(users, canonicalColumns(alsMatrix(s, p.als), s));
  return { ...raw, users, mean };
}

/**
 * The neighbours of trained (or stored) user factors: every user's, or `queryRows` only by the exact scan (a
 * shard); `tieKey` orders ties (the users' handles).
 */
export async function searchAlsUsers(
  trained: TrainedAls,
  tieKey: Float64Array,
  p: ModelParams,
  pool?: Pool,
  queryRows?: Int32Array,
): Promise<ModelResult> {
  const users = trained.users;
  const poolOpt = pool !== undefined ? { pool } : {};
  const details: Record<string, unknown> = { ...trained.details };
  let neighbours;
  if (queryRows !== undefined) {
    neighbours = await denseCosineTopK(users, p.k, { tieKey, threads: p.threads, queryRows, ...poolOpt });
  } else if (p.ann) {
    neighbours = await hnswTopK(users, p.k, {
      tieKey,
      M: p.als.hnswM,
      efConstruction: p.als.hnswEf,
      efSearch: p.als.hnswEf,
      seed: p.als.seed,
    });
    // Recall against the exact scan: in full while that is cheap, on a seeded sample of users beyond.
    if (users.rows <= 50_000) {
      const exact = await denseCosineTopK(users, p.k, { tieKey, threads: p.threads, ...poolOpt });
      details.annRecall = recallAgainst(exact, neighbours);
    } else {
      details.annRecall = sampledRecall(users, neighbours, 500, p.als.seed);
      details.annRecallSample = 500;
    }
  } else {
    neighbours = await denseCosineTopK(users, p.k, { tieKey, threads: p.threads, ...poolOpt });
  }
  return {
    neighbours,
    usersWithSignal: trained.usersWithSignal,
    nonZeros: trained.nonZeros,
    details,
    als: { items: trained.items, mean: trained.mean },
  };
}

/**
 * Recall of approximate neighbours against an exact scan for `sample` seeded random rows: the share of each
 * sampled row's exact top-k (by cosine, non-zero rows only) that the approximate list also holds.
 */
export function sampledRecall(f: DenseMatrix, approx: Neighbours, sample: number, seed: number): number {
  const { rows, cols } = f;
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += f.data[r * cols + c]! ** 2;
    norms[r] = Math.sqrt(s);
  }
  const random = seededRandom(seed);
  const k = approx.k;
  let found = 0;
  let total = 0;
  const scores = new Float64Array(rows);
  for (let t = 0; t < Math.min(sample, rows); t++) {
    const r = Math.floor(random() * rows);
    if (norms[r] === 0) continue;
    for (let o = 0; o < rows; o++) {
      if (o === r || norms[o] === 0) {
        scores[o] = -Infinity;
        continue;
      }
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += f.data[r * cols + c]! * f.data[o * cols + c]!;
      scores[o] = dot / (norms[r]! * norms[o]!);
    }
    // The k best by a running insertion into a short sorted list.
    const best: number[] = [];
    for (let o = 0; o < rows; o++) {
      const v = scores[o]!;
      if (v <= 0 || (best.length === k && v <= scores[best[k - 1]!]!)) continue;
      let i = best.length < k ? best.length : k - 1;
      best[i] = o;
      while (i > 0 && scores[best[i - 1]!]! < v) {
        best[i] = best[i - 1]!;
        best[i - 1] = o;
        i--;
      }
    }
    const got = new Set<number>();
    for (let j = 0; j < k; j++) got.add(approx.index[r * k + j]!);
    for (const o of best) if (got.has(o)) found++;
    total += best.length;
  }
  return total === 0 ? 1 : found / total;
}
