// Approximate top-k cosine neighbours between sparse rows, for sizes where the exact search takes hours (its work
// is the sum over columns of df^2): rows are projected onto a learned low-dimensional subspace; candidates come
// from partitions of the projections (each row compared exactly with the rows of its nearest partitions) or from
// HNSW indexes over them, are scored by their exact sparse cosine, and neighbour-of-neighbour rounds refine them.
import { seededRandom } from './als';
import { l2NormalizeRows } from './csr';
import { buildShardIndex, recallAgainst, runShards, shardSources, unitRows, type ShardSource } from './dense';
import { TopK } from './heap';
import { blocks, shareCsr, sharedFloat32, sharedInt32, toShared, withPool } from './pool';
import type { Pool } from './pool';
import { cosineTopK, defaultBlockRows } from './topk';
import type { Csr, DenseMatrix, Neighbours } from './types';

/** Defaults of sparseAnnTopK's options (the job's --ann settings start from these). */
export const SPARSE_ANN_DEFAULTS = {
  dims: 64,
  candidates: 50,
  seed: 100,
  shards: 2,
  rounds: 3,
  /** Neighbours kept per row while searching, as a multiple of k. */
  listFactor: 3,
} as const;

/** Options of sparseAnnTopK; tieKey, minScore, threads and pool mean what they mean for cosineTopK. */
export interface SparseAnnOptions {
  tieKey: Float64Array | Int32Array;
  minScore?: number;
  threads?: number;
  pool?: Pool;
  /** Dimensions of the projection (default 64; matrices with fewer columns are indexed as they are). */
  dims?: number;
  /** Candidates taken from each shard's index and re-ranked exactly (default 50). */
  candidates?: number;
  /** HNSW graph degree (default 16), build beam (default 100), search beam (default max(100, candidates)). */
  M?: number;
  efConstruction?: number;
  efSearch?: number;
  /** Seeds the projection's start and the indexes (default 100). */
  seed?: number;
  /** Independent indexes, built in parallel and searched for every row (default 2, as in hnswTopK). */
  shards?: number;
  /** Rows the subspace is learned from, evenly spaced (default 50,000; all rows when there are fewer). */
  sampleRows?: number;
  /** Subspace (power) iterations (default 4). */
  iterations?: number;
  /** Rounds of neighbour-of-neighbour refinement after the index search (default 3; see refineNeighbours). */
  rounds?: number;
  /** Neighbours kept per row while searching and refining (default 3k, at least k); the k best are returned. */
  listSize?: number;
  /**
   * Rows per partition of the projected rows (spherical k-means), whose rows are compared exactly with every row
   * that probes the partition, instead of the HNSW indexes (default 0: HNSW). See partitionCandidates.
   */
  partitionRows?: number;
  /** Partitions each row is compared with, nearest centroids first (default 4). */
  probes?: number;
  /**
   * Called after each step (projection, partitions, candidates, every refinement round) with its wall seconds and,
   * from the candidates on, the current top-k lists in the caller's row order (built on demand): for benches
   * following a long search.
   */
  onStep?: (step: string, seconds: number, lists?: () => Neighbours) => void | Promise<void>;
}

/** What sparseAnnTopK found, with how it got there. */
export interface SparseAnnResult extends Neighbours {
  /** Dimensions the rows were indexed in. */
  dims: number;
  /** Rows with signal whose projection was zero: searched exactly instead. */
  exactRows: number;
  /**
   * Seconds per step, for benches: projection; partitioning (k-means, nearest partitions, rows reordered; 0 with
   * HNSW); candidates (the partitions' exact comparisons, or HNSW build and search); refinement.
   */
  seconds: { project: number; partition: number; index: number; refine: number };
}

/**
 * Orthonormalises the columns of a (rows x cols, row-major) in place; a column with no new direction becomes 0.
 * Works on a column-major copy: the same sums in the same order, but each column contiguous in memory (with
 * thousands of rows, walking a row-major column touches a cache line per element).
 */
export function orthonormalizeColumns(a: Float64Array, rows: number, cols: number): void {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) t[j * rows + r] = a[r * cols + j]!;
  for (let j = 0; j < cols; j++) {
    const cj = j * rows;
    // Modified Gram-Schmidt, twice ("twice is enough") so the columns stay orthogonal in floating point.
    let before = 0;
    for (let r = 0; r < rows; r++) before += t[cj + r]! ** 2;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const ci = i * rows;
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += t[ci + r]! * t[cj + r]!;
        for (let r = 0; r < rows; r++) t[cj + r]! -= dot * t[ci + r]!;
      }
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += t[cj + r]! ** 2;
    const keep = norm > 1e-20 && norm > before * 1e-16;
    const inv = keep ? 1 / Math.sqrt(norm) : 0;
    for (let r = 0; r < rows; r++) t[cj + r] = t[cj + r]! * inv;
  }
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) a[r * cols + j] = t[j * rows + r]!;
}

/** `count` distinct rows of [0, rows), evenly spaced and ascending (all rows when count >= rows). */
export function evenRows(rows: number, count: number): Int32Array {
  if (count >= rows) return Int32Array.from({ length: rows }, (_, i) => i);
  return Int32Array.from({ length: count }, (_, i) => Math.floor((i * rows) / count));
}

