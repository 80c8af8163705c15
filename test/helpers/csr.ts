// Small sparse matrices for unit tests, written row by row as {column: value}.
import { csrFromTriples } from '../../src/similarity/csr';
import type { Csr } from '../../src/similarity/types';

/** A rows.length x cols matrix with row i's entries from rows[i] (duplicates summed). */
export function csrOfRows(cols: number, rows: ReadonlyArray<Record<number, number>>): Csr {
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  rows.forEach((row, i) =>
    Object.entries(row).forEach(([col, val]) => {
      r.push(i);
      c.push(Number(col));
      v.push(val);
    }),
  );
  return csrFromTriples(rows.length, cols, Int32Array.from(r), Int32Array.from(c), Float32Array.from(v), 'sum');
}
