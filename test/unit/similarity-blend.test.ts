// Blended neighbours: each candidate scored exactly in both spaces, whichever search found it.
import { blendNeighbours, blendPairs, rankBlendPairs } from '../../src/similarity/blend';
import type { DenseMatrix, Neighbours } from '../../src/similarity/types';
import { csrOfRows } from '../helpers/csr';

const listsOf = (k: number, rows: number[][]): Neighbours => {
  const index = new Int32Array(rows.length * k).fill(-1);
  rows.forEach((row, r) => row.forEach((o, j) => (index[r * k + j] = o)));
  return { rows: rows.length, k, index, score: new Float32Array(rows.length * k) };
};

const rowOf = (nb: Neighbours, r: number) => ({
  index: Array.from(nb.index.subarray(r * nb.k, (r + 1) * nb.k)),
  score: Array.from(nb.score.subarray(r * nb.k, (r + 1) * nb.k)),
});

// Dense: u0 (1, 0), u1 (1, 0), u2 (0.6, 0.8), u3 (0, 1), u4 zero. Sparse: u0 {0}, u1 {1}, u2 {0}, u3 {0, 1}, u4 {0}.
const dense: DenseMatrix = { rows: 5, cols: 2, data: Float32Array.from([1, 0, 2, 0, 0.6, 0.8, 0, 3, 0, 0]) };
const sparse = csrOfRows(2, [{ 0: 1 }, { 1: 1 }, { 0: 2 }, { 0: 1, 1: 1 }, { 0: 1 }]);
const key = Float64Array.from([10, 11, 12, 13, 14]);

