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
 * The candidates of rows [rowStart, rowEnd) scored in both spaces, before any weighting: the part of a blend that
 * does not depend on its weight or shrink, kept to rank many of them (a fit tries several on the same candidates).
 * Row r's pairs are [offsets[r - rowStart], offsets[r - rowStart + 1]).
 */
export interface BlendPairs {
  rowStart: number;
  rowEnd: number;
  offsets: Int32Array;
  other: Int32Array;
  /** The dense cosine (0 when either row is zero). */
  dense: Float64Array;
  /** The sparse dot product, the count of columns both rows hold, and the product of their norms (0: no sparse score). */
  dot: Float64Array;
  shared: Float64Array;
  norms: Float64Array;
}

/** Rows per BlendPairs block when a blend is ranked straight away: bounds the pairs held at once. */
const PAIR_BLOCK_ROWS = 4096;

function checkShapes(dense: DenseMatrix, sparse: Csr, lists: readonly Neighbours[]): void {
  if (sparse.rows !== dense.rows)
    throw new RangeError(`expected ${dense.rows} sparse rows (one per dense row), got ${sparse.rows}`);
  for (const l of lists) {
    if (l.rows !== dense.rows) throw new RangeError(`expected candidate lists of ${dense.rows} rows, got ${l.rows}`);
  }
}

/**
 * Scores every candidate `lists` hold for rows [rowStart, rowEnd) in both spaces (see BlendPairs): a candidate found
 * by several lists once, in the order the lists give them, never the row itself.
 */
export function blendPairs(
  dense: DenseMatrix,
  sparse: Csr,
  lists: readonly Neighbours[],
  rowStart = 0,
  rowEnd = dense.rows,
): BlendPairs {
  checkShapes(dense, sparse, lists);
  return scorePairs(dense, sparse, lists, rowStart, rowEnd, workspace(dense, sparse));
}

/** What scoring pairs needs beside its rows, for any block of them: both spaces' norms, and marks per row. */
interface PairWorkspace {
  dn: Float64Array;
  sn: Float64Array;
  seenBy: Int32Array;
  colOf: Int32Array;
  valueOf: Float64Array;
}

function workspace(dense: DenseMatrix, sparse: Csr): PairWorkspace {
  return {
    dn: denseNorms(dense),
    sn: sparseNorms(sparse),
    // seenBy[o] === r: o was already scored for row r (a candidate found by both searches counts once).
    seenBy: new Int32Array(dense.rows).fill(-1),
    // Row r's sparse row scattered by column (colOf[c] === r: column c's value for row r is in valueOf[c]), so a
    // candidate's sparse dot is one pass over its own row. Products are summed in ascending column order, as a
    // merge of the two rows would.
    colOf: new Int32Array(sparse.cols).fill(-1),
    valueOf: new Float64Array(sparse.cols),
  };
}

function scorePairs(
  dense: DenseMatrix,
  sparse: Csr,
  lists: readonly Neighbours[],
  rowStart: number,
  rowEnd: number,
  ws: PairWorkspace,
): BlendPairs {
  const { dn, sn, seenBy, colOf, valueOf } = ws;
  const f = dense.cols;
  let capacity = 0;
  for (const l of lists) capacity += (rowEnd - rowStart) * l.k;
  const offsets = new Int32Array(rowEnd - rowStart + 1);
  const other = new Int32Array(capacity);
  const dcos = new Float64Array(capacity);
  const dot = new Float64Array(capacity);
  const shared = new Float64Array(capacity);
  const norms = new Float64Array(capacity);
  const { indptr, indices, data } = sparse;
  let n = 0;
  for (let r = rowStart; r < rowEnd; r++) {
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
        let sum = 0;
        let both = 0;
        if (sr > 0 && sn[o]! > 0) {
          for (let q = indptr[o]!; q < indptr[o + 1]!; q++) {
            const c = indices[q]!;
            if (colOf[c] === r) {
              sum += valueOf[c]! * data[q]!;
              both++;
            }
          }
          norms[n] = sr * sn[o]!;
        }
        other[n] = o;
        dcos[n] = d;
        dot[n] = sum;
        shared[n] = both;
        n++;
      }
    }
    offsets[r - rowStart + 1] = n;
  }
  return {
    rowStart,
    rowEnd,
    offsets,
    other: other.subarray(0, n),
    dense: dcos.subarray(0, n),
    dot: dot.subarray(0, n),
    shared: shared.subarray(0, n),
    norms: norms.subarray(0, n),
  };
}