/** `count` distinct seeded random rows of [0, rows), ascending (all rows when count >= rows). */
export function sampleRows(rows: number, count: number, seed: number): Int32Array {
  if (count >= rows) return evenRows(rows, rows);
  const random = seededRandom(seed);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(random() * rows));
  return Int32Array.from([...picked].sort((a, b) => a - b));
}

/**
 * An orthonormal basis (cols x d, d = min(dims, cols)) approximately spanning the top right singular vectors of
 * m's sampled rows: subspace iteration Q <- orth(Xs^T Xs Q) from a seeded Gaussian start. Projecting rows on it
 * keeps most of their dot products; it is the truncated SVD's subspace, reached without forming Xs^T Xs.
 * With cols <= dims it is the identity: the projection is exact.
 */
export function projectionBasis(
  m: Csr,
  dims: number,
  opts: { seed?: number; sampleRows?: number; iterations?: number } = {},
): DenseMatrix {
  if (!Number.isInteger(dims) || dims < 1)
    throw new RangeError(`expected dims to be a positive integer, but got ${dims}`);
  const cols = m.cols;
  const d = Math.min(dims, cols);
  const q = new Float64Array(cols * d);
  if (cols <= dims) {
    for (let c = 0; c < cols; c++) q[c * d + c] = 1;
    return { rows: cols, cols: d, data: Float32Array.from(q) };
  }
  const random = seededRandom(opts.seed ?? 100);
  for (let p = 0; p < q.length; p += 2) {
    // Box-Muller: two standard normals from two uniforms.
    const u = 1 - random();
    const v = random();
    const radius = Math.sqrt(-2 * Math.log(u));
    q[p] = radius * Math.cos(2 * Math.PI * v);
    if (p + 1 < q.length) q[p + 1] = radius * Math.sin(2 * Math.PI * v);
  }
  orthonormalizeColumns(q, cols, d);
  const rows = evenRows(m.rows, opts.sampleRows ?? 50_000);
  const y = new Float64Array(rows.length * d);
  const z = new Float64Array(cols * d);
  const { indptr, indices, data } = m;
  for (let it = 0; it < (opts.iterations ?? 4); it++) {
    y.fill(0);
    rows.forEach((r, s) => {
      for (let p = indptr[r]!; p < indptr[r + 1]!; p++) {
        const c = indices[p]!;
        const v = data[p]!;
        for (let j = 0; j < d; j++) y[s * d + j]! += v * q[c * d + j]!;
      }
    });
    z.fill(0);
    rows.forEach((r, s) => {
      for (let p = indptr[r]!; p < indptr[r + 1]!; p++) {
        const c = indices[p]!;
        const v = data[p]!;
        for (let j = 0; j < d; j++) z[c * d + j]! += v * y[s * d + j]!;
      }
    });
    orthonormalizeColumns(z, cols, d);
    q.set(z);
  }
  return { rows: cols, cols: d, data: Float32Array.from(q) };
}

/** m times the basis: every row's coordinates in the basis' subspace (rows x d). */
export function projectRows(m: Csr, basis: DenseMatrix): DenseMatrix {
  if (basis.rows !== m.cols) {
    throw new RangeError(`expected a basis with ${m.cols} rows (one per column), but got ${basis.rows}`);
  }
  const d = basis.cols;
  const out = new Float32Array(m.rows * d);
  const acc = new Float64Array(d);
  const b = basis.data;
  for (let r = 0; r < m.rows; r++) {
    acc.fill(0);
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const c = m.indices[p]!;
      const v = m.data[p]!;
      for (let j = 0; j < d; j++) acc[j]! += v * b[c * d + j]!;
    }
    for (let j = 0; j < d; j++) out[r * d + j] = acc[j]!;
  }
  return { rows: m.rows, cols: d, data: out };
}

/** Arguments of one shard of the sparse approximate search, as posted to a worker (arrays in shared memory). */
export interface SparseAnnShardArgs extends ShardSource {
  m: Csr; // rows L2-normalised
  efSearch: number;
  candidates: number;
  k: number;
  tieKey: Float64Array | Int32Array;
  minScore: number;
  outIndex: Int32Array; // rows x k for this shard
  outScore: Float32Array;
}

/**
 * Kernel: builds the shard's index over the projected rows, then for every indexed-able row takes `candidates`
 * nearest rows of the shard and keeps the k best by exact cosine of the sparse rows (the same sums, in the same
 * column order, as cosineBlock, so a pair scores exactly what the exact search gives it).
 */
export function sparseAnnShard(a: SparseAnnShardArgs): void {
  const { valid, rows, m, k, tieKey, minScore, outIndex, outScore } = a;
  outIndex.fill(-1);
  const { hnsw, count, load } = buildShardIndex(a);
  if (hnsw === undefined) return;
  const want = Math.min(a.candidates, count);
  hnsw.setEf(Math.max(a.efSearch, want));
  const { indptr, indices, data } = m;
  const dense = new Float64Array(m.cols);
  const heap = new TopK(k);
  for (let r = 0; r < rows; r++) {
    if (valid[r] === 0) continue;
    const start = indptr[r]!;
    const end = indptr[r + 1]!;
    for (let p = start; p < end; p++) dense[indices[p]!] = data[p]!;
    heap.reset();
    for (const j of hnsw.searchKnn(load(r), want).neighbors) {
      if (j === r) continue;
      let dot = 0;
      for (let p = indptr[j]!, pe = indptr[j + 1]!; p < pe; p++) dot += dense[indices[p]!]! * data[p]!;
      const s = Math.fround(dot > 1 ? 1 : dot);
      if (s > minScore) heap.offer(j, s, tieKey[j]!);
    }
    heap.drain(outIndex, outScore, r * k);
    for (let p = start; p < end; p++) dense[indices[p]!] = 0;
  }
}

