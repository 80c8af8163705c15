// Exact top-k cosine neighbours between the rows of a sparse matrix: row-blocked sparse products, bounded heaps.
import { l2NormalizeRows, nnz, transpose } from './csr';
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
  /**
   * Only these rows' neighbours (candidates are still all rows); the others get none. For measuring an
   * approximate search's recall on a sample when the full exact search is too slow.
   */
  queryRows?: Int32Array;
  /** Told, as each block of rows finishes, how many (query) rows it held: for progress lines. */
  onProgress?: (rows: number) => void;
}

/** Arguments of one block of rows, as posted to a worker (arrays in shared memory). */
export interface CosineBlockArgs {
  m: Csr; // rows L2-normalised
  t: Csr; // transpose of m as transpose() makes it: each column's rows ascending
  k: number;
  rowStart: number;
  rowEnd: number;
  tieKey: Float64Array | Int32Array;
  minScore: number;
  outIndex: Int32Array; // rows * k
  outScore: Float32Array; // rows * k
  /** Rows whose work exceeds denseFactor * rows scan the whole buffer instead of a touched list (default 1). */
  denseFactor?: number;
  /** Candidate rows per tile (default TILE_ROWS); any size gives the same lists. */
  tileRows?: number;
  /** When set, rowStart/rowEnd are positions in this list of rows; else they are rows. */
  queries?: Int32Array;
  /**
   * When set, the kernel also returns, per row of the block, every other row j whose score (before float32
   * rounding) is positive and at least floor[j] - slack (see changedNeighbours).
   */
  keep?: { floor: Float64Array; slack: number };
}

/** What cosineBlock returns with `keep`: per row of the block, in order, `counts` of the kept (row, score) pairs. */
export interface KeptScores {
  counts: Int32Array;
  rows: Int32Array;
  scores: Float64Array;
}

/** A growable list of (row, score) pairs. */
class PairBuffer {
  rows = new Int32Array(1024);
  scores = new Float64Array(1024);
  length = 0;

  push(row: number, score: number): void {
    if (this.length === this.rows.length) {
      const rows = new Int32Array(this.length * 2);
      const scores = new Float64Array(this.length * 2);
      rows.set(this.rows);
      scores.set(this.scores);
      this.rows = rows;
      this.scores = scores;
    }
    this.rows[this.length] = row;
    this.scores[this.length++] = score;
  }
}

interface Scratch {
  acc: Float64Array;
  seen: Uint8Array;
  touched: Int32Array;
  heap: TopK;
  cursor: Int32Array;
}

/**
 * Candidate rows per tile of the exact kernel: the tile's accumulator (8 bytes a row), marks and touched list
 * (~0.8 MiB at 65,536) fit a core's L2 cache. At 1M users it made course_views' and assessments' exact searches
 * ~1.5x faster, the rows that touch most users (interests, cosine) ~1.1x (bench/README.md, "The exact search a
 * tile of candidates at a time").
 */
export const TILE_ROWS = 65_536;

/** The scratch's per-column cursors, grown to at least r. */
function cursorsFor(s: Scratch, r: number): Int32Array {
  if (s.cursor.length < r) s.cursor = new Int32Array(Math.max(r, s.cursor.length * 2));
  return s.cursor;
}

let scratchCache: Scratch | undefined;

function scratchFor(n: number, k: number): Scratch {
  if (scratchCache?.acc.length !== n || scratchCache.heap.k !== k) {
    scratchCache = {
      acc: new Float64Array(n),
      seen: new Uint8Array(n),
      touched: new Int32Array(n),
      heap: new TopK(k),
      cursor: new Int32Array(256),
    };
  }
  return scratchCache;
}

/**
 * Kernel: top-k neighbours of rows [rowStart, rowEnd) of the row-normalised m, written into outIndex/outScore.
 * Each row's scores against all rows are accumulated through the transpose (Gustavson) in a dense buffer of
 * m.rows doubles, a tile of TILE_ROWS candidates at a time; work is the sum of the row's columns' lengths. Scores are rounded to float32 before ranking so
 * the reported order and the tie rule agree exactly. Used by the worker and by the single-thread path.
 */
