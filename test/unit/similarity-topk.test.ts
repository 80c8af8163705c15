import { csrFromTriples, l2NormalizeRows, toDense } from '../../src/similarity/csr';
import { seededRandom } from '../../src/similarity/als';
import {
  cosineBlock,
  cosineTopK,
  cosineTopKSync,
  cosineTopKPrepared,
  prepareCosine,
  neighbourCount,
  rowsWithoutNeighbours,
} from '../../src/similarity/topk';
import { transpose } from '../../src/similarity/csr';
import type { Csr, Neighbours } from '../../src/similarity/types';
import { csrOfRows } from '../helpers/csr';

const rowOf = (nb: Neighbours, r: number) => ({
  index: Array.from(nb.index.subarray(r * nb.k, (r + 1) * nb.k)),
  score: Array.from(nb.score.subarray(r * nb.k, (r + 1) * nb.k)),
});

describe('hand-computed cosine', () => {
  // u0 = (3, 4, 0), u1 = (4, 3, 0), u2 = (0, 0, 5), u3 = (1, 0, 0), u4 = nothing.
  const m = csrOfRows(3, [{ 0: 3, 1: 4 }, { 0: 4, 1: 3 }, { 2: 5 }, { 0: 1 }, {}]);
  const key = Int32Array.from([100, 101, 102, 103, 104]);

  test('scores are cosines, best first; no self, no zero-score pairs, no neighbours without signal', () => {
    const nb = cosineTopKSync(m, 2, { tieKey: key });
    expect(rowOf(nb, 0).index).toEqual([1, 3]);
    expect(rowOf(nb, 0).score[0]).toBeCloseTo(24 / 25, 6);
    expect(rowOf(nb, 0).score[1]).toBeCloseTo(3 / 5, 6);
    expect(rowOf(nb, 1).index).toEqual([0, 3]);
    expect(rowOf(nb, 1).score[1]).toBeCloseTo(4 / 5, 6);
    expect(rowOf(nb, 3).index).toEqual([1, 0]);
    expect(rowOf(nb, 2)).toEqual({ index: [-1, -1], score: [0, 0] }); // signal, but nothing in common
    expect(rowOf(nb, 4)).toEqual({ index: [-1, -1], score: [0, 0] }); // no signal
    expect(rowsWithoutNeighbours(nb)).toBe(2);
    expect(neighbourCount(nb)).toBe(6);
  });

  test('k larger than the candidates pads with -1', () => {
    const nb = cosineTopKSync(m, 4, { tieKey: key });
    expect(rowOf(nb, 0).index).toEqual([1, 3, -1, -1]);
  });

  test('minScore drops weak pairs', () => {
    const nb = cosineTopKSync(m, 2, { tieKey: key, minScore: 0.7 });
    expect(rowOf(nb, 0).index).toEqual([1, -1]);
    expect(rowOf(nb, 3).index).toEqual([1, -1]);
  });
});

describe('ties break by ascending key', () => {
  // u0 = {a, b}; u1 = {a}; u2 = {b}; u3 = {a}: u0 is equally close (1/sqrt 2) to u1, u2 and u3.
  const m = csrOfRows(2, [{ 0: 1, 1: 1 }, { 0: 1 }, { 1: 1 }, { 0: 1 }]);

  test.each([
    [
      [50, 10, 40, 30],
      [1, 3],
    ],
    [
      [50, 40, 10, 30],
      [2, 3],
    ],
    [
      [50, 40, 30, 10],
      [3, 2],
    ],
  ])('keys %j -> top-2 of u0 is %j', async (keys, want) => {
    const tieKey = Int32Array.from(keys);
    expect(rowOf(cosineTopKSync(m, 2, { tieKey }), 0).index).toEqual(want);
    expect(rowOf(await cosineTopK(m, 2, { tieKey, threads: 2 }), 0).index).toEqual(want);
  });

  test('u1 and u3 are identical: score 1 with each other, and u0 next', () => {
    const nb = cosineTopKSync(m, 3, { tieKey: Int32Array.from([0, 1, 2, 3]) });
    expect(rowOf(nb, 1).index).toEqual([3, 0, -1]);
    expect(rowOf(nb, 1).score[0]).toBe(1);
  });
});