describe('blendNeighbours', () => {
  test('scores are (dense cosine + w * sparse cosine) / (1 + w), best first, over the union of the candidates', () => {
    // User 0's candidates: u1 from the dense search, u2 and u3 from the sparse one, u4 from both.
    const a = listsOf(2, [[1, 4], [], [], [], []]);
    const b = listsOf(3, [[2, 3, 4], [], [], [], []]);
    const nb = blendNeighbours({ dense, sparse, weight: 0.5 }, [a, b], 4, key);
    const expected = [
      [2, (0.6 + 0.5 * 1) / 1.5],
      [1, (1 + 0.5 * 0) / 1.5],
      [4, (0 + 0.5 * 1) / 1.5],
      [3, (0 + 0.5 * Math.SQRT1_2) / 1.5],
    ];
    expect(rowOf(nb, 0).index).toEqual(expected.map(([o]) => o));
    rowOf(nb, 0).score.forEach((s, j) => expect(s).toBeCloseTo(expected[j]![1]!, 6));
    // Rows without candidates get none.
    expect(rowOf(nb, 1).index).toEqual([-1, -1, -1, -1]);
  });

  test('weight 0 is the dense cosine alone; non-positive scores and self are left out; ties by the key', () => {
    const a = listsOf(4, [[0, 3, 1, 2], [], [], [], []]);
    const nb = blendNeighbours({ dense, sparse, weight: 0 }, [a], 3, key);
    // u3 is orthogonal (0), u0 itself is skipped: u1 (1) and u2 (0.6) remain.
    expect(rowOf(nb, 0).index).toEqual([1, 2, -1]);
    expect(rowOf(nb, 0).score[0]).toBeCloseTo(1, 6);
    const tie = blendNeighbours({ dense, sparse, weight: 0 }, [listsOf(2, [[], [], [], [], [1, 0]])], 2, key);
    expect(rowOf(tie, 4).index).toEqual([-1, -1]); // u4 has a zero dense row: dense cosine 0, nothing positive
    const both = blendNeighbours({ dense, sparse, weight: 1 }, [listsOf(2, [[], [], [], [], [2, 0]])], 2, key);
    expect(rowOf(both, 4).index).toEqual([0, 2]); // both 0.5 by the sparse cosine: u0 (key 10) before u2 (key 12)
  });

  test('shrink weighs the sparse cosine by shared / (shared + shrink): two shared columns beat one at equal cosine', () => {
    // q {0, 1}; a {0} shares one column, b {0, 1, 2, 3} two: both at cosine 1/sqrt(2). Dense rows all zero.
    const flat: DenseMatrix = { rows: 3, cols: 2, data: new Float32Array(6) };
    const rows = csrOfRows(4, [{ 0: 1, 1: 1 }, { 0: 1 }, { 0: 1, 1: 1, 2: 1, 3: 1 }]);
    const lists = [listsOf(2, [[1, 2], [], []])];
    const keys = Float64Array.from([1, 2, 3]);
    const plain = blendNeighbours({ dense: flat, sparse: rows, weight: 1 }, lists, 2, keys);
    expect(rowOf(plain, 0).index).toEqual([1, 2]); // a tie, by the key
    const shrunk = blendNeighbours({ dense: flat, sparse: rows, weight: 1, shrink: 3 }, lists, 2, keys);
    expect(rowOf(shrunk, 0).index).toEqual([2, 1]);
    expect(rowOf(shrunk, 0).score).toEqual([(Math.SQRT1_2 * 2) / 5 / 2, (Math.SQRT1_2 * 1) / 4 / 2].map(Math.fround));
    expect(() => blendNeighbours({ dense: flat, sparse: rows, weight: 1, shrink: -1 }, lists, 2, keys)).toThrow(
      /shrink >= 0/,
    );
  });

  test('a candidate found twice counts once; bad input is refused with what was expected', () => {
    const twice = listsOf(2, [[1, 2], [], [], [], []]);
    const nb = blendNeighbours({ dense, sparse, weight: 1 }, [twice, twice], 3, key);
    expect(rowOf(nb, 0).index).toEqual([2, 1, -1]);
    expect(() => blendNeighbours({ dense, sparse, weight: -1 }, [twice], 2, key)).toThrow(/blend weights >= 0/);
    expect(() => blendNeighbours({ dense, sparse, weight: 1 }, [listsOf(2, [[1]])], 2, key)).toThrow(
      /candidate lists of 5 rows/,
    );
  });

  test('on random rows, equals scoring every candidate by the formula and sorting them all (shrink 0 and 2)', () => {
    let state = 12345;
    const rand = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const rows = 60;
    const f = 5;
    const cols = 12;
    const denseR: DenseMatrix = { rows, cols: f, data: Float32Array.from({ length: rows * f }, () => rand() - 0.3) };
    // A few zero rows in each space, and columns held by many rows (many ties in the sparse cosine).
    for (const r of [3, 17]) denseR.data.fill(0, r * f, (r + 1) * f);
    const sparseR = csrOfRows(
      cols,
      Array.from({ length: rows }, (_, r) => {
        const row: Record<number, number> = {};
        if (r % 11 !== 5)
          for (let i = 0; i < 4; i++) row[Math.floor(rand() * rand() * cols)] = 1 + Math.floor(rand() * 3);
        return row;
      }),
    );
    const lists = [8, 6].map((k) =>
      listsOf(
        k,
        Array.from({ length: rows }, () => Array.from({ length: k }, () => Math.floor(rand() * rows))),
      ),
    );
    const keys = Float64Array.from({ length: rows }, (_, r) => (r * 37) % 101);
    const weights = Float64Array.from({ length: rows }, () => rand() * 2);
    const norm = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0));

    const sparseRowOf = (sparseX: typeof sparseR, r: number) => {
      const m = new Map<number, number>();
      for (let p = sparseX.indptr[r]!; p < sparseX.indptr[r + 1]!; p++) m.set(sparseX.indices[p]!, sparseX.data[p]!);
      return m;
    };
    // Also with no dense signal and binary sparse rows: many equal scores, ordered by the key at the k-th place.
    const flat: DenseMatrix = { rows, cols: f, data: new Float32Array(rows * f) };
    const binary = { ...sparseR, data: new Float32Array(sparseR.data.length).fill(1) };
    for (const [denseX, sparseX, shrink] of [
      [denseR, sparseR, 0],
      [denseR, sparseR, 2],
      [flat, binary, 0],
    ] as const) {
      const nb = blendNeighbours({ dense: denseX, sparse: sparseX, weight: weights, shrink }, lists, 5, keys);
      // Scored once and ranked again (as a fit does for each weight), or ranked block by block: the same lists.
      const pairs = blendPairs(denseX, sparseX, lists);
      expect(
        blendNeighbours({ dense: denseX, sparse: sparseX, weight: weights, shrink }, lists, 5, keys, pairs),
      ).toEqual(nb);
      const blocks: Neighbours = {
        rows,
        k: 5,
        index: new Int32Array(rows * 5).fill(-1),
        score: new Float32Array(rows * 5),
      };
      for (const [start, end] of [
        [0, 23],
        [23, 24],
        [24, rows],
      ] as const) {
        rankBlendPairs(blendPairs(denseX, sparseX, lists, start, end), weights, shrink, keys, blocks);
      }
      expect(blocks).toEqual(nb);
      for (let r = 0; r < rows; r++) {
        const candidates = [...new Set(lists.flatMap((l) => Array.from(l.index.subarray(r * l.k, (r + 1) * l.k))))];
        const scored = candidates
          .filter((o) => o !== r)
          .map((o) => {
            const [a, b] = [r, o].map((u) => Array.from(denseX.data.subarray(u * f, (u + 1) * f))) as [
              number[],
              number[],
            ];
            const dn = norm(a) * norm(b);
            const d = dn > 0 ? a.reduce((s, x, c) => s + x * b[c]!, 0) / dn : 0;
            const [x, y] = [sparseRowOf(sparseX, r), sparseRowOf(sparseX, o)];
            const sn = norm([...x.values()]) * norm([...y.values()]);
            const shared = [...x.keys()].filter((c) => y.has(c)).sort((p, q) => p - q);
            const dot = shared.reduce((s, c) => s + x.get(c)! * y.get(c)!, 0);
            const s = sn > 0 ? (shrink > 0 ? (dot * shared.length) / (shared.length + shrink) : dot) / sn : 0;
            return { o, s: Math.fround((d + weights[r]! * s) / (1 + weights[r]!)) };
          })
          .filter((c) => c.s > 0)
          .sort((p, q) => q.s - p.s || keys[p.o]! - keys[q.o]!)
          .slice(0, 5);
        const want = {
          index: [...scored.map((c) => c.o), ...Array<number>(5 - scored.length).fill(-1)],
          score: [...scored.map((c) => c.s), ...Array<number>(5 - scored.length).fill(0)],
        };
        expect(rowOf(nb, r)).toEqual(want);
      }
    }
  });
});
