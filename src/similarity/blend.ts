// Blending two similarities into one neighbour list: dense factors (ALS) and a sparse signal (interests), each
// scored exactly on the union of the candidates both searches found.
import type { Csr, DenseMatrix, Neighbours } from './types';

/**
 * How much a user's interests count in their blended scores: `blend` / (1 + the courses they viewed). Interests
 * speak for users little else is known of (on the real behaviour structure they help users with 2-4 courses and
 * not those with more; docs/DESIGN.md), and a user with no views is placed by interests alone.
 */
export function blendWeight(blend: number, viewedCourses: number): number {
  return blend / (1 + viewedCourses);
}

/** The two spaces a blend scores in, and how much the second counts. */
export interface BlendInput {
  /** Dense rows (e.g. centred ALS user factors); compared by cosine. */
  dense: DenseMatrix;
  /** Sparse rows with the same row order (e.g. TF-IDF interests); compared by cosine. */
  sparse: Csr;
  /**
   * Weight of the sparse cosine in row r's scores: (dense cosine + w[r] * sparse cosine) / (1 + w[r]); one number
   * for every row, or one per row.
   */
  weight: number | Float64Array;
  /**
   * Significance weighting of the sparse cosine: times shared / (shared + shrink), with shared the count of columns
   * both rows hold. A neighbour who shares one tag of ten is weaker evidence than one who shares seven at the same
   * cosine. 0 (the default): the plain cosine.
   */
  shrink?: number;
}

function denseNorms(m: DenseMatrix): Float64Array {
  const norms = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let j = r * m.cols; j < (r + 1) * m.cols; j++) s += m.data[j]! * m.data[j]!;
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

function sparseNorms(m: Csr): Float64Array {
  const norms = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) s += m.data[p]! * m.data[p]!;
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

/** Dot product of sparse rows a and b (column indices ascending within a row), shrunk by shared / (shared + shrink). */
function sparseDot(m: Csr, a: number, b: number, shrink: number): number {
  let p = m.indptr[a]!;
  let q = m.indptr[b]!;
  const pe = m.indptr[a + 1]!;
  const qe = m.indptr[b + 1]!;
  let s = 0;
  let shared = 0;
  while (p < pe && q < qe) {
    const ca = m.indices[p]!;
    const cb = m.indices[q]!;
    if (ca === cb) {
      s += m.data[p++]! * m.data[q++]!;
      shared++;
    } else if (ca < cb) p++;
    else q++;
  }
  return shrink > 0 ? (s * shared) / (shared + shrink) : s;
}

/**
 * The k best neighbours of each row by the blended score, among the candidates `lists` hold for it (each list:
 * one search's top neighbours, in either space). Every candidate is scored exactly in both spaces (a zero row
 * scores 0 there), so a row's scores do not depend on which search found the candidate, only whether one did.
 * Output contract as the searches': scores descend (rounded to float32), ties by ascending tieKey, only scores
 * above 0, no self-neighbours, -1 after the last. Rows without candidates get none.
 */
export function blendNeighbours(
  input: BlendInput,
  lists: readonly Neighbours[],
  k: number,
  tieKey: ArrayLike<number>,
): Neighbours {
  const { dense, sparse, weight } = input;
  const shrink = input.shrink ?? 0;
  if (!(shrink >= 0) || !Number.isFinite(shrink)) throw new RangeError(`expected shrink >= 0, got ${shrink}`);
  const rows = dense.rows;
  const weightOf = typeof weight === 'number' ? () => weight : (r: number) => weight[r]!;
  if (typeof weight !== 'number' && weight.length !== rows) {
    throw new RangeError(`expected ${rows} blend weights (one per row), got ${weight.length}`);
  }
  for (const w of typeof weight === 'number' ? [weight] : weight) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`expected blend weights >= 0, got ${w}`);
  }
  if (sparse.rows !== rows)
    throw new RangeError(`expected ${rows} sparse rows (one per dense row), got ${sparse.rows}`);
  for (const l of lists) {
    if (l.rows !== rows) throw new RangeError(`expected candidate lists of ${rows} rows, got ${l.rows}`);
  }
  const dn = denseNorms(dense);
  const sn = sparseNorms(sparse);
  const f = dense.cols;
  const index = new Int32Array(rows * k).fill(-1);
  const score = new Float32Array(rows * k);
  const seen = new Set<number>();
  const found: Array<{ o: number; s: number }> = [];
  for (let r = 0; r < rows; r++) {
    const w = weightOf(r);
    seen.clear();
    found.length = 0;
    for (const l of lists) {
      for (let j = 0; j < l.k; j++) {
        const o = l.index[r * l.k + j]!;
        if (o < 0) break;
        if (o === r || seen.has(o)) continue;
        seen.add(o);
        let d = 0;
        if (dn[r]! > 0 && dn[o]! > 0) {
          for (let c = 0; c < f; c++) d += dense.data[r * f + c]! * dense.data[o * f + c]!;
          d /= dn[r]! * dn[o]!;
        }
        const s = sn[r]! > 0 && sn[o]! > 0 ? sparseDot(sparse, r, o, shrink) / (sn[r]! * sn[o]!) : 0;
        const blended = Math.fround((d + w * s) / (1 + w));
        if (blended > 0) found.push({ o, s: blended });
      }
    }
    found.sort((a, b) => b.s - a.s || tieKey[a.o]! - tieKey[b.o]!);
    const n = Math.min(k, found.length);
    for (let j = 0; j < n; j++) {
      index[r * k + j] = found[j]!.o;
      score[r * k + j] = found[j]!.s;
    }
  }
  return { rows, k, index, score };
}
