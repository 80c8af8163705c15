// Top-k cosine neighbours between the rows of a dense factor matrix: exact (blocked) or approximate (HNSW).
import { HierarchicalNSW } from 'hnswlib-node';
import { TopK } from './heap';
import { blocks, sharedFloat32, sharedInt32, threadSlot, toShared, withPool } from './pool';
import type { Pool } from './pool';
import { defaultBlockRows } from './topk';
import type { DenseMatrix, Neighbours } from './types';
import { Arena, kernelsFor, kernelsModule } from './wasm';
import type { WasmMemory } from './wasm';

/** Options of denseCosineTopK (see TopKOptions for the shared meanings). */
export interface DenseTopKOptions {
  tieKey: Float64Array | Int32Array;
  threads?: number;
  blockRows?: number;
  minScore?: number;
  pool?: Pool;
  /** 'simd' (default when cols is a multiple of 4): dot products in kernels.wat, single precision; 'js': double. */
  kernel?: 'simd' | 'js';
  /**
   * Only these rows' neighbours (candidates are still all rows); the others get none. For measuring an
   * approximate index's recall on a sample when the full exact scan (rows^2) is too slow.
   */
  queryRows?: Int32Array;
}

/** Arguments of one block of rows of the exact dense search (arrays in shared memory). */
export interface DenseBlockArgs {
  unit: Float32Array; // rows x f, rows scaled to unit norm (zero rows stay zero)
  valid: Uint8Array; // 1 where the row had a non-zero norm
  rows: number;
  f: number;
  k: number;
  rowStart: number;
  rowEnd: number;
  tieKey: Float64Array | Int32Array;
  minScore: number;
  outIndex: Int32Array;
  outScore: Float32Array;
  /** When set, unit is a view into this memory, and each thread slot has 4 * rows floats of scratch from `scratch`. */
  simd?: { memory: WasmMemory; scratch: number };
  /** When set, rowStart/rowEnd are positions in this list of query rows; else they are rows. */
  queries?: Int32Array;
  /** With simd and queries: the queries' unit vectors, contiguous in list order (in the same memory). */
  queryUnit?: Float32Array;
}

/** Rows scaled to unit length (norms in double precision) and a flag of which rows were non-zero. */
export function unitRows(m: DenseMatrix, arena?: Arena): { unit: Float32Array; valid: Uint8Array } {
  const f = m.cols;
  // In an arena, three spare rows let the last tile of four queries read past the end harmlessly.
  const unit =
    arena !== undefined ? arena.float32((m.rows + 3) * f).subarray(0, m.rows * f) : sharedFloat32(m.rows * f);
  const valid = new Uint8Array(new SharedArrayBuffer(m.rows));
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let j = 0; j < f; j++) s += m.data[r * f + j]! * m.data[r * f + j]!;
    if (s > 0) {
      valid[r] = 1;
      const inv = 1 / Math.sqrt(s);
      for (let j = 0; j < f; j++) unit[r * f + j] = m.data[r * f + j]! * inv;
    }
  }
  return { unit, valid };
}

let heaps: TopK[] = [];

/**
 * Kernel: exact top-k by cosine for rows [rowStart, rowEnd), four query rows at a time against every row so each
 * candidate vector is read once per four queries. Dot products in double precision, rounded to float32 before ranking.
 */