/** Arguments of one block of the nearest-centroid search (arrays in shared memory). */
export interface CentroidBlockArgs {
  unit: Float32Array; // rows x dim, unit rows
  dim: number;
  centroids: Float32Array; // parts x dim
  parts: number;
  probes: number;
  /** The rows searched: rows[t] for t in [start, end); out[t * probes ..] gets row rows[t]'s nearest, nearest first. */
  rows: Int32Array;
  start: number;
  end: number;
  out: Int32Array;
}

/**
 * Kernel: the `probes` nearest centroids by dot product of rows[start..end), nearest first (ties keep the lower
 * partition), -1 padded when there are fewer partitions.
 */
export function centroidBlock(a: CentroidBlockArgs): void {
  const { unit, dim, centroids, parts, probes, rows, out } = a;
  const want = Math.min(probes, parts);
  const best = new Float64Array(Math.max(1, want));
  for (let t = a.start; t < a.end; t++) {
    const r = rows[t]!;
    const at = t * probes;
    out.fill(-1, at, at + probes);
    best.fill(-Infinity);
    const u = r * dim;
    for (let c = 0; c < parts; c++) {
      const o = c * dim;
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += unit[u + d]! * centroids[o + d]!;
      if (dot <= best[want - 1]!) continue;
      // Insertion into the best few, nearest first.
      let q = want - 1;
      for (; q > 0 && dot > best[q - 1]!; q--) {
        best[q] = best[q - 1]!;
        out[at + q] = out[at + q - 1]!;
      }
      best[q] = dot;
      out[at + q] = c;
    }
  }
}

/** Rows per task of the nearest-centroid search: enough tasks to balance the workers, few enough to be cheap. */
const CENTROID_BLOCK_ROWS = 16_384;

/** centroidBlock over all of `rows`, in blocks on the pool's workers (inline with one thread and no pool). */
async function nearestOf(
  rows: Int32Array,
  a: Omit<CentroidBlockArgs, 'rows' | 'start' | 'end' | 'out'>,
  exec: { threads: number; pool?: Pool },
): Promise<Int32Array> {
  const out = sharedInt32(rows.length * a.probes);
  const base = { ...a, rows: toShared(rows), out };
  const tasks = blocks(rows.length, CENTROID_BLOCK_ROWS).map(
    ([start, end]) => ({ ...base, start, end }) satisfies CentroidBlockArgs,
  );
  if (exec.threads <= 1 && exec.pool === undefined) for (const t of tasks) centroidBlock(t);
  else
    await withPool(exec.threads, exec.pool, (pool) =>
      pool.runAll(tasks.map((args) => ({ kind: 'centroidBlock', args }))),
    );
  return out;
}

/**
 * Spherical k-means of the valid unit rows (rows x dim): `parts` unit centroids (parts x dim), started from
 * seeded distinct rows of an evenly spaced sample and moved `iterations` times over that sample. A centroid
 * that loses all its rows keeps its place. The assignments run on the pool's workers; the result does not depend
 * on the threads.
 */
export async function sphericalKMeans(
  unit: Float32Array,
  valid: Uint8Array,
  dim: number,
  parts: number,
  opts: { seed: number; sampleRows?: number; iterations?: number; threads?: number; pool?: Pool },
): Promise<Float32Array> {
  const picked: number[] = [];
  for (const r of evenRows(valid.length, opts.sampleRows ?? 100_000)) if (valid[r] !== 0) picked.push(r);
  const sample = Int32Array.from(picked);
  const centroids = sharedFloat32(parts * dim);
  if (sample.length === 0) return centroids;
  const random = seededRandom(opts.seed);
  const start = new Set<number>();
  while (start.size < Math.min(parts, sample.length)) start.add(sample[Math.floor(random() * sample.length)]!);
  [...start].forEach((r, c) => centroids.set(unit.subarray(r * dim, (r + 1) * dim), c * dim));
  const sums = new Float64Array(parts * dim);
  const counts = new Int32Array(parts);
  const shared = toShared(unit);
  const threads = opts.pool?.size ?? opts.threads ?? 2;
  const iterate = async (exec: { threads: number; pool?: Pool }) => {
    for (let it = 0; it < (opts.iterations ?? 8); it++) {
      const home = await nearestOf(sample, { unit: shared, dim, centroids, parts, probes: 1 }, exec);
      sums.fill(0);
      counts.fill(0);
      sample.forEach((r, t) => {
        const c = home[t]!;
        counts[c]!++;
        for (let d = 0; d < dim; d++) sums[c * dim + d]! += unit[r * dim + d]!;
      });
      for (let c = 0; c < parts; c++) {
        if (counts[c] === 0) continue;
        let norm = 0;
        for (let d = 0; d < dim; d++) norm += sums[c * dim + d]! ** 2;
        const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        for (let d = 0; d < dim; d++) centroids[c * dim + d] = sums[c * dim + d]! * inv;
      }
    }
  };
  // One pool for all the iterations (the caller's, or one of our own).
  if (threads <= 1 && opts.pool === undefined) await iterate({ threads: 1 });
  else await withPool(threads, opts.pool, (pool) => iterate({ threads, pool }));
  return centroids;
}

