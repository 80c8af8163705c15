import {
  csrFromTriples,
  hstack,
  l2NormalizeRows,
  multiply,
  nnz,
  nonEmptyRows,
  rowNorms,
  scaleColumns,
  toDense,
  transpose,
} from '../../src/similarity/csr';
import type { Csr } from '../../src/similarity/types';

const triples = (rows: number, cols: number, t: Array<[number, number, number]>, combine: 'sum' | 'max' = 'sum'): Csr =>
  csrFromTriples(
    rows,
    cols,
    Int32Array.from(t.map((x) => x[0])),
    Int32Array.from(t.map((x) => x[1])),
    Float32Array.from(t.map((x) => x[2])),
    combine,
  );

describe('csrFromTriples', () => {
  test('sorts columns within rows and sums duplicates', () => {
    const m = triples(3, 4, [
      [2, 3, 1],
      [0, 2, 5],
      [0, 0, 1],
      [2, 3, 2],
      [0, 2, 1],
    ]);
    expect(Array.from(m.indptr)).toEqual([0, 2, 2, 3]);
    expect(Array.from(m.indices)).toEqual([0, 2, 3]);
    expect(Array.from(m.data)).toEqual([1, 6, 3]);
  });

  test('max keeps the largest duplicate', () => {
    const m = triples(
      1,
      2,
      [
        [0, 1, 2],
        [0, 1, 7],
        [0, 1, 3],
      ],
      'max',
    );
    expect(Array.from(m.indices)).toEqual([1]);
    expect(Array.from(m.data)).toEqual([7]);
  });

  test('rows given in column order and rows in any order give what sorting every triple gives', () => {
    let state = 17;
    const rand = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const rows = 40;
    const cols = 12;
    const inOrder: Array<[number, number, number]> = [];
    const anyOrder: Array<[number, number, number]> = [];
    for (let r = 0; r < rows; r++) {
      // Even rows come in column order (duplicates adjacent), odd rows in any order, both with duplicates; every
      // fifth row is long (past the 32 entries that are sorted by insertion).
      const length = r % 5 === 0 ? 33 + Math.floor(rand() * 40) : Math.floor(rand() * 9);
      const row = Array.from({ length }, () => [r, Math.floor(rand() * cols), rand()] as const);
      if (r % 2 === 0) inOrder.push(...row.sort((a, b) => a[1] - b[1]).map((t) => [...t] as [number, number, number]));
      else anyOrder.push(...row.map((t) => [...t] as [number, number, number]));
    }
    // As a loader pushes them: the stored rows (in column order), then the rows read from the graph, shuffled.
    const list = [...inOrder, ...anyOrder.sort(() => rand() - 0.5)];
    for (const combine of ['sum', 'max'] as const) {
      const m = triples(rows, cols, list, combine);
      const want = new Map<string, number>();
      for (const [r, c, v] of list) {
        const key = `${r},${c}`;
        const was = want.get(key);
        const f = Math.fround(v);
        want.set(key, was === undefined ? f : Math.fround(combine === 'sum' ? was + f : Math.max(was, f)));
      }
      const keys = [...want.keys()].sort((a, b) => {
        const [ra, ca] = a.split(',').map(Number) as [number, number];
        const [rb, cb] = b.split(',').map(Number) as [number, number];
        return ra - rb || ca - cb;
      });
      const got: string[] = [];
      for (let r = 0; r < rows; r++)
        for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) got.push(`${r},${m.indices[p]!}`);
      expect(got).toEqual(keys);
      expect(Array.from(m.data)).toEqual(keys.map((k) => want.get(k)));
    }
  });

  test('rejects triples outside the shape, naming what arrived', () => {
    expect(() => triples(2, 2, [[2, 0, 1]])).toThrow('expected triple 0 inside 2 x 2, but got (2, 0)');
    expect(() => csrFromTriples(1, 1, new Int32Array(1), new Int32Array(0), new Float32Array(1), 'sum')).toThrow(
      'expected rowIdx, colIdx and values of one length, but got 1, 0, 1',
    );
  });
});