/** Dense reference: all pairs, float32 normalised rows, double dot, float32 rounding, full sort. */
function bruteForce(m: Csr, k: number, key: Float64Array): Neighbours {
  const n = l2NormalizeRows(m);
  const d = toDense(n);
  const index = new Int32Array(m.rows * k).fill(-1);
  const score = new Float32Array(m.rows * k);
  for (let i = 0; i < m.rows; i++) {
    const cand: Array<[number, number]> = [];
    for (let j = 0; j < m.rows; j++) {
      if (j === i) continue;
      let s = 0;
      for (let c = 0; c < m.cols; c++) s += d[i * m.cols + c]! * d[j * m.cols + c]!;
      const r = Math.fround(Math.min(1, s));
      if (r > 0) cand.push([j, r]);
    }
    cand.sort((a, b) => b[1] - a[1] || key[a[0]]! - key[b[0]]!);
    cand.slice(0, k).forEach(([j, s], q) => {
      index[i * k + q] = j;
      score[i * k + q] = s;
    });
  }
  return { rows: m.rows, k, index, score };
}

function randomSparse(seed: number, rows: number, cols: number, perRow: number, binary: boolean): Csr {
  const rand = seededRandom(seed);
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < rows; i++) {
    if (rand() < 0.1) continue; // some users with no signal
    const n = 1 + Math.floor(rand() * perRow);
    for (let q = 0; q < n; q++) {
      r.push(i);
      c.push(Math.floor(rand() * rand() * cols)); // skewed: low columns are popular
      v.push(binary ? 1 : 1 + Math.floor(rand() * 9));
    }
  }
  return csrFromTriples(rows, cols, Int32Array.from(r), Int32Array.from(c), Float32Array.from(v), 'max');
}

describe('equals a brute-force dense reference', () => {
  test.each([
    [1, false],
    [2, true],
    [3, false],
    [4, true],
  ])('seed %i (binary %s), threads 1 and 2 identical', async (seed, binary) => {
    // 300 rows over 40 columns: dense enough that some rows take the scan path, binary values give many ties.
    const m = randomSparse(seed, 300, 40, 6, binary);
    const rand = seededRandom(seed + 100);
    const key = Float64Array.from({ length: m.rows }, () => Math.floor(rand() * 1e6));
    const want = bruteForce(m, 7, key);
    const one = cosineTopKSync(m, 7, { tieKey: key });
    expect(Array.from(one.index)).toEqual(Array.from(want.index));
    expect(Array.from(one.score)).toEqual(Array.from(want.score));
    const two = await cosineTopK(m, 7, { tieKey: key, threads: 2, blockRows: 37 });
    expect(Array.from(two.index)).toEqual(Array.from(want.index));
    expect(Array.from(two.score)).toEqual(Array.from(want.score));
  });

  test('onProgress is told every block as it ends, the rows adding up to all the (query) rows', async () => {
    const m = randomSparse(5, 300, 40, 6, false);
    const key = Float64Array.from({ length: m.rows }, (_, i) => i);
    const told: number[] = [];
    const got = await cosineTopK(m, 7, { tieKey: key, threads: 2, blockRows: 37, onProgress: (n) => told.push(n) });
    expect(told.length).toBe(Math.ceil(300 / 37));
    expect(told.reduce((a, b) => a + b, 0)).toBe(300);
    expect(Array.from(got.index)).toEqual(Array.from(bruteForce(m, 7, key).index));
    const some: number[] = [];
    await cosineTopK(m, 7, {
      tieKey: key,
      threads: 2,
      queryRows: Int32Array.from([3, 9, 27]),
      onProgress: (n) => some.push(n),
    });
    expect(some.reduce((a, b) => a + b, 0)).toBe(3);
  });

  test('a wide sparse matrix (touched-list path)', () => {
    const m = randomSparse(9, 400, 3000, 8, false);
    const key = Float64Array.from({ length: m.rows }, (_, i) => i);
    const want = bruteForce(m, 5, key);
    const got = cosineTopKSync(m, 5, { tieKey: key });
    expect(Array.from(got.index)).toEqual(Array.from(want.index));
    expect(Array.from(got.score)).toEqual(Array.from(want.score));
  });
});

