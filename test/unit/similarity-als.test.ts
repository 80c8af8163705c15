import { denseCosineTopK, hnswTopK, recallAgainst, seededRandom, trainAls } from '../../src/similarity/als';
import { csrFromTriples } from '../../src/similarity/csr';
import type { Csr, DenseMatrix } from '../../src/similarity/types';

/** 90 users in 3 communities of 30; community g views items of its own block of 20 (plus a little noise). */
function planted(seed: number): { c: Csr; community: number[] } {
  const rand = seededRandom(seed);
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  const community: number[] = [];
  for (let u = 0; u < 90; u++) {
    const g = u % 3;
    community.push(g);
    for (let q = 0; q < 8; q++) {
      const item = rand() < 0.9 ? g * 20 + Math.floor(rand() * 20) : Math.floor(rand() * 60);
      r.push(u);
      c.push(item);
      v.push(10 * Math.log1p(1 + rand() * 100)); // alpha * log-scaled view time
    }
  }
  return { c: csrFromTriples(90, 60, Int32Array.from(r), Int32Array.from(c), Float32Array.from(v), 'max'), community };
}

describe('implicit ALS', () => {
  const { c, community } = planted(1);
  const tieKey = Int32Array.from({ length: 90 }, (_, i) => i);

  test('recovers the planted neighbours, and the loss decreases', async () => {
    const model = await trainAls(c, { factors: 8, regularization: 0.1, iterations: 10, seed: 3, threads: 1 });
    expect(model.users.rows).toBe(90);
    expect(model.items.rows).toBe(60);
    expect(model.lossHistory).toHaveLength(10);
    for (let i = 1; i < model.lossHistory.length; i++) {
      expect(model.lossHistory[i]).toBeLessThanOrEqual(model.lossHistory[i - 1]! * (1 + 1e-6));
    }
    expect(model.lossHistory[9]!).toBeLessThan(model.lossHistory[0]! * 0.9);
    const nb = await denseCosineTopK(model.users, 10, { tieKey, threads: 1 });
    let same = 0;
    let all = 0;
    for (let u = 0; u < 90; u++) {
      for (let q = 0; q < 10; q++) {
        const j = nb.index[u * 10 + q]!;
        expect(j).not.toBe(u);
        if (j === -1) continue;
        all++;
        if (community[j] === community[u]) same++;
      }
    }
    expect(all).toBe(900);
    expect(same / all).toBeGreaterThanOrEqual(0.95);
  });

  test('same seed, same factors, for 1 and 2 threads; another seed differs', async () => {
    const opts = { factors: 6, iterations: 3, seed: 5, blockRows: 16 };
    const one = await trainAls(c, { ...opts, threads: 1 });
    const two = await trainAls(c, { ...opts, threads: 2 });
    expect(Array.from(two.users.data)).toEqual(Array.from(one.users.data));
    expect(Array.from(two.items.data)).toEqual(Array.from(one.items.data));
    expect(two.lossHistory).toEqual(one.lossHistory);
    const other = await trainAls(c, { ...opts, seed: 6, threads: 1 });
    expect(Array.from(other.users.data)).not.toEqual(Array.from(one.users.data));
  });

  test('the SIMD kernel (single precision) agrees with the double-precision TypeScript solve', async () => {
    const opts = { factors: 8, iterations: 4, seed: 2, threads: 1 };
    const simd = await trainAls(c, { ...opts, kernel: 'simd' });
    const js = await trainAls(c, { ...opts, kernel: 'js' });
    // CG from the same start: single against double rounding drifts a little, relative to the factors' size.
    let worst = 0;
    let size = 0;
    for (let p = 0; p < js.users.data.length; p++) {
      worst = Math.max(worst, Math.abs(simd.users.data[p]! - js.users.data[p]!));
      size = Math.max(size, Math.abs(js.users.data[p]!));
    }
    expect(worst / size).toBeLessThan(1e-2);
    expect(simd.lossHistory[3]! / js.lossHistory[3]!).toBeCloseTo(1, 4);
    // an odd factor count cannot use four lanes and falls back to the TypeScript solve
    const odd = await trainAls(c, { ...opts, factors: 5 });
    expect(odd.users.cols).toBe(5);
  });

  test.each(['simd', 'js'] as const)('(%s) users without entries get zero factors', async (kernel) => {
    const m = csrFromTriples(3, 2, Int32Array.from([0, 2]), Int32Array.from([0, 1]), Float32Array.from([5, 5]), 'sum');
    const model = await trainAls(m, { factors: 4, iterations: 2, threads: 1, kernel });
    expect(Array.from(model.users.data.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    expect(model.users.data.subarray(0, 4).some((v) => v !== 0)).toBe(true);
  });

  test('rejects negative confidences and bad options', async () => {
    const bad = csrFromTriples(1, 1, Int32Array.from([0]), Int32Array.from([0]), Float32Array.from([-1]), 'sum');
    await expect(trainAls(bad, { threads: 1 })).rejects.toThrow(
      'expected non-negative confidence values (entry 0), but got -1',
    );
    await expect(trainAls(c, { factors: 0 })).rejects.toThrow('expected factors to be a positive integer, but got 0');
  });
});

function randomFactors(seed: number, rows: number, f: number): DenseMatrix {
  const rand = seededRandom(seed);
  const data = new Float32Array(rows * f);
  for (let p = 0; p < data.length; p++) data[p] = rand() - 0.5;
  return { rows, cols: f, data };
}

describe('neighbours over dense factors', () => {
  test.each(['simd', 'js'] as const)('exact search (%s): hand example with a zero row and a tie', async (kernel) => {
    // r0 = (1, 0), r1 = (1, 1), r2 = (0, 1), r3 = (0, 0), r4 = (2, 0) (same direction as r0); padded to 4 columns
    const f: DenseMatrix = {
      rows: 5,
      cols: 4,
      data: Float32Array.from([1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]),
    };
    const nb = await denseCosineTopK(f, 2, { tieKey: Int32Array.from([0, 1, 2, 3, 4]), threads: 1, kernel });
    expect(Array.from(nb.index)).toEqual([4, 1, 0, 2, 1, -1, -1, -1, 0, 1]);
    expect(nb.score[0]).toBe(1);
    expect(nb.score[1]).toBeCloseTo(Math.SQRT1_2, 6);
    // r1 is equally close to r0, r2 and r4: the smaller keys (r0, r2) win
    expect(nb.score[2]).toBe(nb.score[3]);
  });

  test('exact search is identical for 1 and 2 threads; HNSW recall against it is high', async () => {
    const f = randomFactors(11, 1000, 16);
    const tieKey = Float64Array.from({ length: f.rows }, (_, i) => f.rows - i);
    const one = await denseCosineTopK(f, 10, { tieKey, threads: 1 });
    const two = await denseCosineTopK(f, 10, { tieKey, threads: 2, blockRows: 100 });
    expect(Array.from(two.index)).toEqual(Array.from(one.index));
    expect(Array.from(two.score)).toEqual(Array.from(one.score));
    // the double-precision scan finds the same neighbours up to float rounding
    const js = await denseCosineTopK(f, 10, { tieKey, threads: 1, kernel: 'js' });
    expect(recallAgainst(js, one)).toBeGreaterThan(0.999);
    for (let p = 0; p < js.score.length; p++) expect(Math.abs(js.score[p]! - one.score[p]!)).toBeLessThan(1e-5);
    // a sample of query rows gets exactly the full search's rows, the others none
    const sample = Int32Array.from([999, 3, 700, 4, 5, 500, 2]);
    for (const kernel of ['simd', 'js'] as const) {
      const part = await denseCosineTopK(f, 10, { tieKey, threads: 2, kernel, queryRows: sample, blockRows: 4 });
      const full = kernel === 'simd' ? one : js;
      for (let r = 0; r < f.rows; r++) {
        const got = Array.from(part.index.subarray(r * 10, r * 10 + 10));
        expect(got).toEqual(
          sample.includes(r) ? Array.from(full.index.subarray(r * 10, r * 10 + 10)) : Array(10).fill(-1),
        );
      }
    }
    const approx = await hnswTopK(f, 10, { tieKey, efSearch: 100, seed: 1 });
    expect(recallAgainst(one, one)).toBe(1);
    expect(recallAgainst(one, approx)).toBeGreaterThanOrEqual(0.9);
    // shards decide the output, threads do not; one shard is hnswlib's single index
    const inline = await hnswTopK(f, 10, { tieKey, efSearch: 100, seed: 1, threads: 1 });
    expect(Array.from(inline.index)).toEqual(Array.from(approx.index));
    const single = await hnswTopK(f, 10, { tieKey, efSearch: 100, seed: 1, shards: 1, threads: 1 });
    expect(recallAgainst(one, single)).toBeGreaterThanOrEqual(0.9);
    for (let r = 0; r < f.rows; r++) {
      for (let q = 0; q < 10; q++) expect(approx.index[r * 10 + q]).not.toBe(r);
      // scores descend within a row
      for (let q = 1; q < 10; q++) expect(approx.score[r * 10 + q]!).toBeLessThanOrEqual(approx.score[r * 10 + q - 1]!);
    }
  });
});