describe('transpose, norms, scaling, stacking', () => {
  const m = triples(3, 3, [
    [0, 0, 3],
    [0, 1, 4],
    [2, 0, 1],
    [2, 2, 2],
  ]);

  test('transpose moves (r, c) to (c, r) with ascending columns, and twice is the identity', () => {
    const t = transpose(m);
    expect(t.rows).toBe(3);
    expect(Array.from(toDense(t))).toEqual([3, 0, 1, 4, 0, 0, 0, 0, 2]);
    expect(Array.from(transpose(t).indices)).toEqual(Array.from(m.indices));
    expect(Array.from(t.indices)).toEqual([0, 2, 0, 2]);
  });

  test('transpose can write into given arrays, and says when their lengths are wrong', () => {
    const into = { indptr: new Int32Array(4), indices: new Int32Array(4), data: new Float32Array(4) };
    const t = transpose(m, into);
    expect(t.indices).toBe(into.indices);
    expect(Array.from(toDense(t))).toEqual([3, 0, 1, 4, 0, 0, 0, 0, 2]);
    expect(() => transpose(m, { ...into, data: new Float32Array(3) })).toThrow(
      'expected output arrays of lengths 4, 4, 4, but got 4, 4, 3',
    );
  });

  test('row norms and L2 normalisation leave empty rows empty', () => {
    expect(Array.from(rowNorms(m))).toEqual([5, 0, Math.sqrt(5)]);
    const n = l2NormalizeRows(m);
    expect(n.data[0]).toBeCloseTo(0.6, 6);
    expect(n.data[1]).toBeCloseTo(0.8, 6);
    expect(n.data[2]).toBeCloseTo(1 / Math.sqrt(5), 6);
    expect(nonEmptyRows(n)).toBe(2);
    expect(m.data[0]).toBe(3); // input untouched
  });

  test('scaleColumns multiplies each column by its weight', () => {
    const s = scaleColumns(m, Float32Array.from([2, 0.5, 10]));
    expect(Array.from(toDense(s))).toEqual([6, 2, 0, 0, 0, 0, 2, 0, 20]);
    expect(() => scaleColumns(m, new Float32Array(2))).toThrow('expected 3 column weights, but got 2');
  });

  test('hstack offsets the columns of each part', () => {
    const b = triples(3, 2, [[1, 1, 9]]);
    const h = hstack([m, b]);
    expect(h.cols).toBe(5);
    expect(nnz(h)).toBe(5);
    expect(Array.from(toDense(h))).toEqual([3, 4, 0, 0, 0, 0, 0, 0, 0, 9, 1, 0, 2, 0, 0]);
    expect(() => hstack([m, triples(2, 1, [])])).toThrow('expected 3 rows in every part, but part 1 has 2');
  });
});

describe('multiply', () => {
  test('user x course times course x tag equals the dense product', () => {
    // 2 users, 3 courses, 2 tags
    const views = triples(2, 3, [
      [0, 0, 2],
      [0, 2, 1],
      [1, 1, 3],
    ]);
    const tags = triples(3, 2, [
      [0, 0, 1],
      [1, 0, 1],
      [1, 1, 1],
      [2, 1, 4],
    ]);
    const p = multiply(views, tags);
    expect(Array.from(toDense(p))).toEqual([2, 4, 3, 3]);
    expect(Array.from(p.indices)).toEqual([0, 1, 0, 1]);
  });

  test('matches a dense product on a random matrix', () => {
    let s = 7;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const make = (rows: number, cols: number, n: number) =>
      triples(
        rows,
        cols,
        Array.from({ length: n }, () => [
          Math.floor(rnd() * rows),
          Math.floor(rnd() * cols),
          Math.floor(rnd() * 5) + 1,
        ]),
      );
    const a = make(20, 15, 60);
    const b = make(15, 10, 40);
    const da = toDense(a);
    const db = toDense(b);
    const want = new Float64Array(20 * 10);
    for (let i = 0; i < 20; i++)
      for (let k = 0; k < 15; k++) for (let j = 0; j < 10; j++) want[i * 10 + j]! += da[i * 15 + k]! * db[k * 10 + j]!;
    expect(Array.from(toDense(multiply(a, b)))).toEqual(Array.from(want));
    expect(() => multiply(a, a)).toThrow('expected a.cols === b.rows, but got 15 and 20');
  });
});
