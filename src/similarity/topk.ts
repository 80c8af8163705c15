// Exact top-k cosine neighbours between the rows of a sparse matrix: row-blocked sparse products, bounded heaps.
import { l2NormalizeRows, transpose } from './csr';
import { TopK } from './heap';
import { blocks, sharedFloat32, sharedInt32, shareCsr, toShared, withPool } from './pool';
import type { Pool } from './pool';
import type { Csr, Neighbours } from './types';

/** Options of the top-k searches. */
export interface TopKOptions {
  /** One key per row (e.g. the user handle): among equal scores the smaller key ranks first. */
  tieKey: Float64Array | Int32Array;
  /** Worker threads (default 2); 1 runs in the calling thread. */
  threads?: number;
  /** Rows per task (default: about 16 tasks per thread, at least 64 and at most 4096 rows). */
  blockRows?: number;
  /** Only pairs scoring strictly above this become neighbours (default 0: zero-score pairs never do). */
  minScore?: number;
  /** An open pool to use instead of starting (and stopping) one; lets a job start workers once. */
  pool?: Pool;
}

/** Arguments of one block of rows, as posted to a worker (arrays in shared memory). */
export interface CosineBlockArgs {
  m: Csr; // rows L2-normalised
  t: Csr; // transpose of m
  k: number;
  rowStart: number;
  rowEnd: number;
  tieKey: Float64Array | Int32Array;
  minScore: number;
  outIndex: Int32Array; // rows * k
  outScore: Float32Array; // rows * k
  /** Rows whose work exceeds denseFactor * rows scan the whole buffer instead of a touched list (default 1). */
  denseFactor?: number;
}

interface Scratch {
  acc: Float64Array;
  seen: Uint8Array;
  touched: Int32Array;
  heap: TopK;
}

let scratchCache: Scratch | undefined;

function scratchFor(n: number, k: number): Scratch {
  if (scratchCache?.acc.length !== n || scratchCache.heap.k !== k) {
    scratchCache = { acc: new Float64Array(n), seen: new Uint8Array(n), touched: new Int32Array(n), heap: new TopK(k) };
  }
  return scratchCache;
}

/**
 * Kernel: top-k neighbours of rows [rowStart, rowEnd) of the row-normalised m, written into outIndex/outScore.
 * Each row's scores against all rows are accumulated through the transpose (Gustavson) in a dense buffer of
 * m.rows doubles; work is the sum of the row's columns' lengths. Scores are rounded to float32 before ranking so
 * the reported order and the tie rule agree exactly. Used by the worker and by the single-thread path.
 */
export function cosineBlock(a: CosineBlockArgs): void {
  const { m, t, k, tieKey, minScore, outIndex, outScore } = a;
  const n = m.rows;
  const { acc, seen, touched, heap } = scratchFor(n, k);
  const { indptr, indices, data } = m;
  const tIndptr = t.indptr;
  const tIndices = t.indices;
  const tData = t.data;
  // Above this much work a row touches most rows anyway: scanning the buffer beats tracking touched entries.
  const denseWork = n * (a.denseFactor ?? 1);
  for (let i = a.rowStart; i < a.rowEnd; i++) {
    heap.reset();
    const start = indptr[i]!;
    const end = indptr[i + 1]!;
    let work = 0;
    for (let p = start; p < end; p++) {
      const c = indices[p]!;
      work += tIndptr[c + 1]! - tIndptr[c]!;
    }
    if (work > denseWork) {
      for (let p = start; p < end; p++) {
        const c = indices[p]!;
        const v = data[p]!;
        for (let q = tIndptr[c]!, qe = tIndptr[c + 1]!; q < qe; q++) acc[tIndices[q]!]! += v * tData[q]!;
      }
      acc[i] = 0;
      let floor = minScore;
      for (let j = 0; j < n; j++) {
        const s = acc[j]!;
        if (s !== 0) {
          acc[j] = 0;
          const r = Math.fround(s > 1 ? 1 : s);
          if (r > floor || (r === floor && r > minScore)) {
            heap.offer(j, r, tieKey[j]!);
            floor = Math.max(minScore, heap.threshold);
          }
        }
      }
    } else {
      let nt = 0;
      for (let p = start; p < end; p++) {
        const c = indices[p]!;
        const v = data[p]!;
        for (let q = tIndptr[c]!, qe = tIndptr[c + 1]!; q < qe; q++) {
          const j = tIndices[q]!;
          if (seen[j] === 0) {
            seen[j] = 1;
            touched[nt++] = j;
          }
          acc[j]! += v * tData[q]!;
        }
      }
      let floor = minScore;
      for (let q = 0; q < nt; q++) {
        const j = touched[q]!;
        const s = acc[j]!;
        acc[j] = 0;
        seen[j] = 0;
        if (j === i) continue;
        const r = Math.fround(s > 1 ? 1 : s);
        if (r > floor || (r === floor && r > minScore)) {
          heap.offer(j, r, tieKey[j]!);
          floor = Math.max(minScore, heap.threshold);
        }
      }
    }
    heap.drain(outIndex, outScore, i * k);
  }
}