/**
 * Every valid row's `probes` nearest centroids by cosine, nearest first (rows x probes; -1 for invalid rows), on
 * the pool's workers.
 */
export async function nearestCentroids(
  unit: Float32Array,
  valid: Uint8Array,
  dim: number,
  centroids: Float32Array,
  parts: number,
  probes: number,
  exec: { threads?: number; pool?: Pool } = {},
): Promise<Int32Array> {
  const rows: number[] = [];
  for (let r = 0; r < valid.length; r++) if (valid[r] !== 0) rows.push(r);
  const found = await nearestOf(
    Int32Array.from(rows),
    { unit: toShared(unit), dim, centroids: toShared(centroids), parts, probes },
    { threads: exec.pool?.size ?? exec.threads ?? 2, ...(exec.pool ? { pool: exec.pool } : {}) },
  );
  const out = new Int32Array(valid.length * probes).fill(-1);
  rows.forEach((r, t) => out.set(found.subarray(t * probes, (t + 1) * probes), r * probes));
  return out;
}

/**
 * The transpose of m split by partition: the rows holding column c in partition p are
 * idx[ptr[c * parts + p] .. ptr[c * parts + p + 1]), ascending, with their values. Rows with home -1 are left out.
 */
export function partitionPostings(
  m: Csr,
  home: Int32Array,
  parts: number,
): { ptr: Int32Array; idx: Int32Array; val: Float32Array } {
  const ptr = sharedInt32(m.cols * parts + 1);
  for (let r = 0; r < m.rows; r++) {
    const p = home[r]!;
    if (p < 0) continue;
    for (let q = m.indptr[r]!; q < m.indptr[r + 1]!; q++) ptr[m.indices[q]! * parts + p + 1]!++;
  }
  for (let b = 0; b < m.cols * parts; b++) ptr[b + 1]! += ptr[b]!;
  const next = ptr.slice(0, m.cols * parts);
  const idx = sharedInt32(ptr[m.cols * parts]!);
  const val = sharedFloat32(idx.length);
  for (let r = 0; r < m.rows; r++) {
    const p = home[r]!;
    if (p < 0) continue;
    for (let q = m.indptr[r]!; q < m.indptr[r + 1]!; q++) {
      const b = m.indices[q]! * parts + p;
      idx[next[b]!] = r;
      val[next[b]!++] = m.data[q]!;
    }
  }
  return { ptr, idx, val };
}

/** Arguments of one block of rows of the partitioned candidate search (arrays in shared memory). */
export interface IvfBlockArgs {
  m: Csr; // rows L2-normalised
  parts: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float32Array;
  /** rows x probes partitions per row, -1 padded. */
  probe: Int32Array;
  probes: number;
  k: number;
  tieKey: Float64Array | Int32Array;
  minScore: number;
  rowStart: number;
  rowEnd: number;
  outIndex: Int32Array; // rows x k
  outScore: Float32Array;
}

let ivfScratch: { acc: Float64Array; seen: Uint8Array; touched: Int32Array; heap: TopK } | undefined;

/**
 * Kernel: each row of [rowStart, rowEnd) against every row of the partitions it probes, by exact cosine
 * accumulated through the partitioned transpose (Gustavson, as cosineBlock: the same sums in the same column
 * order, so a pair scores exactly what the exact search gives it); the k best are kept. A row's work is its
 * exact search's restricted to the probed partitions.
 */
export function ivfBlock(a: IvfBlockArgs): void {
  const { m, parts, ptr, idx, val, probe, probes, k, tieKey, minScore, outIndex, outScore } = a;
  if (ivfScratch?.acc.length !== m.rows || ivfScratch.heap.k !== k) {
    ivfScratch = {
      acc: new Float64Array(m.rows),
      seen: new Uint8Array(m.rows),
      touched: new Int32Array(m.rows),
      heap: new TopK(k),
    };
  }
  const { acc, seen, touched, heap } = ivfScratch;
  const { indptr, indices, data } = m;
  for (let r = a.rowStart; r < a.rowEnd; r++) {
    heap.reset();
    let nt = 0;
    for (let t = r * probes; t < (r + 1) * probes; t++) {
      const part = probe[t]!;
      if (part < 0) break;
      for (let p = indptr[r]!, pe = indptr[r + 1]!; p < pe; p++) {
        const v = data[p]!;
        const b = indices[p]! * parts + part;
        for (let q = ptr[b]!, qe = ptr[b + 1]!; q < qe; q++) {
          const j = idx[q]!;
          if (seen[j] === 0) {
            seen[j] = 1;
            touched[nt++] = j;
          }
          acc[j]! += v * val[q]!;
        }
      }
    }
    let floor = minScore;
    for (let q = 0; q < nt; q++) {
      const j = touched[q]!;
      const s = acc[j]!;
      acc[j] = 0;
      seen[j] = 0;
      if (j === r) continue;
      const sc = Math.fround(s > 1 ? 1 : s);
      if (sc > floor || (sc === floor && sc > minScore)) {
        heap.offer(j, sc, tieKey[j]!);
        floor = Math.max(minScore, heap.threshold);
      }
    }
    heap.drain(outIndex, outScore, r * k);
  }
}