export function cosineBlock(a: CosineBlockArgs): KeptScores | undefined {
  const { m, t, k, tieKey, minScore, outIndex, outScore } = a;
  const keepFloor = a.keep?.floor;
  const slack = a.keep?.slack ?? 0;
  const kept = keepFloor === undefined ? undefined : new PairBuffer();
  const counts = keepFloor === undefined ? undefined : new Int32Array(a.rowEnd - a.rowStart);
  const n = m.rows;
  const scratch = scratchFor(n, k);
  const { acc, seen, touched, heap } = scratch;
  const tile = Math.max(1, Math.min(n, a.tileRows ?? TILE_ROWS));
  const { indptr, indices, data } = m;
  const tIndptr = t.indptr;
  const tIndices = t.indices;
  const tData = t.data;
  // Above this much work a row touches most rows anyway: scanning the buffer beats tracking touched entries.
  const denseWork = n * (a.denseFactor ?? 1);
  const queries = a.queries;
  for (let at = a.rowStart; at < a.rowEnd; at++) {
    const i = queries === undefined ? at : queries[at]!;
    const keptBefore = kept?.length ?? 0;
    heap.reset();
    const start = indptr[i]!;
    const end = indptr[i + 1]!;
    let work = 0;
    for (let p = start; p < end; p++) {
      const c = indices[p]!;
      work += tIndptr[c + 1]! - tIndptr[c]!;
    }
    // Candidates a tile of rows at a time: the accumulator's slice for one tile stays in the core's cache, where one
    // buffer over all rows (8 bytes each) does not at 1M users; each column's list (rows ascending) is walked once
    // across the tiles. Same sums in the same column order as one pass: the same scores.
    const dense = work > denseWork;
    const r = end - start;
    const cursor = cursorsFor(scratch, r);
    for (let p = 0; p < r; p++) cursor[p] = tIndptr[indices[start + p]!]!;
    let floor = minScore;
    for (let j0 = 0; j0 < n; j0 += tile) {
      const width = Math.min(tile, n - j0);
      if (dense) {
        for (let p = 0; p < r; p++) {
          const c = indices[start + p]!;
          const v = data[start + p]!;
          let q = cursor[p]!;
          for (const qe = tIndptr[c + 1]!; q < qe; q++) {
            const j = tIndices[q]! - j0;
            if (j >= width) break;
            acc[j]! += v * tData[q]!;
          }
          cursor[p] = q;
        }
        if (i >= j0 && i < j0 + width) acc[i - j0] = 0;
        for (let j = 0; j < width; j++) {
          const s = acc[j]!;
          if (s !== 0) {
            acc[j] = 0;
            // (as below: kept, then offered; written twice since a closure here cost ~10% of the kernel)
            const jr = j + j0;
            if (kept !== undefined && s > 0 && s >= keepFloor![jr]! - slack) kept.push(jr, Math.fround(s));
            const rs = Math.fround(s > 1 ? 1 : s);
            if (rs > floor || (rs === floor && rs > minScore)) {
              heap.offer(jr, rs, tieKey[jr]!);
              floor = Math.max(minScore, heap.threshold);
            }
          }
        }
        continue;
      }
      let nt = 0;
      for (let p = 0; p < r; p++) {
        const c = indices[start + p]!;
        const v = data[start + p]!;
        let q = cursor[p]!;
        for (const qe = tIndptr[c + 1]!; q < qe; q++) {
          const j = tIndices[q]! - j0;
          if (j >= width) break;
          if (seen[j] === 0) {
            seen[j] = 1;
            touched[nt++] = j;
          }
          acc[j]! += v * tData[q]!;
        }
        cursor[p] = q;
      }
      for (let x = 0; x < nt; x++) {
        const jt = touched[x]!;
        const s = acc[jt]!;
        acc[jt] = 0;
        seen[jt] = 0;
        const j = jt + j0;
        if (j === i) continue;
        if (kept !== undefined && s > 0 && s >= keepFloor![j]! - slack) kept.push(j, Math.fround(s));
        const rs = Math.fround(s > 1 ? 1 : s);
        if (rs > floor || (rs === floor && rs > minScore)) {
          heap.offer(j, rs, tieKey[j]!);
          floor = Math.max(minScore, heap.threshold);
        }
      }
    }
    heap.drain(outIndex, outScore, at * k);
    if (counts !== undefined) counts[at - a.rowStart] = kept!.length - keptBefore;
  }
  return kept === undefined
    ? undefined
    : { counts: counts!, rows: kept.rows.slice(0, kept.length), scores: kept.scores.slice(0, kept.length) };
}