export function denseBlock(a: DenseBlockArgs): void {
  const { unit: u, valid, rows, f, k, tieKey, minScore, outIndex, outScore } = a;
  if (heaps.length !== 4 || heaps[0]!.k !== k) heaps = [new TopK(k), new TopK(k), new TopK(k), new TopK(k)];
  if (a.simd !== undefined) {
    simdBlock(a, a.simd);
    return;
  }
  const [h0, h1, h2, h3] = heaps as [TopK, TopK, TopK, TopK];
  const qs = a.queries;
  for (let pos = a.rowStart; pos < a.rowEnd; pos += 4) {
    const n = Math.min(4, a.rowEnd - pos);
    // Missing rows of a short last tile alias the first; their results are simply not written.
    const i = qs === undefined ? pos : qs[pos]!;
    const i1 = n > 1 ? (qs === undefined ? pos + 1 : qs[pos + 1]!) : i;
    const i2 = n > 2 ? (qs === undefined ? pos + 2 : qs[pos + 2]!) : i;
    const i3 = n > 3 ? (qs === undefined ? pos + 3 : qs[pos + 3]!) : i;
    const b0 = i * f;
    const b1 = i1 * f;
    const b2 = i2 * f;
    const b3 = i3 * f;
    h0.reset();
    h1.reset();
    h2.reset();
    h3.reset();
    for (let j = 0; j < rows; j++) {
      if (valid[j] === 0) continue;
      const bj = j * f;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let d = 0; d < f; d++) {
        const v = u[bj + d]!;
        s0 += u[b0 + d]! * v;
        s1 += u[b1 + d]! * v;
        s2 += u[b2 + d]! * v;
        s3 += u[b3 + d]! * v;
      }
      const key = tieKey[j]!;
      let r = Math.fround(s0 > 1 ? 1 : s0);
      if (r > minScore && r >= h0.threshold && j !== i) h0.offer(j, r, key);
      r = Math.fround(s1 > 1 ? 1 : s1);
      if (r > minScore && r >= h1.threshold && j !== i1) h1.offer(j, r, key);
      r = Math.fround(s2 > 1 ? 1 : s2);
      if (r > minScore && r >= h2.threshold && j !== i2) h2.offer(j, r, key);
      r = Math.fround(s3 > 1 ? 1 : s3);
      if (r > minScore && r >= h3.threshold && j !== i3) h3.offer(j, r, key);
    }
    const tile = [h0, h1, h2, h3];
    const ids = [i, i1, i2, i3];
    for (let q = 0; q < n; q++) {
      const h = tile[q]!;
      if (valid[ids[q]!] === 0) h.reset();
      h.drain(outIndex, outScore, ids[q]! * k);
    }
  }
}

function simdBlock(a: DenseBlockArgs, simd: { memory: WasmMemory; scratch: number }): void {
  const { unit, valid, rows, f, k, tieKey, minScore, outIndex, outScore } = a;
  const kernels = kernelsFor(simd.memory);
  const offset = simd.scratch + threadSlot() * 4 * rows * 4;
  const planes = new Float32Array(simd.memory.buffer, offset, 4 * rows);
  const qs = a.queries;
  const queryBase = (a.queryUnit ?? unit).byteOffset;
  for (let pos = a.rowStart; pos < a.rowEnd; pos += 4) {
    const n = Math.min(4, a.rowEnd - pos);
    kernels.dots4(unit.byteOffset, rows, f, queryBase + pos * f * 4, offset);
    for (let t = 0; t < n; t++) {
      const h = heaps[t]!;
      h.reset();
      const self = qs === undefined ? pos + t : qs[pos + t]!;
      if (valid[self] !== 0) {
        const base = t * rows;
        let floor = minScore;
        for (let j = 0; j < rows; j++) {
          const s = planes[base + j]!;
          if ((s > floor || (s === floor && s > minScore)) && j !== self && valid[j] !== 0) {
            h.offer(j, s > 1 ? 1 : s, tieKey[j]!);
            floor = Math.max(minScore, h.threshold);
          }
        }
      }
      h.drain(outIndex, outScore, self * k);
    }
  }
}

function check(rows: number, k: number, tieKey: ArrayLike<number>): void {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`expected k to be a non-negative integer, but got ${k}`);
  if (tieKey.length !== rows) throw new RangeError(`expected ${rows} tie keys (one per row), but got ${tieKey.length}`);
}

/**
 * Exact top-k cosine neighbours between the rows of f (e.g. ALS user factors), same output contract as cosineTopK:
 * scores descend, ties by ascending tieKey, no self-neighbours, only scores > minScore (default 0), zero rows
 * get none. Costs rows^2 * f multiply-adds over `threads` workers, memory rows * (f + k); fine to a few
 * hundred thousand rows, beyond that use hnswTopK.
 */
