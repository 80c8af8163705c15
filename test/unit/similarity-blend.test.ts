// Blended neighbours: each candidate scored exactly in both spaces, whichever search found it.
import { blendNeighbours } from '../../src/similarity/blend';
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
});
