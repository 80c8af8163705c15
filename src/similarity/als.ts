// Implicit-feedback ALS (Hu, Koren, Volinsky 2008) solved by a few warm-started conjugate-gradient steps per row.
import { transpose } from './csr';
import { blocks, sharedFloat32, shareCsr, threadSlot, withPool } from './pool';
import type { Pool } from './pool';
import type { Csr, DenseMatrix } from './types';
import { Arena, kernelsFor, kernelsModule } from './wasm';
import type { WasmMemory } from './wasm';

export { denseCosineTopK, hnswTopK, recallAgainst } from './dense';

/** Options of trainAls. */
export interface AlsOptions {
  /** Latent factors per user and item (default 64). */
  factors?: number;
  /** L2 regularisation lambda on both factor matrices (default 0.01, as the `implicit` package). */
  regularization?: number;
  /** Alternating sweeps, each solving all users then all items (default 15). */
  iterations?: number;
  /** Conjugate-gradient steps per row per sweep, warm-started from the previous factors (default 3). */
  cgSteps?: number;
  /** Seed of the factor initialisation (default 0); with the same input and seed the output is identical. */
  seed?: number;
  /** Worker threads (default 2); 1 runs in the calling thread. The result does not depend on it. */
  threads?: number;
  /** Rows per task (default 2048). Fixed blocks make the summation order, hence the result, thread-independent. */
  blockRows?: number;
  /** Record the training loss after every sweep (default true; costs about one extra pass over the non-zeros). */
  computeLoss?: boolean;
  /** Called after every sweep with its number (1-based), the loss if computed, and its duration in ms. */
  onIteration?: (iteration: number, loss: number | undefined, ms: number) => void;
  /** An open pool to use instead of starting (and stopping) one. */
  pool?: Pool;
  /**
   * 'simd' (default where the runtime has WebAssembly SIMD and factors is a multiple of 4): the solve runs in
   * kernels.wat, single precision, four lanes. 'js': plain TypeScript in double precision (slower; a reference).
   */
  kernel?: 'simd' | 'js';
}

/** Trained factors: users x factors and items x factors (row-major, float32), and the loss after each sweep. */
export interface AlsModel {
  users: DenseMatrix;
  items: DenseMatrix;
  lossHistory: number[];
  /** Milliseconds of each sweep (users + items solve, and loss when on). */
  iterationMs: number[];
}

/** Arguments of one block of the Gram-matrix task: rows [rowStart, rowEnd) of a rows x f factor matrix. */
export interface GramArgs {
  factors: Float32Array;
  f: number;
  rowStart: number;
  rowEnd: number;
  /** When set, factors is a view into this memory and each thread slot has f * f floats of scratch from `scratch`. */
  simd?: { memory: WasmMemory; scratch: number };
}

/** Arguments of one block of the solve task: updates rows [rowStart, rowEnd) of `target` in place. */
export interface SolveArgs {
  c: Csr; // rows are the entities being solved; values are confidence - 1 (alpha * r)
  other: Float32Array; // the fixed side's factors, c.cols x f
  target: Float32Array; // c.rows x f, read as warm start and overwritten
  gram: Float64Array; // other^T other + lambda I, f x f
  f: number;
  cgSteps: number;
  rowStart: number;
  rowEnd: number;
  /** When set, c, other and target are views into this memory and the SIMD kernel runs instead. */
  simd?: { memory: WasmMemory; gram: number; scratch: number };
}

/** Arguments of one block of the loss task over user rows. */
export interface LossArgs {
  c: Csr;
  users: Float32Array;
  items: Float32Array;
  f: number;
  rowStart: number;
  rowEnd: number;
}

/** Kernel: the upper triangle, mirrored, of F^T F over rows [rowStart, rowEnd) of F (row-major, f columns). */
export function gramBlock(a: GramArgs): Float64Array {
  const { factors: x, f } = a;
  const g = new Float64Array(f * f);
  if (a.simd !== undefined) {
    const offset = a.simd.scratch + threadSlot() * f * f * 4;
    kernelsFor(a.simd.memory).gram(x.byteOffset, f, a.rowStart, a.rowEnd, offset);
    const upper = new Float32Array(a.simd.memory.buffer, offset, f * f);
    for (let i = 0; i < f; i++) for (let j = i; j < f; j++) g[i * f + j] = upper[i * f + j]!;
    for (let i = 0; i < f; i++) for (let j = 0; j < i; j++) g[i * f + j] = g[j * f + i]!;
    return g;
  }
  for (let r = a.rowStart; r < a.rowEnd; r++) {
    const base = r * f;
    for (let i = 0; i < f; i++) {
      const xi = x[base + i]!;
      if (xi === 0) continue;
      const gi = i * f;
      for (let j = i; j < f; j++) g[gi + j]! += xi * x[base + j]!;
    }
  }
  for (let i = 0; i < f; i++) for (let j = 0; j < i; j++) g[i * f + j] = g[j * f + i]!;
  return g;
}