function checkWeights(weight: number | Float64Array, rows: number, shrink: number): void {
  if (!(shrink >= 0) || !Number.isFinite(shrink)) throw new RangeError(`expected shrink >= 0, got ${shrink}`);
  if (typeof weight !== 'number' && weight.length !== rows) {
    throw new RangeError(`expected ${rows} blend weights (one per row), got ${weight.length}`);
  }
  for (const w of typeof weight === 'number' ? [weight] : weight) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`expected blend weights >= 0, got ${w}`);
  }
}

/**
 * Ranks scored pairs by the blended score (see BlendInput) into rows [pairs.rowStart, pairs.rowEnd) of `out`, whose
 * other rows are left alone.
 */
export function rankBlendPairs(
  pairs: BlendPairs,
  weight: number | Float64Array,
  shrink: number,
  tieKey: ArrayLike<number>,
  out: Neighbours,
): void {
  checkWeights(weight, out.rows, shrink);
  rankPairs(pairs, weight, shrink, tieKey, out);
}

/** rankBlendPairs with its inputs already checked (once per blend, not once per block of rows). */
function rankPairs(
  pairs: BlendPairs,
  weight: number | Float64Array,
  shrink: number,
  tieKey: ArrayLike<number>,
  out: Neighbours,
): void {
  const k = out.k;
  const weightOf = typeof weight === 'number' ? () => weight : (r: number) => weight[r]!;
  // The row's best k so far, best first (score descending, then tieKey ascending).
  const bestO = new Int32Array(k);
  const bestS = new Float64Array(k);
  const { offsets, other, dense, dot, shared, norms } = pairs;
  for (let r = pairs.rowStart; r < pairs.rowEnd; r++) {
    const w = weightOf(r);
    let n = 0;
    for (let q = offsets[r - pairs.rowStart]!; q < offsets[r - pairs.rowStart + 1]!; q++) {
      const o = other[q]!;
      const den = norms[q]!;
      const s = den > 0 ? (shrink > 0 ? (dot[q]! * shared[q]!) / (shared[q]! + shrink) : dot[q]!) / den : 0;
      const blended = Math.fround((dense[q]! + w * s) / (1 + w));
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
    out.index.fill(-1, r * k, (r + 1) * k);
    out.score.fill(0, r * k, (r + 1) * k);
    for (let j = 0; j < n; j++) {
      out.index[r * k + j] = bestO[j]!;
      out.score[r * k + j] = bestS[j]!;
    }
  }
}

/**
 * The k best neighbours of each row by the blended score, among the candidates `lists` hold for it (each list:
 * one search's top neighbours, in either space). Every candidate is scored exactly in both spaces (a zero row
 * scores 0 there), so a row's scores do not depend on which search found the candidate, only whether one did.
 * Output contract as the searches': scores descend (rounded to float32), ties by ascending tieKey, only scores
 * above 0, no self-neighbours, -1 after the last. Rows without candidates get none. With `pairs` (blendPairs of
 * the same dense, sparse and lists over all rows), the candidates are not scored again.
 */
export function blendNeighbours(
  input: BlendInput,
  lists: readonly Neighbours[],
  k: number,
  tieKey: ArrayLike<number>,
  pairs?: BlendPairs,
): Neighbours {
  const { dense, sparse, weight } = input;
  const shrink = input.shrink ?? 0;
  const rows = dense.rows;
  checkWeights(weight, rows, shrink);
  checkShapes(dense, sparse, lists);
  const out: Neighbours = { rows, k, index: new Int32Array(rows * k).fill(-1), score: new Float32Array(rows * k) };
  if (pairs !== undefined) {
    if (pairs.rowStart !== 0 || pairs.rowEnd !== rows)
      throw new RangeError(`expected pairs of rows 0-${rows}, got ${pairs.rowStart}-${pairs.rowEnd}`);
    rankPairs(pairs, weight, shrink, tieKey, out);
    return out;
  }
  const ws = workspace(dense, sparse);
  for (let start = 0; start < rows; start += PAIR_BLOCK_ROWS) {
    const end = Math.min(rows, start + PAIR_BLOCK_ROWS);
    rankPairs(scorePairs(dense, sparse, lists, start, end, ws), weight, shrink, tieKey, out);
  }
  return out;
}