/** Arguments of one block of rows of a refinement round (arrays in shared memory). */
export interface RefineBlockArgs {
  m: Csr; // rows L2-normalised
  k: number;
  /** The round's input lists (rows x k, exact scores), and 1 where an entry arrived in the previous round. */
  index: Int32Array;
  score: Float32Array;
  fresh: Uint8Array;
  /** Reverse lists: rows that list row r are revIdx[revPtr[r] .. revPtr[r+1]), ascending, with their entry's flag. */
  revPtr: Int32Array;
  revIdx: Int32Array;
  revFresh: Uint8Array;
  /** At most this many reverse neighbours of a row are followed (the first ones, in row order). */
  revCap: number;
  tieKey: Float64Array | Int32Array;
  minScore: number;
  rowStart: number;
  rowEnd: number;
  outIndex: Int32Array;
  outScore: Float32Array;
  outFresh: Uint8Array;
}

interface RefineScratch {
  mark: Int32Array;
  stamp: number;
  dense: Float64Array;
  heap: TopK;
  near: Int32Array;
  nearFresh: Uint8Array;
}
let refineScratch: RefineScratch | undefined;

/**
 * Kernel, one round of neighbour-of-neighbour refinement (the local join of NN-descent, Dong et al. 2011): each
 * row's candidates are its neighbours' and reverse neighbours' neighbours and reverse neighbours, scored by exact
 * cosine; the k best of those and the current list are kept. A candidate reached over two links that were both
 * there in the previous round was scored then already and is skipped, so later rounds cost less. Lists only
 * improve, and a round reads only the previous round's lists, so the result does not depend on the threads.
 */
export function refineBlock(a: RefineBlockArgs): void {
  const { m, k, index, score, fresh, revPtr, revIdx, revFresh, revCap, tieKey, minScore } = a;
  const { outIndex, outScore, outFresh } = a;
  if (refineScratch?.mark.length !== m.rows || refineScratch.dense.length !== m.cols || refineScratch.heap.k !== k) {
    refineScratch = {
      mark: new Int32Array(m.rows),
      stamp: 0,
      dense: new Float64Array(m.cols),
      heap: new TopK(k),
      near: new Int32Array(k + revCap),
      nearFresh: new Uint8Array(k + revCap),
    };
  }
  const sc = refineScratch;
  const { mark, dense, heap } = sc;
  if (sc.near.length < k + revCap) {
    sc.near = new Int32Array(k + revCap);
    sc.nearFresh = new Uint8Array(k + revCap);
  }
  const { near, nearFresh } = sc;
  const { indptr, indices, data } = m;
  for (let r = a.rowStart; r < a.rowEnd; r++) {
    heap.reset();
    const start = indptr[r]!;
    const end = indptr[r + 1]!;
    if (start === end) {
      heap.drain(outIndex, outScore, r * k);
      continue;
    }
    const stamp = ++sc.stamp;
    mark[r] = stamp;
    for (let p = start; p < end; p++) dense[indices[p]!] = data[p]!;
    const consider = (j: number): void => {
      if (mark[j] === stamp) return;
      mark[j] = stamp;
      let dot = 0;
      for (let p = indptr[j]!, pe = indptr[j + 1]!; p < pe; p++) dot += dense[indices[p]!]! * data[p]!;
      const s = Math.fround(dot > 1 ? 1 : dot);
      if (s > minScore) heap.offer(j, s, tieKey[j]!);
    };
    let nn = 0;
    for (let q = r * k; q < (r + 1) * k; q++) {
      const j = index[q]!;
      if (j === -1) break;
      mark[j] = stamp;
      heap.offer(j, score[q]!, tieKey[j]!);
      near[nn] = j;
      nearFresh[nn++] = fresh[q]!;
    }
    for (let q = revPtr[r]!, qe = Math.min(revPtr[r + 1]!, revPtr[r]! + revCap); q < qe; q++) {
      const j = revIdx[q]!;
      // A reverse neighbour is itself a candidate (the relation is symmetric, the lists are not).
      consider(j);
      near[nn] = j;
      nearFresh[nn++] = revFresh[q]!;
    }
    for (let t = 0; t < nn; t++) {
      const u = near[t]!;
      const viaFresh = nearFresh[t] === 1;
      for (let q = u * k; q < (u + 1) * k; q++) {
        const j = index[q]!;
        if (j === -1) break;
        if (viaFresh || fresh[q] === 1) consider(j);
      }
      for (let q = revPtr[u]!, qe = Math.min(revPtr[u + 1]!, revPtr[u]! + revCap); q < qe; q++) {
        if (viaFresh || revFresh[q] === 1) consider(revIdx[q]!);
      }
    }
    heap.drain(outIndex, outScore, r * k);
    // An entry is fresh when the row's input list did not hold it.
    for (let q = r * k; q < (r + 1) * k; q++) {
      const j = outIndex[q]!;
      if (j === -1) break;
      let had = false;
      for (let o = r * k; o < (r + 1) * k && !had; o++) had = index[o] === j;
      outFresh[q] = had ? 0 : 1;
    }
    for (let p = start; p < end; p++) dense[indices[p]!] = 0;
  }
}