let cgScratch: { f: number; x: Float64Array; r: Float64Array; p: Float64Array; ap: Float64Array } | undefined;

/**
 * Kernel: for every row u in the block, a few CG steps on (G + sum_i d_ui y_i y_i^T) x_u = sum_i (1 + d_ui) y_i,
 * the Hu-Koren-Volinsky normal equations with confidence c_ui = 1 + d_ui and preference 1 on observed entries,
 * where G = Y^T Y + lambda I already holds the sum over all items. Warm-started from the current x_u.
 */
export function solveBlock(a: SolveArgs): void {
  const { c, other: y, target, gram: g, f, cgSteps } = a;
  if (a.simd !== undefined) {
    kernelsFor(a.simd.memory).solve(
      c.indptr.byteOffset,
      c.indices.byteOffset,
      c.data.byteOffset,
      y.byteOffset,
      target.byteOffset,
      a.simd.gram,
      f,
      cgSteps,
      a.rowStart,
      a.rowEnd,
      a.simd.scratch,
    );
    return;
  }
  if (cgScratch?.f !== f) {
    cgScratch = { f, x: new Float64Array(f), r: new Float64Array(f), p: new Float64Array(f), ap: new Float64Array(f) };
  }
  const { x, r, p, ap } = cgScratch;
  const { indptr, indices, data } = c;
  for (let u = a.rowStart; u < a.rowEnd; u++) {
    const xb = u * f;
    const start = indptr[u]!;
    const end = indptr[u + 1]!;
    if (start === end) {
      // no entries: b = 0, so the exact solution is x = 0
      target.fill(0, xb, xb + f);
      continue;
    }
    for (let i = 0; i < f; i++) x[i] = target[xb + i]!;
    // r = b - A x
    for (let i = 0; i < f; i++) {
      let s = 0;
      const gi = i * f;
      for (let j = 0; j < f; j++) s += g[gi + j]! * x[j]!;
      r[i] = -s;
    }
    for (let q = start; q < end; q++) {
      const yb = indices[q]! * f;
      const d = data[q]!;
      let yx = 0;
      for (let j = 0; j < f; j++) yx += y[yb + j]! * x[j]!;
      const coef = 1 + d - d * yx;
      for (let j = 0; j < f; j++) r[j]! += coef * y[yb + j]!;
    }
    let rsold = 0;
    for (let i = 0; i < f; i++) {
      p[i] = r[i]!;
      rsold += r[i]! * r[i]!;
    }
    if (rsold < 1e-20) continue;
    for (let step = 0; step < cgSteps; step++) {
      for (let i = 0; i < f; i++) {
        let s = 0;
        const gi = i * f;
        for (let j = 0; j < f; j++) s += g[gi + j]! * p[j]!;
        ap[i] = s;
      }
      for (let q = start; q < end; q++) {
        const yb = indices[q]! * f;
        let yp = 0;
        for (let j = 0; j < f; j++) yp += y[yb + j]! * p[j]!;
        const coef = data[q]! * yp;
        for (let j = 0; j < f; j++) ap[j]! += coef * y[yb + j]!;
      }
      let pap = 0;
      for (let i = 0; i < f; i++) pap += p[i]! * ap[i]!;
      if (!(pap > 0)) break;
      const alpha = rsold / pap;
      let rsnew = 0;
      for (let i = 0; i < f; i++) {
        x[i]! += alpha * p[i]!;
        r[i]! -= alpha * ap[i]!;
        rsnew += r[i]! * r[i]!;
      }
      if (rsnew < 1e-20) break;
      const beta = rsnew / rsold;
      for (let i = 0; i < f; i++) p[i] = r[i]! + beta * p[i]!;
      rsold = rsnew;
    }
    for (let i = 0; i < f; i++) target[xb + i] = x[i]!;
  }
}

/** Kernel: sum over the block's observed (u, i) of c_ui (1 - s)^2 - s^2 with s = x_u . y_i (see trainAls). */
export function lossBlock(a: LossArgs): number {
  const { c, users, items, f } = a;
  let total = 0;
  for (let u = a.rowStart; u < a.rowEnd; u++) {
    const xb = u * f;
    for (let q = c.indptr[u]!, end = c.indptr[u + 1]!; q < end; q++) {
      const yb = c.indices[q]! * f;
      let s = 0;
      for (let j = 0; j < f; j++) s += users[xb + j]! * items[yb + j]!;
      total += (1 + c.data[q]!) * (1 - s) * (1 - s) - s * s;
    }
  }
  return total;
}

