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
  // seenBy[o] === r: o was already scored for row r (a candidate found by both searches counts once).
  const seenBy = new Int32Array(rows).fill(-1);
  // Row r's sparse row scattered by column (colOf[c] === r: column c's value for row r is in valueOf[c]), so a
  // candidate's sparse dot is one pass over its own row. Products are summed in ascending column order, as a merge
  // of the two rows would.
  const colOf = new Int32Array(sparse.cols).fill(-1);
  const valueOf = new Float64Array(sparse.cols);
  // The row's best k so far, best first (score descending, then tieKey ascending).
  const bestO = new Int32Array(k);
  const bestS = new Float64Array(k);
  const { indptr, indices, data } = sparse;
  for (let r = 0; r < rows; r++) {
    const w = weightOf(r);
    let n = 0;
    const dr = dn[r]!;
    const sr = sn[r]!;
    if (sr > 0) {
      for (let p = indptr[r]!; p < indptr[r + 1]!; p++) {
        colOf[indices[p]!] = r;
        valueOf[indices[p]!] = data[p]!;
      }
    }
    for (const l of lists) {
      for (let j = 0; j < l.k; j++) {
        const o = l.index[r * l.k + j]!;
        if (o < 0) break;
        if (o === r || seenBy[o] === r) continue;
        seenBy[o] = r;
        let d = 0;
        if (dr > 0 && dn[o]! > 0) {
          for (let c = 0; c < f; c++) d += dense.data[r * f + c]! * dense.data[o * f + c]!;
          d /= dr * dn[o]!;
        }
        let s = 0;
        if (sr > 0 && sn[o]! > 0) {
          let dot = 0;
          let shared = 0;
          for (let q = indptr[o]!; q < indptr[o + 1]!; q++) {
            const c = indices[q]!;
            if (colOf[c] === r) {
              dot += valueOf[c]! * data[q]!;
              shared++;
            }
          }
          s = (shrink > 0 ? (dot * shared) / (shared + shrink) : dot) / (sr * sn[o]!);
        }
        const blended = Math.fround((d + w * s) / (1 + w));
        if (!(blended > 0)) continue;
        // Insert into the row's top k unless it ranks below a full list's last.
        if (n === k && (blended < bestS[k - 1]! || (blended === bestS[k - 1]! && tieKey[o]! > tieKey[bestO[k - 1]!]!)))
          continue;
        let at = n < k ? n++ : k - 1;
        while (
          at > 0 &&
          (bestS[at - 1]! < blended || (bestS[at - 1]! === blended && tieKey[bestO[at - 1]!]! > tieKey[o]!))
        ) {
          bestO[at] = bestO[at - 1]!;
          bestS[at] = bestS[at - 1]!;
          at--;
        }
        bestO[at] = o;
        bestS[at] = blended;
      }
    }
    for (let j = 0; j < n; j++) {
      index[r * k + j] = bestO[j]!;
      score[r * k + j] = bestS[j]!;
    }
  }
  return { rows, k, index, score };
}