/** Reverse lists of a neighbour table: for every row, the rows that list it, ascending, with the entry's flag. */
export function reverseLists(
  nb: Neighbours,
  fresh: Uint8Array,
): { revPtr: Int32Array; revIdx: Int32Array; revFresh: Uint8Array } {
  const revPtr = sharedInt32(nb.rows + 1);
  for (const j of nb.index) if (j !== -1) revPtr[j + 1]!++;
  for (let r = 0; r < nb.rows; r++) revPtr[r + 1]! += revPtr[r]!;
  const next = revPtr.slice(0, nb.rows);
  const revIdx = sharedInt32(revPtr[nb.rows]!);
  const revFresh = new Uint8Array(new SharedArrayBuffer(revIdx.length));
  for (let r = 0; r < nb.rows; r++) {
    for (let q = r * nb.k; q < (r + 1) * nb.k; q++) {
      const j = nb.index[q]!;
      if (j === -1) continue;
      revFresh[next[j]!] = fresh[q]!;
      revIdx[next[j]!++] = r;
    }
  }
  return { revPtr, revIdx, revFresh };
}

/**
 * Rounds of neighbour-of-neighbour refinement of approximate lists (see refineBlock) over the row-normalised mn,
 * on `threads` workers; stops early when a round changes nothing. The first round costs up to rows x (2k)^2
 * sparse dot products, later ones only what the previous round changed.
 */
export async function refineNeighbours(
  mn: Csr,
  nb: Neighbours,
  opts: {
    rounds: number;
    tieKey: Float64Array | Int32Array;
    minScore?: number;
    threads?: number;
    pool?: Pool;
    /** Called after each round with its number (from 1) and its lists. */
    onRound?: (round: number, lists: Neighbours) => void | Promise<void>;
  },
): Promise<Neighbours> {
  const threads = opts.pool?.size ?? opts.threads ?? 2;
  const tieKey = toShared(opts.tieKey);
  let cur = nb;
  let fresh = new Uint8Array(new SharedArrayBuffer(nb.index.length)).fill(1);
  for (let round = 0; round < opts.rounds; round++) {
    const base = {
      m: mn,
      k: cur.k,
      index: toShared(cur.index),
      score: toShared(cur.score),
      fresh,
      ...reverseLists(cur, fresh),
      revCap: cur.k,
      tieKey,
      minScore: opts.minScore ?? 0,
      outIndex: sharedInt32(cur.rows * cur.k),
      outScore: sharedFloat32(cur.rows * cur.k),
      outFresh: new Uint8Array(new SharedArrayBuffer(cur.rows * cur.k)),
    };
    const tasks = blocks(cur.rows, defaultBlockRows(cur.rows, threads)).map(
      ([rowStart, rowEnd]) => ({ ...base, rowStart, rowEnd }) satisfies RefineBlockArgs,
    );
    if (threads <= 1 && opts.pool === undefined) for (const t of tasks) refineBlock(t);
    else
      await withPool(threads, opts.pool, (pool) => pool.runAll(tasks.map((args) => ({ kind: 'refineBlock', args }))));
    cur = { rows: cur.rows, k: cur.k, index: base.outIndex, score: base.outScore };
    fresh = base.outFresh;
    await opts.onRound?.(round + 1, cur);
    if (!fresh.includes(1)) break;
  }
  return cur;
}

/**
 * Approximate top-k cosine neighbours of every row of m, with the output contract of cosineTopK (scores are the
 * exact cosines of the pairs found, descending, ties by tieKey, no self-neighbours, rows without signal get none);
 * only some true neighbours may be missing. Measure that with sampledSparseRecall. Steps: rows L2-normalised,
 * projected on projectionBasis(dims); then with `partitionRows`, spherical k-means of the projections into
 * partitions of about that many rows, the rows ordered by partition, and every row scored exactly against the rows
 * of its `probes` nearest partitions (its exact search restricted to a few thousand similar rows: work linear in
 * rows at a fixed partition size); without, `shards` HNSW indexes (cosine) each proposing `candidates` rows, re-ranked
 * exactly. Then `rounds` of refinement (refineNeighbours). Memory is rows x (dims + 2 x list) plus the partitioned
 * transpose (nnz) or the indexes.
 */