/** Seeded uniform [0, 1) generator (mulberry32): small, fast, and the same on every platform. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkAlsOptions(
  c: Csr,
  o: Required<Pick<AlsOptions, 'factors' | 'regularization' | 'iterations' | 'cgSteps'>>,
) {
  const bad = (what: string, v: number) => new RangeError(`expected ${what}, but got ${v}`);
  if (!Number.isInteger(o.factors) || o.factors < 1) throw bad('factors to be a positive integer', o.factors);
  if (!(o.regularization >= 0)) throw bad('regularization >= 0', o.regularization);
  if (!Number.isInteger(o.iterations) || o.iterations < 0) throw bad('iterations >= 0', o.iterations);
  if (!Number.isInteger(o.cgSteps) || o.cgSteps < 1) throw bad('cgSteps >= 1', o.cgSteps);
  for (let p = 0, end = c.indptr[c.rows] ?? 0; p < end; p++) {
    if (!(c.data[p]! >= 0)) throw bad(`non-negative confidence values (entry ${p})`, c.data[p]!);
  }
}

/**
 * Implicit-feedback ALS: minimises
 *   sum over all (u, i) of c_ui (p_ui - x_u . y_i)^2 + lambda (|X|^2 + |Y|^2),
 * with p_ui = 1 and c_ui = 1 + c[u, i] where c has an entry, p_ui = 0 and c_ui = 1 elsewhere. So `c` holds
 * confidence - 1, e.g. alpha * log1p(seconds). (The `implicit` package reads its input as c_ui itself; pass
 * it 1 + c to compare like with like.) Each sweep solves all users, then all items, with `cgSteps` CG steps
 * per row warm-started from the previous factors; the all-items part is the Gram matrix, computed once per
 * side per sweep, so a sweep costs O(nnz * f * cgSteps + (users + items) * f^2 * cgSteps).
 * Factors start uniform in [0, 0.01) from `seed`. Rows are split into fixed blocks over the workers, factors
 * live in shared memory, and sums are combined in block order, so the output is identical for any thread count.
 * The loss reported is the objective above, computed as tr(X^T X Y^T Y) plus the observed corrections.
 * Memory: (users + items) x factors floats, plus the matrix and its transpose.
 */
