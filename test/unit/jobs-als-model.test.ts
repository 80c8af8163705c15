// The latent-factor model's neighbour space: centred factors, so what all users share does not make them alike.
import { centreRows } from '../../src/jobs/als-model';
import { csrFromTriples } from '../../src/similarity/csr';
import type { DenseMatrix } from '../../src/similarity/types';

/** Input rows: users 0..3 have one item each, user 4 has none. */
const input = csrFromTriples(
  5,
  3,
  Int32Array.from([0, 1, 2, 3]),
  Int32Array.from([0, 0, 1, 1]),
  Float32Array.from([1, 1, 1, 1]),
  'sum',
);

function cosine(m: DenseMatrix, a: number, b: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < m.cols; j++) {
    const x = m.data[a * m.cols + j]!;
    const y = m.data[b * m.cols + j]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

describe('centreRows', () => {
  it('removes the mean row of users with input, leaves rows without input at zero, and separates tastes', () => {
    // Two tastes (0,1 and 2,3) on top of a large shared direction (the first factor).
    const users: DenseMatrix = {
      rows: 5,
      cols: 3,
      data: Float32Array.from([10, 1, 0, 10, 0.9, 0.1, 10, 0, 1, 10, 0.1, 0.9, 0, 0, 0]),
    };
    expect(cosine(users, 0, 2)).toBeGreaterThan(0.98); // raw factors: everyone alike
    centreRows(users, input);
    for (let j = 0; j < 3; j++) {
      let sum = 0;
      for (let r = 0; r < 4; r++) sum += users.data[r * 3 + j]!;
      expect(Math.abs(sum)).toBeLessThan(1e-5);
    }
    expect(Array.from(users.data.subarray(12))).toEqual([0, 0, 0]);
    expect(cosine(users, 0, 1)).toBeGreaterThan(0.9);
    expect(cosine(users, 0, 2)).toBeLessThan(-0.9);
  });

  it('leaves a matrix without any input unchanged', () => {
    const users: DenseMatrix = { rows: 2, cols: 2, data: Float32Array.from([0, 0, 0, 0]) };
    centreRows(users, csrFromTriples(2, 2, new Int32Array(0), new Int32Array(0), new Float32Array(0), 'sum'));
    expect(Array.from(users.data)).toEqual([0, 0, 0, 0]);
  });
});
