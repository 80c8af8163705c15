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
  return tfidfWith(m, idf(m), opts);
}

/** TF-IDF with given idf per column (e.g. frozen with a model version), as tfidf. */
export function tfidfWith(m: Csr, w: ArrayLike<number>, opts: { sublinearTf?: boolean } = {}): Csr {
  if (w.length !== m.cols) throw new RangeError(`expected ${m.cols} idf values, but got ${w.length}`);
  const sublinear = opts.sublinearTf === true;
  return mapValues(m, (v, _r, c) => (sublinear && v > 0 ? 1 + Math.log(v) : v) * w[c]!);
}

/** What BM25 takes from a whole matrix: the idf of every column and the mean row length, with k1 and b. */
export interface Bm25Stats {
  k1: number;
  b: number;
  idf: Float64Array;
  avgLen: number;
}

/** BM25's idf for a column held by df of n rows (Lucene's form, always positive). */
export function bm25Idf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/**
 * Okapi BM25 weights with rows as documents and columns as terms:
 *   w(r, c) = idf(c) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(r) / avgLen)),
 *   idf(c) = ln(1 + (n - df(c) + 0.5) / (df(c) + 0.5))   (Lucene's form, always positive),
 * where tf is the stored value, len(r) the sum of row r's values and avgLen the mean of len over non-empty rows.
 * k1 bounds how much repetition counts (saturation); b sets how much long rows are damped.
 */
export function bm25(m: Csr, opts: { k1?: number; b?: number } = {}): Csr {
  return bm25With(m, bm25Stats(m, opts));
}

/** The column idf and mean row length BM25 takes from m (see bm25). */
export function bm25Stats(m: Csr, opts: { k1?: number; b?: number } = {}): Bm25Stats {
  const k1 = opts.k1 ?? 1.2;
  const b = opts.b ?? 0.75;
  if (!(k1 >= 0) || !(b >= 0 && b <= 1)) throw new RangeError(`expected k1 >= 0 and 0 <= b <= 1, but got ${k1}, ${b}`);
  const df = documentFrequency(m);
  const termIdf = new Float64Array(m.cols);
  for (let c = 0; c < m.cols; c++) termIdf[c] = bm25Idf(m.rows, df[c]!);
  const len = rowSums(m);
  let total = 0;
  let docs = 0;
  for (let r = 0; r < m.rows; r++) {
    if (m.indptr[r + 1]! > m.indptr[r]!) {
      total += len[r]!;
      docs++;
    }
  }
  return { k1, b, idf: termIdf, avgLen: docs > 0 && total > 0 ? total / docs : 1 };
}

/** BM25 weights with given statistics (e.g. frozen with a model version); row lengths are m's own. */
export function bm25With(m: Csr, st: Bm25Stats): Csr {
  if (st.idf.length !== m.cols) throw new RangeError(`expected ${m.cols} idf values, but got ${st.idf.length}`);
  const len = rowSums(m);
  return mapValues(m, (tf, r, c) => {
    if (tf === 0) return 0;
    const norm = st.k1 * (1 - st.b + (st.b * len[r]!) / st.avgLen);
    return (st.idf[c]! * tf * (st.k1 + 1)) / (tf + norm);
  });
}

function rowSums(m: Csr): Float64Array {
  const len = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let p = m.indptr[r]!, end = m.indptr[r + 1]!; p < end; p++) s += m.data[p]!;
    len[r] = s;
  }
  return len;
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
  return divideByColumnMax(m, columnMax(m));
}

/** The largest value of every column (-Infinity for an empty column). */
export function columnMax(m: Csr): Float64Array {
  const max = new Float64Array(m.cols).fill(-Infinity);
  for (let p = 0, end = nnz(m); p < end; p++) {
    const c = m.indices[p]!;
    if (m.data[p]! > max[c]!) max[c] = m.data[p]!;
  }
  return max;
}

/** Every value divided by the given maximum of its column (left as is where that maximum is <= 0). */
export function divideByColumnMax(m: Csr, max: ArrayLike<number>): Csr {
  if (max.length !== m.cols) throw new RangeError(`expected ${m.cols} column maxima, but got ${max.length}`);
  return mapValues(m, (v, _r, c) => (max[c]! > 0 ? v / max[c]! : v));
}