export async function denseCosineTopK(f: DenseMatrix, k: number, opts: DenseTopKOptions): Promise<Neighbours> {
  check(f.rows, k, opts.tieKey);
  const threads = opts.pool?.size ?? opts.threads ?? 2;
  const slots = Math.max(1, threads);
  const queries = opts.queryRows === undefined ? undefined : toShared(opts.queryRows);
  for (const r of queries ?? []) {
    if (!(r >= 0 && r < f.rows)) throw new RangeError(`expected query rows in [0, ${f.rows}), but got ${r}`);
  }
  const nq = queries?.length ?? f.rows;
  const bytes = Arena.bytesFor([
    (f.rows + 3) * f.cols,
    slots * 4 * f.rows,
    queries === undefined ? 0 : (nq + 3) * f.cols,
  ]);
  const useSimd =
    (opts.kernel ?? 'simd') === 'simd' && f.cols % 4 === 0 && bytes <= Arena.MAX_BYTES && kernelsModule() !== null;
  const arena = useSimd ? new Arena(bytes) : undefined;
  const { unit, valid } = unitRows(f, arena);
  const tieKey = toShared(opts.tieKey);
  const outIndex = sharedInt32(f.rows * k);
  const outScore = sharedFloat32(f.rows * k);
  if (queries !== undefined) outIndex.fill(-1);
  const base: Omit<DenseBlockArgs, 'rowStart' | 'rowEnd'> = {
    unit,
    valid,
    rows: f.rows,
    f: f.cols,
    k,
    tieKey,
    minScore: opts.minScore ?? 0,
    outIndex,
    outScore,
  };
  if (arena !== undefined) base.simd = { memory: arena.memory, scratch: arena.float32(slots * 4 * f.rows).byteOffset };
  if (queries !== undefined) {
    base.queries = queries;
    if (arena !== undefined) {
      const qu = arena.float32((nq + 3) * f.cols);
      queries.forEach((r, q) => qu.set(unit.subarray(r * f.cols, (r + 1) * f.cols), q * f.cols));
      base.queryUnit = qu;
    }
  }
  // Blocks are multiples of four rows so tiles never straddle two tasks.
  const size = Math.ceil((opts.blockRows ?? defaultBlockRows(nq, threads)) / 4) * 4;
  const tasks = blocks(nq, size).map(([rowStart, rowEnd]) => ({ ...base, rowStart, rowEnd }) satisfies DenseBlockArgs);
  if (threads <= 1 && opts.pool === undefined) {
    for (const t of tasks) denseBlock(t);
  } else {
    await withPool(threads, opts.pool, (pool) => pool.runAll(tasks.map((args) => ({ kind: 'denseBlock', args }))));
  }
  return { rows: f.rows, k, index: outIndex, score: outScore };
}

/** Options of hnswTopK: hnswlib's graph degree M (default 16), build and search beam widths, seed, sharding. */
export interface HnswOptions {
  tieKey: Float64Array | Int32Array;
  M?: number;
  efConstruction?: number;
  efSearch?: number;
  seed?: number;
  minScore?: number;
  /**
   * Independent indexes over rows r with r % shards === s (default 2), each searched for every row and the
   * results merged: the builds, hnswlib's dominant cost, run in parallel. The output depends on shards, not threads.
   */
  shards?: number;
  /** Worker threads for the shards (default 2); 1 builds them one after another in the calling thread. */
  threads?: number;
  pool?: Pool;
}

/** Arguments of one HNSW shard, as posted to a worker (arrays in shared memory). */
export interface HnswShardArgs extends ShardSource {
  efSearch: number;
  k: number;
  outIndex: Int32Array; // rows x (k + 1) for this shard, -1 padded
  outDistance: Float32Array;
}

/** Where a shard's HNSW index is built from: unit rows r with r % shards === shard and valid[r] set. */
export interface ShardSource {
  unit: Float32Array;
  valid: Uint8Array;
  rows: number;
  dim: number;
  shard: number;
  shards: number;
  M: number;
  efConstruction: number;
  seed: number;
}

/** A built shard index (undefined when the shard holds no valid row) and a loader of row r as hnswlib's input. */
export function buildShardIndex(a: ShardSource): {
  hnsw: HierarchicalNSW | undefined;
  count: number;
  load: (r: number) => number[];
} {
  const { unit, valid, rows, dim, shard, shards } = a;
  // One reusable plain array: hnswlib-node takes number[], and keeping a copy per row would cost ~0.5 KiB each.
  const v = new Array<number>(dim).fill(0);
  const load = (r: number) => {
    for (let d = 0; d < dim; d++) v[d] = unit[r * dim + d]!;
    return v;
  };
  let count = 0;
  for (let r = shard; r < rows; r += shards) count += valid[r]!;
  if (count === 0) return { hnsw: undefined, count, load };
  const hnsw = new HierarchicalNSW('cosine', dim);
  hnsw.initIndex(count, a.M, a.efConstruction, a.seed + shard);
  for (let r = shard; r < rows; r += shards) if (valid[r] !== 0) hnsw.addPoint(load(r), r);
  return { hnsw, count, load };
}

/** The sources of `shards` indexes over the unit rows (defaults: M 16, efConstruction 100, seed 100). */
export function shardSources(
  unit: Float32Array,
  valid: Uint8Array,
  dim: number,
  shards: number,
  opts: { M?: number; efConstruction?: number; seed?: number },
): ShardSource[] {
  return Array.from({ length: shards }, (_, shard) => ({
    unit,
    valid,
    rows: valid.length,
    dim,
    shard,
    shards,
    M: opts.M ?? 16,
    efConstruction: opts.efConstruction ?? 100,
    seed: opts.seed ?? 100,
  }));
}