export async function sparseAnnTopK(m: Csr, k: number, opts: SparseAnnOptions): Promise<SparseAnnResult> {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`expected k to be a non-negative integer, but got ${k}`);
  if (opts.tieKey.length !== m.rows) {
    throw new RangeError(`expected ${m.rows} tie keys (one per row), but got ${opts.tieKey.length}`);
  }
  const shards = opts.shards ?? SPARSE_ANN_DEFAULTS.shards;
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`expected shards >= 1, but got ${shards}`);
  const candidates = opts.candidates ?? SPARSE_ANN_DEFAULTS.candidates;
  if (!Number.isInteger(candidates) || candidates < 1) {
    throw new RangeError(`expected candidates to be a positive integer, but got ${candidates}`);
  }
  const threads = opts.pool?.size ?? opts.threads ?? 2;
  const minScore = opts.minScore ?? 0;
  const seed = opts.seed ?? SPARSE_ANN_DEFAULTS.seed;
  const width = Math.max(k, opts.listSize ?? SPARSE_ANN_DEFAULTS.listFactor * k);
  const dims = Math.min(opts.dims ?? SPARSE_ANN_DEFAULTS.dims, Math.max(1, m.cols));
  const merged: Neighbours = {
    rows: m.rows,
    k: width,
    index: new Int32Array(m.rows * width).fill(-1),
    score: new Float32Array(m.rows * width),
  };
  const seconds = { project: 0, partition: 0, index: 0, refine: 0 };
  if (k === 0 || m.rows === 0 || m.cols === 0) return { ...firstK(merged, k), dims, exactRows: 0, seconds };
  let t = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const s = (now - t) / 1000;
    t = now;
    return s;
  };
  const poolOpt = opts.pool !== undefined ? { pool: opts.pool } : {};
  // The caller's hook is left out of the steps' seconds.
  const step = async (name: string, s: number, lists?: () => Neighbours): Promise<void> => {
    if (opts.onStep === undefined) return;
    const h = performance.now();
    await opts.onStep(name, s, lists);
    t += performance.now() - h;
  };

  const mn = shareCsr(l2NormalizeRows(m));
  const basis = projectionBasis(mn, dims, {
    seed,
    ...(opts.sampleRows !== undefined ? { sampleRows: opts.sampleRows } : {}),
    ...(opts.iterations !== undefined ? { iterations: opts.iterations } : {}),
  });
  const { unit, valid } = unitRows(projectRows(mn, basis));
  seconds.project = lap();
  await step('project', seconds.project);
  const partitionRows = opts.partitionRows ?? 0;
  // With partitions, the search runs on the rows ordered by partition (rows that are compared together sit together
  // in memory), and the lists are put back in the caller's order at the end; scores and ties do not change.
  let order: Int32Array | undefined;
  let work = mn;
  let tieKey = toShared(opts.tieKey);
  let workValid = valid;
  if (partitionRows > 0) {
    let count = 0;
    for (const v of valid) count += v;
    const parts = Math.max(1, Math.round(count / partitionRows));
    const probes = Math.min(opts.probes ?? 4, parts);
    const exec = { threads, ...poolOpt };
    const centroids = await sphericalKMeans(unit, valid, basis.cols, parts, { seed, ...exec });
    const probe = await nearestCentroids(unit, valid, basis.cols, centroids, parts, probes, exec);
    order = partitionOrder(probe, probes);
    work = shareCsr(permuteRows(mn, order));
    tieKey = toShared(Float64Array.from(order, (r) => opts.tieKey[r]!));
    workValid = Uint8Array.from(order, (r) => valid[r]!);
    const workProbe = sharedInt32(probe.length);
    order.forEach((r, i) => workProbe.set(probe.subarray(r * probes, (r + 1) * probes), i * probes));
    seconds.partition = lap();
    await step('partition', seconds.partition);
    await partitionCandidates(work, merged, workProbe, { parts, probes, tieKey, minScore, threads, ...poolOpt });
  } else {
    const tasks = shardSources(unit, valid, basis.cols, shards, { ...opts, seed }).map(
      (source) =>
        ({
          ...source,
          efSearch: opts.efSearch ?? Math.max(100, candidates),
          m: mn,
          candidates,
          k: width,
          tieKey,
          minScore,
          outIndex: sharedInt32(m.rows * width),
          outScore: sharedFloat32(m.rows * width),
        }) satisfies SparseAnnShardArgs,
    );
    await runShards('sparseAnnShard', sparseAnnShard, tasks, threads, opts.pool);
    // Shards hold disjoint rows and their scores are exact, so merging their lists is exact too.
    const heap = new TopK(width);
    for (let r = 0; r < m.rows; r++) {
      heap.reset();
      for (const t of tasks) {
        for (let q = r * width, end = q + width; q < end; q++) {
          const j = t.outIndex[q]!;
          if (j !== -1) heap.offer(j, t.outScore[q]!, tieKey[j]!);
        }
      }
      heap.drain(merged.index, merged.score, r * width);
    }
    tasks.length = 0; // the shards' lists (rows x width each) are merged: let them go before the refinement
  }
  // A row with signal but a zero projection got no candidates: it gets the exact search, then joins the refinement.
  const lost: number[] = [];
  for (let r = 0; r < m.rows; r++) if (workValid[r] === 0 && work.indptr[r + 1]! > work.indptr[r]!) lost.push(r);
  if (lost.length > 0) {
    const exact = await cosineTopK(work, width, {
      tieKey,
      minScore,
      threads,
      queryRows: Int32Array.from(lost),
      ...poolOpt,
    });
    for (const r of lost) {
      merged.index.set(exact.index.subarray(r * width, (r + 1) * width), r * width);
      merged.score.set(exact.score.subarray(r * width, (r + 1) * width), r * width);
    }
  }
  seconds.index = lap();
  const inCallerOrder = (nb: Neighbours) => () => {
    const top = firstK(nb, k);
    return order === undefined ? top : unpermuteLists(top, order);
  };
  await step('candidates', seconds.index, inCallerOrder(merged));
  let roundStart = performance.now();
  const refined = await refineNeighbours(work, merged, {
    rounds: opts.rounds ?? SPARSE_ANN_DEFAULTS.rounds,
    tieKey,
    minScore,
    threads,
    ...poolOpt,
    ...(opts.onStep !== undefined
      ? {
          onRound: async (round: number, lists: Neighbours) => {
            await step(`round ${round}`, (performance.now() - roundStart) / 1000, inCallerOrder(lists));
            roundStart = performance.now();
          },
        }
      : {}),
  });
  const found = firstK(refined, k);
  seconds.refine = lap();
  return {
    ...(order === undefined ? found : unpermuteLists(found, order)),
    dims: basis.cols,
    exactRows: lost.length,
    seconds,
  };
}

