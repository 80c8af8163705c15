// Term weighting on rows-as-documents matrices (user x tag, user x course): IDF, TF-IDF, BM25 and simple rescalings.
import { mapValues, nnz } from './csr';
import type { Csr } from './types';

/** Document frequency of every column: the number of rows holding a non-zero value in it. */
export function documentFrequency(m: Csr): Int32Array {
  const df = new Int32Array(m.cols);
  for (let p = 0, end = nnz(m); p < end; p++) if (m.data[p] !== 0) df[m.indices[p]!]!++;
  return df;
}

/**
 * Smooth inverse document frequency of every column, as scikit-learn's TfidfTransformer(smooth_idf=True):
 * idf(c) = ln((1 + n) / (1 + df(c))) + 1, with n the number of rows and df(c) the rows with a non-zero in c.
 * It is 1 for a column present in every row and grows for rare columns; never zero, never infinite.
 */
export function idf(m: Csr): Float32Array {
  const df = documentFrequency(m);
  const out = new Float32Array(m.cols);
  for (let c = 0; c < m.cols; c++) out[c] = Math.log((1 + m.rows) / (1 + df[c]!)) + 1;
  return out;
}

/**
 * TF-IDF weights: tf(r, c) * idf(c) with the smooth idf above, where tf is the stored value, or
 * 1 + ln(value) for positive values when sublinearTf is set (damps heavy repetition). Rows are not
 * normalised here: cosine normalises them.
 */
export function tfidf(m: Csr, opts: { sublinearTf?: boolean } = {}): Csr {
  const w = idf(m);
  const sublinear = opts.sublinearTf === true;
  return mapValues(m, (v, _r, c) => (sublinear && v > 0 ? 1 + Math.log(v) : v) * w[c]!);
}

/**
 * Okapi BM25 weights with rows as documents and columns as terms:
 *   w(r, c) = idf(c) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(r) / avgLen)),
 *   idf(c) = ln(1 + (n - df(c) + 0.5) / (df(c) + 0.5))   (Lucene's form, always positive),
 * where tf is the stored value, len(r) the sum of row r's values and avgLen the mean of len over non-empty rows.
 * k1 bounds how much repetition counts (saturation); b sets how much long rows are damped.
 */
export function bm25(m: Csr, opts: { k1?: number; b?: number } = {}): Csr {
  const k1 = opts.k1 ?? 1.2;
  const b = opts.b ?? 0.75;
  if (!(k1 >= 0) || !(b >= 0 && b <= 1)) throw new RangeError(`expected k1 >= 0 and 0 <= b <= 1, but got ${k1}, ${b}`);
  const df = documentFrequency(m);
  const termIdf = new Float64Array(m.cols);
  for (let c = 0; c < m.cols; c++) termIdf[c] = Math.log(1 + (m.rows - df[c]! + 0.5) / (df[c]! + 0.5));
  const len = new Float64Array(m.rows);
  let total = 0;
  let docs = 0;
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let p = m.indptr[r]!, end = m.indptr[r + 1]!; p < end; p++) s += m.data[p]!;
    len[r] = s;
    if (m.indptr[r + 1]! > m.indptr[r]!) {
      total += s;
      docs++;
    }
  }
  const avgLen = docs > 0 && total > 0 ? total / docs : 1;
  return mapValues(m, (tf, r, c) => {
    if (tf === 0) return 0;
    const norm = k1 * (1 - b + (b * len[r]!) / avgLen);
    return (termIdf[c]! * tf * (k1 + 1)) / (tf + norm);
  });
}

/** ln(1 + v) of every stored value (e.g. view seconds, so that one long binge does not dominate). */
export function log1pValues(m: Csr): Csr {
  return mapValues(m, (v) => Math.log1p(v));
}

/**
 * Every value divided by its column's largest value (e.g. an assessment score relative to the best score on
 * that tag), so each column lies in [0, 1] for non-negative data. Columns whose maximum is <= 0 are left as is.
 */
export function normalizeColumnsByMax(m: Csr): Csr {
  const max = new Float64Array(m.cols).fill(-Infinity);
  for (let p = 0, end = nnz(m); p < end; p++) {
    const c = m.indices[p]!;
    if (m.data[p]! > max[c]!) max[c] = m.data[p]!;
  }
  return mapValues(m, (v, _r, c) => (max[c]! > 0 ? v / max[c]! : v));
}