/** Runs a shard kernel on every task: inline with one thread and no pool, else on the workers. */
export async function runShards<T>(
  kind: string,
  kernel: (task: T) => void,
  tasks: T[],
  threads: number,
  pool: Pool | undefined,
): Promise<void> {
  if (threads <= 1 && pool === undefined) {
    for (const t of tasks) kernel(t);
  } else {
    await withPool(threads, pool, (p) => p.runAll(tasks.map((args) => ({ kind, args }))));
  }
}

/** Kernel: builds the shard's index and writes every valid row's k + 1 nearest rows of the shard (1 - cosine). */
export function hnswShard(a: HnswShardArgs): void {
  const { valid, rows, outIndex, outDistance } = a;
  const width = a.k + 1;
  outIndex.fill(-1);
  const { hnsw, count, load } = buildShardIndex(a);
  if (hnsw === undefined) return;
  const want = Math.min(width, count);
  hnsw.setEf(Math.max(a.efSearch, want));
  for (let r = 0; r < rows; r++) {
    if (valid[r] === 0) continue;
    const found = hnsw.searchKnn(load(r), want);
    for (let q = 0; q < found.neighbors.length; q++) {
      outIndex[r * width + q] = found.neighbors[q]!;
      outDistance[r * width + q] = found.distances[q]!;
    }
  }
}

/**
 * Approximate top-k cosine neighbours with HNSW indexes (hnswlib-node, cosine space), same output shape and
 * ordering rules as denseCosineTopK over the candidates the indexes return (k + 1 per shard, self dropped).
 * Defaults: M 16, efConstruction 100, efSearch max(50, 2k), seed 100, 2 shards on 2 threads. Building costs
 * O(rows log rows) per shard. Measure quality with recallAgainst(exact, approx) (exact on a sample at scale).
 */
export async function hnswTopK(f: DenseMatrix, k: number, opts: HnswOptions): Promise<Neighbours> {
  check(f.rows, k, opts.tieKey);
  const shards = opts.shards ?? 2;
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`expected shards >= 1, but got ${shards}`);
  const threads = opts.pool?.size ?? opts.threads ?? 2;
  const minScore = opts.minScore ?? 0;
  const index = new Int32Array(f.rows * k).fill(-1);
  const score = new Float32Array(f.rows * k);
  if (k === 0 || f.rows === 0) return { rows: f.rows, k, index, score };
  const { unit, valid } = unitRows(f);
  const width = k + 1;
  const tasks = shardSources(unit, valid, f.cols, shards, opts).map((source) => ({
    ...source,
    efSearch: opts.efSearch ?? Math.max(50, 2 * k),
    k,
    outIndex: sharedInt32(f.rows * width),
    outDistance: sharedFloat32(f.rows * width),
  }));
  await runShards('hnswShard', hnswShard, tasks, threads, opts.pool);
  const heap = new TopK(k);
  for (let r = 0; r < f.rows; r++) {
    heap.reset();
    for (const t of tasks) {
      for (let q = r * width, end = q + width; q < end; q++) {
        const j = t.outIndex[q]!;
        if (j === -1 || j === r) continue;
        const s = 1 - t.outDistance[q]!;
        const rounded = Math.fround(s > 1 ? 1 : s);
        if (rounded > minScore) heap.offer(j, rounded, opts.tieKey[j]!);
      }
    }
    heap.drain(index, score, r * k);
  }
  return { rows: f.rows, k, index, score };
}

/**
 * Recall of approx against exact: the share of exact neighbour pairs (row, j) that approx also found for that row,
 * over all rows (rows with no exact neighbours count for nothing). 1 when exact has no pairs at all.
 */
export function recallAgainst(exact: Neighbours, approx: Neighbours): number {
  if (exact.rows !== approx.rows) {
    throw new RangeError(`expected neighbours of the same rows, but got ${exact.rows} and ${approx.rows}`);
  }
  let want = 0;
  let hit = 0;
  const found = new Set<number>();
  for (let r = 0; r < exact.rows; r++) {
    found.clear();
    for (let q = 0; q < approx.k; q++) {
      const j = approx.index[r * approx.k + q]!;
      if (j !== -1) found.add(j);
    }
    for (let q = 0; q < exact.k; q++) {
      const j = exact.index[r * exact.k + q]!;
      if (j === -1) continue;
      want++;
      if (found.has(j)) hit++;
    }
  }
  return want === 0 ? 1 : hit / want;
}