function checkArgs(rows: number, k: number, tieKey: ArrayLike<number>, queryRows?: Int32Array): void {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`expected k to be a non-negative integer, but got ${k}`);
  if (tieKey.length !== rows) throw new RangeError(`expected ${rows} tie keys (one per row), but got ${tieKey.length}`);
  for (const r of queryRows ?? []) {
    if (!(r >= 0 && r < rows)) throw new RangeError(`expected query rows in [0, ${rows}), but got ${r}`);
  }
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
  checkArgs(m.rows, k, opts.tieKey, opts.queryRows);
  const mn = l2NormalizeRows(m);
  const queries = opts.queryRows;
  const n = queries?.length ?? m.rows;
  const index = new Int32Array(n * k);
  const score = new Float32Array(n * k);
  cosineBlock({
    m: mn,
    t: transpose(mn),
    k,
    rowStart: 0,
    rowEnd: n,
    tieKey: opts.tieKey,
    minScore: opts.minScore ?? 0,
    outIndex: index,
    outScore: score,
    ...(queries !== undefined ? { queries } : {}),
  });
  return queries === undefined ? { rows: m.rows, k, index, score } : spreadQueries(m.rows, k, queries, index, score);
}

/** Neighbours of all rows from the lists of some rows (list q is row queries[q]'s); the other rows get none. */
function spreadQueries(
  rows: number,
  k: number,
  queries: Int32Array,
  qIndex: Int32Array,
  qScore: Float32Array,
): Neighbours {
  const index = new Int32Array(rows * k).fill(-1);
  const score = new Float32Array(rows * k);
  queries.forEach((r, q) => {
    index.set(qIndex.subarray(q * k, (q + 1) * k), r * k);
    score.set(qScore.subarray(q * k, (q + 1) * k), r * k);
  });
  return { rows, k, index, score };
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
  checkArgs(m.rows, k, opts.tieKey, opts.queryRows);
  return cosineTopKPrepared(prepareCosine(m), k, opts);
}

/** A matrix made ready for the exact search: rows L2-normalised and its transpose, both in shared memory. */
export interface PreparedCosine {
  m: Csr;
  t: Csr;
}

/** The exact search's preparation of m (normalise, transpose, share), to search it several times (estimates). */
export function prepareCosine(m: Csr): PreparedCosine {
  const mn = shareCsr(l2NormalizeRows(m));
  return { m: mn, t: shareCsr(transpose(mn)) };
}

/** cosineTopK on a prepared matrix: on `threads` workers (default 2) or the given pool; 1 thread runs here. */
export async function cosineTopKPrepared(prep: PreparedCosine, k: number, opts: TopKOptions): Promise<Neighbours> {
  const rows = prep.m.rows;
  checkArgs(rows, k, opts.tieKey, opts.queryRows);
  const threads = opts.pool?.size ?? opts.threads ?? 2;
  const tieKey = toShared(opts.tieKey);
  const queries = opts.queryRows === undefined ? undefined : toShared(opts.queryRows);
  const n = queries?.length ?? rows;
  const outIndex = sharedInt32(n * k);
  const outScore = sharedFloat32(n * k);
  const minScore = opts.minScore ?? 0;
  const size = opts.blockRows ?? defaultBlockRows(n, threads);
  const base = { ...prep, k, tieKey, minScore, outIndex, outScore, ...(queries !== undefined ? { queries } : {}) };
  const onProgress = opts.onProgress;
  if (threads <= 1 && opts.pool === undefined) {
    cosineBlock({ ...base, rowStart: 0, rowEnd: n });
    onProgress?.(n);
  } else
    await withPool(threads, opts.pool, (pool) =>
      Promise.all(
        blocks(n, size).map(async ([rowStart, rowEnd]) => {
          await pool.runAll([{ kind: 'cosineBlock', args: { ...base, rowStart, rowEnd } satisfies CosineBlockArgs }]);
          onProgress?.(rowEnd - rowStart);
        }),
      ),
    );
  if (queries !== undefined) return spreadQueries(rows, k, queries, outIndex, outScore);
  return { rows, k, index: outIndex, score: outScore };
}

