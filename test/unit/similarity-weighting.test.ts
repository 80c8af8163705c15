import { csrFromTriples, toDense } from '../../src/similarity/csr';
import { bm25, idf, log1pValues, normalizeColumnsByMax, tfidf } from '../../src/similarity/weighting';

// 3 rows (documents) x 3 columns (terms): r0 = {c0: 1, c1: 2}, r1 = {c0: 1}, r2 = {c2: 4}; df = [2, 1, 1].
const m = csrFromTriples(
  3,
  3,
  Int32Array.from([0, 0, 1, 2]),
  Int32Array.from([0, 1, 0, 2]),
  Float32Array.from([1, 2, 1, 4]),
  'sum',
);

const close = (got: ArrayLike<number>, want: number[]) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 5));
};

test('smooth idf: ln((1 + n) / (1 + df)) + 1', () => {
  // ln(4/3) + 1, ln(4/2) + 1, ln(4/2) + 1
  close(idf(m), [1.2876821, 1.6931472, 1.6931472]);
});

test('tf-idf multiplies the raw count by idf', () => {
  close(toDense(tfidf(m)), [1.2876821, 3.3862944, 0, 1.2876821, 0, 0, 0, 0, 6.7725887]);
});

test('sublinear tf-idf uses 1 + ln(tf)', () => {
  // (1 + ln 2) * 1.6931472 and (1 + ln 4) * 1.6931472
  close(toDense(tfidf(m, { sublinearTf: true })), [1.2876821, 2.8667474, 0, 1.2876821, 0, 0, 0, 0, 4.0403476]);
});

test('BM25 with k1 = 1.2, b = 0.75 on row lengths 3, 1, 4 (average 8/3)', () => {
  // idf = ln(1 + (n - df + 0.5) / (df + 0.5)): ln 1.6 for c0, ln(8/3) for c1 and c2.
  // r0c0 = 0.4700036 * 1 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 3 / (8/3))) = 0.4471386, and so on.
  close(toDense(bm25(m)), [0.4471386, 1.3028373, 0, 0.6314553, 0, 0, 0, 0, 1.5276633]);
});

test('BM25 with b = 0 ignores length, and rejects a b outside [0, 1]', () => {
  const w = toDense(bm25(m, { k1: 1.2, b: 0 }));
  // both c0 entries have tf 1, so with no length damping they weigh the same
  expect(w[0]).toBeCloseTo(w[3]!, 6);
  expect(() => bm25(m, { b: 2 })).toThrow('expected k1 >= 0 and 0 <= b <= 1, but got 1.2, 2');
});

test('log1p and per-column max normalisation', () => {
  close(log1pValues(m).data, [Math.log(2), Math.log(3), Math.log(2), Math.log(5)]);
  const scores = csrFromTriples(
    3,
    2,
    Int32Array.from([0, 1, 2, 2]),
    Int32Array.from([0, 0, 0, 1]),
    Float32Array.from([50, 100, 75, 20]),
    'max',
  );
  close(toDense(normalizeColumnsByMax(scores)), [0.5, 0, 1, 0, 0.75, 1]);
});