/** Rows ordered by their nearest partition (then by row): position i holds row order[i]; rows without one last. */
export function partitionOrder(probe: Int32Array, probes: number): Int32Array {
  const rows = probe.length / probes;
  const home = (r: number) => {
    const p = probe[r * probes]!;
    return p < 0 ? Infinity : p;
  };
  return Int32Array.from({ length: rows }, (_, r) => r).sort((a, b) => home(a) - home(b) || a - b);
}

/** m's rows in the given order: row i of the result is row order[i] of m. */
export function permuteRows(m: Csr, order: Int32Array): Csr {
  const indptr = new Int32Array(m.rows + 1);
  order.forEach((r, i) => (indptr[i + 1] = indptr[i]! + m.indptr[r + 1]! - m.indptr[r]!));
  const indices = new Int32Array(indptr[m.rows]!);
  const data = new Float32Array(indices.length);
  order.forEach((r, i) => {
    indices.set(m.indices.subarray(m.indptr[r], m.indptr[r + 1]), indptr[i]);
    data.set(m.data.subarray(m.indptr[r], m.indptr[r + 1]), indptr[i]);
  });
  return { rows: m.rows, cols: m.cols, indptr, indices, data };
}

/** Lists computed on rows in `order` (see permuteRows), back in the original rows and numbering. */
export function unpermuteLists(nb: Neighbours, order: Int32Array): Neighbours {
  const index = new Int32Array(nb.rows * nb.k).fill(-1);
  const score = new Float32Array(nb.rows * nb.k);
  order.forEach((r, i) => {
    for (let q = 0; q < nb.k; q++) {
      const j = nb.index[i * nb.k + q]!;
      if (j === -1) break;
      index[r * nb.k + q] = order[j]!;
      score[r * nb.k + q] = nb.score[i * nb.k + q]!;
    }
  });
  return { rows: nb.rows, k: nb.k, index, score };
}

/**
 * Candidates from partitions (sets `into`'s lists): every row compared exactly with the rows homed in the
 * partitions it probes (`probe`, rows x probes, nearest first; a row's home is its first), on the pool's workers.
 */
export async function partitionCandidates(
  mn: Csr,
  into: Neighbours,
  probe: Int32Array,
  opts: {
    parts: number;
    probes: number;
    tieKey: Float64Array | Int32Array;
    minScore: number;
    threads: number;
    pool?: Pool;
  },
): Promise<void> {
  const { parts, probes } = opts;
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`expected partitions >= 1, but got ${parts}`);
  if (!Number.isInteger(probes) || probes < 1) throw new RangeError(`expected probes >= 1, but got ${probes}`);
  const home = new Int32Array(mn.rows);
  for (let r = 0; r < mn.rows; r++) home[r] = probe[r * probes]!;
  const base = {
    m: mn,
    parts,
    ...partitionPostings(mn, home, parts),
    probe: toShared(probe),
    probes,
    k: into.k,
    tieKey: opts.tieKey,
    minScore: opts.minScore,
    outIndex: toShared(into.index),
    outScore: toShared(into.score),
  };
  const tasks = blocks(mn.rows, defaultBlockRows(mn.rows, opts.threads)).map(
    ([rowStart, rowEnd]) => ({ ...base, rowStart, rowEnd }) satisfies IvfBlockArgs,
  );
  if (opts.threads <= 1 && opts.pool === undefined) for (const t of tasks) ivfBlock(t);
  else
    await withPool(opts.threads, opts.pool, (pool) => pool.runAll(tasks.map((args) => ({ kind: 'ivfBlock', args }))));
  if (base.outIndex !== into.index) into.index.set(base.outIndex);
  if (base.outScore !== into.score) into.score.set(base.outScore);
}

/** The first k of every row's list (lists are sorted, so these are the k best). */
export function firstK(nb: Neighbours, k: number): Neighbours {
  if (k === nb.k) return nb;
  if (k > nb.k) throw new RangeError(`expected k <= ${nb.k}, but got ${k}`);
  const index = new Int32Array(nb.rows * k);
  const score = new Float32Array(nb.rows * k);
  for (let r = 0; r < nb.rows; r++) {
    index.set(nb.index.subarray(r * nb.k, r * nb.k + k), r * k);
    score.set(nb.score.subarray(r * nb.k, r * nb.k + k), r * k);
  }
  return { rows: nb.rows, k, index, score };
}

/**
 * Recall of approximate neighbours of m's rows against the exact search on `sample` seeded random rows: the share
 * of the sampled rows' exact top-k pairs that approx also holds (see recallAgainst).
 */
export async function sampledSparseRecall(
  m: Csr,
  approx: Neighbours,
  opts: { sample: number; seed: number; tieKey: Float64Array | Int32Array; threads?: number; pool?: Pool },
): Promise<number> {
  const exact = await cosineTopK(m, approx.k, {
    tieKey: opts.tieKey,
    queryRows: sampleRows(m.rows, opts.sample, opts.seed),
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
    ...(opts.pool !== undefined ? { pool: opts.pool } : {}),
  });
  return recallAgainst(exact, approx);
}