export async function trainAls(c: Csr, opts: AlsOptions = {}): Promise<AlsModel> {
  const f = opts.factors ?? 64;
  const lambda = opts.regularization ?? 0.01;
  const iterations = opts.iterations ?? 15;
  const cgSteps = opts.cgSteps ?? 3;
  checkAlsOptions(c, { factors: f, regularization: lambda, iterations, cgSteps });
  const threads = opts.pool?.size ?? opts.threads ?? 2;
  const size = opts.blockRows ?? 2048;
  const computeLoss = opts.computeLoss ?? true;

  const userBlocks = blocks(c.rows, size);
  const itemBlocks = blocks(c.cols, size);
  const scratchFloats = 3 * f * Math.max(userBlocks.length, itemBlocks.length);
  const count = c.indptr[c.rows] ?? 0;
  const arenaBytes = Arena.bytesFor([
    c.rows * f,
    c.cols * f,
    c.rows + 1,
    count,
    count,
    c.cols + 1,
    count,
    count,
    f * f,
    scratchFloats,
    Math.max(1, threads) * f * f,
  ]);
  const useSimd =
    (opts.kernel ?? 'simd') === 'simd' && f % 4 === 0 && arenaBytes <= Arena.MAX_BYTES && kernelsModule() !== null;
  let cu: Csr;
  let ci: Csr;
  let x: Float32Array;
  let y: Float32Array;
  let simd: { memory: WasmMemory; gram: Float32Array; scratch: number; gramScratch: number } | undefined;
  if (useSimd) {
    // Everything the kernel touches lives in one shared WebAssembly memory; the JS kernels use views of it.
    const arena = new Arena(arenaBytes);
    x = arena.float32(c.rows * f);
    y = arena.float32(c.cols * f);
    const place = (m: Csr): Csr => {
      const out = {
        rows: m.rows,
        cols: m.cols,
        indptr: arena.int32(m.rows + 1),
        indices: arena.int32(count),
        data: arena.float32(count),
      };
      out.indptr.set(m.indptr);
      out.indices.set(m.indices.subarray(0, count));
      out.data.set(m.data.subarray(0, count));
      return out;
    };
    cu = place(c);
    // The item-side matrix is built straight into the memory: no temporary copy of the largest array.
    ci = transpose(c, { indptr: arena.int32(c.cols + 1), indices: arena.int32(count), data: arena.float32(count) });
    const gram = arena.float32(f * f);
    simd = {
      memory: arena.memory,
      gram,
      scratch: arena.float32(scratchFloats).byteOffset,
      gramScratch: arena.float32(Math.max(1, threads) * f * f).byteOffset,
    };
  } else {
    cu = shareCsr(c);
    ci = shareCsr(transpose(c));
    x = sharedFloat32(c.rows * f);
    y = sharedFloat32(c.cols * f);
  }
  const rand = seededRandom(opts.seed ?? 0);
  for (let p = 0; p < x.length; p++) x[p] = rand() * 0.01;
  for (let p = 0; p < y.length; p++) y[p] = rand() * 0.01;

  const run = async (pool: Pool | undefined): Promise<AlsModel> => {
    // With no pool the kernels run inline; same blocks, same order, same result.
    const exec = async <T>(kind: string, args: unknown[], inline: (a: never) => T): Promise<T[]> =>
      pool === undefined ? args.map((a) => inline(a as never)) : pool.runAll<T>(args.map((a) => ({ kind, args: a })));

    const gram = async (m: Float32Array, ranges: Array<[number, number]>): Promise<Float64Array> => {
      const parts = await exec<Float64Array>(
        'gramBlock',
        ranges.map(([rowStart, rowEnd]) => {
          const args: GramArgs = { factors: m, f, rowStart, rowEnd };
          if (simd !== undefined) args.simd = { memory: simd.memory, scratch: simd.gramScratch };
          return args;
        }),
        gramBlock,
      );
      const g = new Float64Array(f * f);
      for (const part of parts) for (let p = 0; p < g.length; p++) g[p]! += part[p]!;
      return g;
    };
    const withRidge = (g: Float64Array): Float64Array => {
      const out = g.slice();
      for (let i = 0; i < f; i++) out[i * f + i]! += lambda;
      return out;
    };
    const solve = (
      m: Csr,
      other: Float32Array,
      target: Float32Array,
      g: Float64Array,
      ranges: Array<[number, number]>,
    ) => {
      simd?.gram.set(g);
      return exec<void>(
        'solveBlock',
        ranges.map(([rowStart, rowEnd], b) => {
          const args: SolveArgs = { c: m, other, target, gram: g, f, cgSteps, rowStart, rowEnd };
          // Each block has its own scratch, so concurrent blocks never share it whichever worker runs them.
          if (simd !== undefined) {
            args.simd = { memory: simd.memory, gram: simd.gram.byteOffset, scratch: simd.scratch + b * 3 * f * 4 };
          }
          return args;
        }),
        solveBlock,
      );
    };
    const trace = (g: Float64Array): number => {
      let s = 0;
      for (let i = 0; i < f; i++) s += g[i * f + i]!;
      return s;
    };

    const lossHistory: number[] = [];
    const iterationMs: number[] = [];
    let yty = await gram(y, itemBlocks);
    for (let it = 1; it <= iterations; it++) {
      const t0 = performance.now();
      await solve(cu, y, x, withRidge(yty), userBlocks);
      const xtx = await gram(x, userBlocks);
      await solve(ci, x, y, withRidge(xtx), itemBlocks);
      yty = await gram(y, itemBlocks);
      let loss: number | undefined;
      if (computeLoss) {
        const parts = await exec<number>(
          'lossBlock',
          userBlocks.map(
            ([rowStart, rowEnd]) => ({ c: cu, users: x, items: y, f, rowStart, rowEnd }) satisfies LossArgs,
          ),
          lossBlock,
        );
        let all = 0;
        for (let p = 0; p < xtx.length; p++) all += xtx[p]! * yty[p]!;
        loss = all + parts.reduce((s, v) => s + v, 0) + lambda * (trace(xtx) + trace(yty));
        lossHistory.push(loss);
      }
      const ms = performance.now() - t0;
      iterationMs.push(ms);
      opts.onIteration?.(it, loss, ms);
    }
    return {
      users: { rows: c.rows, cols: f, data: x },
      items: { rows: c.cols, cols: f, data: y },
      lossHistory,
      iterationMs,
    };
  };

  if (threads <= 1 && opts.pool === undefined) return run(undefined);
  return withPool(threads, opts.pool, run);
}