function checkArgs(rows: number, k: number, tieKey: ArrayLike<number>): void {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`expected k to be a non-negative integer, but got ${k}`);
  if (tieKey.length !== rows) throw new RangeError(`expected ${rows} tie keys (one per row), but got ${tieKey.length}`);
}

/** Default rows per task: about 16 tasks per thread so uneven rows balance, within [64, 4096]. */
export function defaultBlockRows(rows: number, threads: number): number {
  return Math.min(4096, Math.max(64, Math.ceil(rows / (threads * 16))));
}

/**
 * Exact top-k cosine neighbours of every row of m, in the calling thread (for tests and small inputs).
 * Rows are L2-normalised inside. No self-neighbours; rows without non-zeros get none (index -1, score 0).
 */
export function cosineTopKSync(m: Csr, k: number, opts: Omit<TopKOptions, 'threads' | 'pool'>): Neighbours {
  checkArgs(m.rows, k, opts.tieKey);
  const mn = l2NormalizeRows(m);
  const index = new Int32Array(m.rows * k);
  const score = new Float32Array(m.rows * k);
  cosineBlock({
    m: mn,
    t: transpose(mn),
    k,
    rowStart: 0,
    rowEnd: m.rows,
    tieKey: opts.tieKey,
    minScore: opts.minScore ?? 0,
    outIndex: index,
    outScore: score,
  });
  return { rows: m.rows, k, index, score };
}

/**
 * Exact top-k cosine neighbours of every row of m (rows are L2-normalised inside; the input is not changed).
 * Scores descend within a row; equal scores rank by ascending tieKey. No self-neighbours; zero-score pairs
 * are not neighbours; rows with no non-zeros get none (index -1, score 0; count them with rowsWithoutNeighbours).
 * Work runs on `threads` workers in blocks of rows over shared memory; the output does not depend on threads.
 * Memory: the matrix and its transpose, rows * k results, and O(rows) scratch per thread.
 */
export async function cosineTopK(m: Csr, k: number, opts: TopKOptions): Promise<Neighbours> {
  const threads = opts.pool?.size ?? opts.threads ?? 2;
  if (threads <= 1 && opts.pool === undefined) return cosineTopKSync(m, k, opts);
  checkArgs(m.rows, k, opts.tieKey);
  const mn = shareCsr(l2NormalizeRows(m));
  const t = shareCsr(transpose(mn));
  const tieKey = toShared(opts.tieKey);
  const outIndex = sharedInt32(m.rows * k);
  const outScore = sharedFloat32(m.rows * k);
  const minScore = opts.minScore ?? 0;
  const size = opts.blockRows ?? defaultBlockRows(m.rows, threads);
  await withPool(threads, opts.pool, (pool) =>
    pool.runAll(
      blocks(m.rows, size).map(([rowStart, rowEnd]) => ({
        kind: 'cosineBlock',
        args: { m: mn, t, k, rowStart, rowEnd, tieKey, minScore, outIndex, outScore } satisfies CosineBlockArgs,
      })),
    ),
  );
  return { rows: m.rows, k, index: outIndex, score: outScore };
}

/** Number of rows that got no neighbour at all (no signal, or nothing in common with anyone). */
export function rowsWithoutNeighbours(nb: Neighbours): number {
  let n = 0;
  for (let r = 0; r < nb.rows; r++) if (nb.k === 0 || nb.index[r * nb.k] === -1) n++;
  return n;
}

/** Number of (row, neighbour) pairs found, i.e. the edges to write. */
export function neighbourCount(nb: Neighbours): number {
  let n = 0;
  for (let p = 0; p < nb.index.length; p++) if (nb.index[p] !== -1) n++;
  return n;
}