test('the touched-list and the full-scan paths of the kernel agree', () => {
  const m = l2NormalizeRows(randomSparse(5, 250, 30, 5, true));
  const t = transpose(m);
  const key = Float64Array.from({ length: m.rows }, (_, i) => (i * 7919) % 250);
  const run = (denseFactor: number) => {
    const outIndex = new Int32Array(m.rows * 6);
    const outScore = new Float32Array(m.rows * 6);
    cosineBlock({ m, t, k: 6, rowStart: 0, rowEnd: m.rows, tieKey: key, minScore: 0, outIndex, outScore, denseFactor });
    return [Array.from(outIndex), Array.from(outScore)];
  };
  expect(run(0)).toEqual(run(Infinity));
});

test('any tile of candidates gives the same lists and kept scores as one tile over all rows', () => {
  const m = l2NormalizeRows(randomSparse(11, 300, 40, 4, false));
  const t = transpose(m);
  const key = Float64Array.from({ length: m.rows }, (_, i) => (i * 7919) % 300);
  const floor = Float64Array.from({ length: m.rows }, (_, i) => (i % 5) / 10);
  const run = (tileRows: number) => {
    const outIndex = new Int32Array(m.rows * 5);
    const outScore = new Float32Array(m.rows * 5);
    const base = { m, t, k: 5, rowStart: 0, rowEnd: m.rows, tieKey: key, minScore: 0, outIndex, outScore };
    const kept = cosineBlock({ ...base, tileRows, denseFactor: Infinity, keep: { floor, slack: 0.05 } })!;
    // Kept pairs come in no set order within a row: compare each row's as a sorted list.
    const perRow: string[][] = [];
    let from = 0;
    for (const count of kept.counts) {
      const pairs = Array.from({ length: count }, (_, x) => `${kept.rows[from + x]}:${kept.scores[from + x]}`);
      perRow.push(pairs.sort());
      from += count;
    }
    return { index: Array.from(outIndex), score: Array.from(outScore), perRow };
  };
  const whole = run(m.rows);
  expect(whole.index.filter((j) => j >= 0).length).toBeGreaterThan(m.rows * 3);
  expect(whole.perRow.flat().length).toBeGreaterThan(0);
  for (const tileRows of [1, 7, 64, 299]) expect(run(tileRows)).toEqual(whole);
});

test('bad arguments say what arrived', async () => {
  const m = csrOfRows(1, [{ 0: 1 }]);
  expect(() => cosineTopKSync(m, 2, { tieKey: new Int32Array(3) })).toThrow(
    'expected 1 tie keys (one per row), but got 3',
  );
  await expect(cosineTopK(m, -1, { tieKey: new Int32Array(1), threads: 2 })).rejects.toThrow(
    'expected k to be a non-negative integer, but got -1',
  );
});

test('a prepared matrix searched again and again gives cosineTopK lists, on 1 or 2 threads, all rows or some', async () => {
  const m = randomSparse(13, 200, 40, 6, false);
  const key = Float64Array.from({ length: m.rows }, (_, i) => (i * 31) % 200);
  const prep = prepareCosine(m);
  const queryRows = Int32Array.from([5, 50, 199, 0]);
  const lists = (nb: Neighbours) => [Array.from(nb.index), Array.from(nb.score)];
  const all = lists(await cosineTopK(m, 4, { tieKey: key, threads: 2 }));
  const some = lists(await cosineTopK(m, 4, { tieKey: key, threads: 2, queryRows }));
  expect(all[0]!.filter((j) => j >= 0).length).toBeGreaterThan(m.rows * 2);
  for (const threads of [1, 2]) {
    expect(lists(await cosineTopKPrepared(prep, 4, { tieKey: key, threads }))).toEqual(all);
    expect(lists(await cosineTopKPrepared(prep, 4, { tieKey: key, threads, queryRows }))).toEqual(some);
  }
});