/** One query row's kept scores (see changedNeighbours): the rows and their scores, in no particular order. */
export interface RowScores {
  row: number;
  users: Int32Array;
  scores: Float64Array;
}

/**
 * The exact top-k neighbours of `queryRows` (the lists cosineTopK gives them) and, from the same sparse products,
 * each query row's score with every other row j that scores above 0 and at least floor[j] - slack (rounded to
 * float32, not capped at 1): what an incremental run needs of its changed users, their own lists and the lists they
 * may enter, in one pass over their products instead of two.
 */
export async function changedNeighbours(
  m: Csr,
  k: number,
  opts: TopKOptions & { queryRows: Int32Array; floor: Float64Array; slack: number },
): Promise<{ neighbours: Neighbours; scores: RowScores[] }> {
  const threads = opts.pool?.size ?? opts.threads ?? 2;
  checkArgs(m.rows, k, opts.tieKey, opts.queryRows);
  if (opts.floor.length !== m.rows) {
    throw new RangeError(`expected ${m.rows} floors (one per row), but got ${opts.floor.length}`);
  }
  const queries = opts.queryRows;
  const n = queries.length;
  const sync = threads <= 1 && opts.pool === undefined;
  const mn = sync ? l2NormalizeRows(m) : shareCsr(l2NormalizeRows(m));
  const t = sync ? transpose(mn) : shareCsr(transpose(mn));
  const outIndex = sync ? new Int32Array(n * k) : sharedInt32(n * k);
  const outScore = sync ? new Float32Array(n * k) : sharedFloat32(n * k);
  const base = {
    m: mn,
    t,
    k,
    tieKey: sync ? opts.tieKey : toShared(opts.tieKey),
    minScore: opts.minScore ?? 0,
    outIndex,
    outScore,
    queries: sync ? queries : toShared(queries),
    keep: { floor: sync ? opts.floor : toShared(opts.floor), slack: opts.slack },
  };
  const parts: KeptScores[] = sync
    ? [cosineBlock({ ...base, rowStart: 0, rowEnd: n })!]
    : await withPool(threads, opts.pool, (pool) =>
        pool.runAll<KeptScores>(
          blocks(n, opts.blockRows ?? defaultBlockRows(n, threads)).map(([rowStart, rowEnd]) => ({
            kind: 'cosineBlock',
            args: { ...base, rowStart, rowEnd } satisfies CosineBlockArgs,
          })),
        ),
      );
  const scores: RowScores[] = [];
  for (const part of parts) {
    let from = 0;
    for (const count of part.counts) {
      scores.push({
        row: queries[scores.length]!,
        users: part.rows.slice(from, from + count),
        scores: part.scores.slice(from, from + count),
      });
      from += count;
    }
  }
  return { neighbours: spreadQueries(m.rows, k, queries, outIndex, outScore), scores };
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

/**
 * Multiply-adds the exact search does on m: the sum over columns of (rows in the column)^2, i.e. every row's
 * products with every row sharing a column. Cheap to compute; tells in advance when the exact search takes hours.
 */
export function exactWork(m: Csr): number {
  const df = new Float64Array(m.cols);
  for (let p = 0; p < nnz(m); p++) df[m.indices[p]!]!++;
  let work = 0;
  for (const d of df) work += d * d;
  return work;
}
