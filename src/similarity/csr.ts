// Compressed-sparse-row helpers on typed arrays: building, transposing, scaling, stacking and multiplying.
import type { Csr } from './types';

function checkShape(rows: number, cols: number): void {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new RangeError(`expected a non-negative integer shape, but got ${rows} x ${cols}`);
  }
}

/** Number of stored entries. */
export function nnz(m: Csr): number {
  return m.indptr[m.rows] ?? 0;
}

/**
 * Builds a rows x cols CSR matrix from coordinate triples (in any order): entry t puts values[t] at
 * (rowIdx[t], colIdx[t]). Columns come out ascending within each row; duplicates are combined by
 * 'sum' or 'max'. Entries whose combined value is exactly 0 are kept (callers filter if they care).
 */
export function csrFromTriples(
  rows: number,
  cols: number,
  rowIdx: Int32Array,
  colIdx: Int32Array,
  values: Float32Array,
  combine: 'sum' | 'max',
): Csr {
  checkShape(rows, cols);
  const n = rowIdx.length;
  if (colIdx.length !== n || values.length !== n) {
    throw new RangeError(
      `expected rowIdx, colIdx and values of one length, but got ${n}, ${colIdx.length}, ${values.length}`,
    );
  }
  // Counting sort by row, then a per-row sort by column: linear in the triples plus small sorts.
  const counts = new Int32Array(rows + 1);
  for (let t = 0; t < n; t++) {
    const r = rowIdx[t]!;
    const c = colIdx[t]!;
    if (r < 0 || r >= rows || c < 0 || c >= cols) {
      throw new RangeError(`expected triple ${t} inside ${rows} x ${cols}, but got (${r}, ${c})`);
    }
    counts[r + 1]!++;
  }
  for (let r = 0; r < rows; r++) counts[r + 1]! += counts[r]!;
  const next = counts.slice(0, rows);
  const order = new Int32Array(n);
  for (let t = 0; t < n; t++) order[next[rowIdx[t]!]!++] = t;

  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(n);
  const data = new Float32Array(n);
  let out = 0;
  let scratch = new Int32Array(16);
  for (let r = 0; r < rows; r++) {
    const start = counts[r]!;
    const len = counts[r + 1]! - start;
    if (scratch.length < len) scratch = new Int32Array(len * 2);
    const slot = scratch.subarray(0, len);
    let sorted = true;
    for (let q = 0; q < len; q++) {
      slot[q] = order[start + q]!;
      if (q > 0 && colIdx[slot[q]!]! < colIdx[slot[q - 1]!]!) sorted = false;
    }
    // Sort the triple ids by column, then by id so that 'sum' adds in input order (deterministic). Rows that arrive
    // in column order (stored rows do) are left as they are: the ids of a row are already ascending.
    if (!sorted) {
      if (len <= 32) {
        // Short rows (most): a stable insertion sort on the column keeps the ascending ids of equal columns in
        // order, the same result as the comparison sort below without a call per comparison.
        for (let q = 1; q < len; q++) {
          const t = slot[q]!;
          const c = colIdx[t]!;
          let w = q - 1;
          while (w >= 0 && colIdx[slot[w]!]! > c) {
            slot[w + 1] = slot[w]!;
            w--;
          }
          slot[w + 1] = t;
        }
      } else slot.sort((a, b) => colIdx[a]! - colIdx[b]! || a - b);
    }
    let prev = -1;
    for (let q = 0; q < len; q++) {
      const t = slot[q]!;
      const c = colIdx[t]!;
      const v = values[t]!;
      if (c === prev) {
        data[out - 1] = combine === 'sum' ? data[out - 1]! + v : Math.max(data[out - 1]!, v);
      } else {
        indices[out] = c;
        data[out] = v;
        out++;
        prev = c;
      }
    }
    indptr[r + 1] = out;
  }
  return { rows, cols, indptr, indices: indices.slice(0, out), data: data.slice(0, out) };
}

/**
 * The transpose, with ascending column indices in every row (a counting sort, linear in the non-zeros).
 * `into` supplies the output arrays (lengths cols + 1, nnz, nnz), e.g. views of shared memory, to avoid a copy.
 */
export function transpose(m: Csr, into?: Pick<Csr, 'indptr' | 'indices' | 'data'>): Csr {
  const count = nnz(m);
  if (
    into !== undefined &&
    (into.indptr.length !== m.cols + 1 || into.indices.length !== count || into.data.length !== count)
  ) {
    throw new RangeError(
      `expected output arrays of lengths ${m.cols + 1}, ${count}, ${count}, but got ${into.indptr.length}, ${into.indices.length}, ${into.data.length}`,
    );
  }
  const indptr = into?.indptr.fill(0) ?? new Int32Array(m.cols + 1);
  for (let p = 0; p < count; p++) indptr[m.indices[p]! + 1]!++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1]! += indptr[c]!;
  const next = indptr.slice(0, m.cols);
  const indices = into?.indices ?? new Int32Array(count);
  const data = into?.data ?? new Float32Array(count);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!, end = m.indptr[r + 1]!; p < end; p++) {
      const dst = next[m.indices[p]!]!++;
      indices[dst] = r;
      data[dst] = m.data[p]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, data };
}

/** Euclidean norm of every row (computed in double precision). */
export function rowNorms(m: Csr): Float64Array {
  const norms = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let p = m.indptr[r]!, end = m.indptr[r + 1]!; p < end; p++) s += m.data[p]! * m.data[p]!;
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

/** A copy with every non-empty row scaled to unit Euclidean norm; all-zero rows stay zero. */
export function l2NormalizeRows(m: Csr): Csr {
  const norms = rowNorms(m);
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    const n = norms[r]!;
    const inv = n > 0 ? 1 / n : 0;
    for (let p = m.indptr[r]!, end = m.indptr[r + 1]!; p < end; p++) data[p] = m.data[p]! * inv;
  }
  return { rows: m.rows, cols: m.cols, indptr: m.indptr.slice(), indices: m.indices.slice(), data };
}

/** A copy with column c multiplied by w[c] (w has one weight per column). */
export function scaleColumns(m: Csr, w: Float32Array | Float64Array): Csr {
  if (w.length !== m.cols) throw new RangeError(`expected ${m.cols} column weights, but got ${w.length}`);
  const data = new Float32Array(m.data.length);
  for (let p = 0; p < data.length; p++) data[p] = m.data[p]! * w[m.indices[p]!]!;
  return { rows: m.rows, cols: m.cols, indptr: m.indptr.slice(), indices: m.indices.slice(), data };
}

/** A copy with every stored value multiplied by s (e.g. a per-signal weight before hstack). */
export function scale(m: Csr, s: number): Csr {
  const data = new Float32Array(m.data.length);
  for (let p = 0; p < data.length; p++) data[p] = m.data[p]! * s;
  return { rows: m.rows, cols: m.cols, indptr: m.indptr.slice(), indices: m.indices.slice(), data };
}

/** Side-by-side concatenation of matrices with the same number of rows; columns are offset part by part. */
export function hstack(parts: Csr[]): Csr {
  const first = parts[0];
  if (first === undefined) throw new RangeError('expected at least one matrix to hstack, but got none');
  const rows = first.rows;
  let cols = 0;
  let total = 0;
  for (const [i, part] of parts.entries()) {
    if (part.rows !== rows) throw new RangeError(`expected ${rows} rows in every part, but part ${i} has ${part.rows}`);
    cols += part.cols;
    total += nnz(part);
  }
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(total);
  const data = new Float32Array(total);
  let out = 0;
  for (let r = 0; r < rows; r++) {
    let offset = 0;
    for (const part of parts) {
      for (let p = part.indptr[r]!, end = part.indptr[r + 1]!; p < end; p++) {
        indices[out] = part.indices[p]! + offset;
        data[out] = part.data[p]!;
        out++;
      }
      offset += part.cols;
    }
    indptr[r + 1] = out;
  }
  return { rows, cols, indptr, indices, data };
}

/**
 * Sparse product a x b (e.g. user x course times course x tag gives user x tag). Row by row with a dense
 * accumulator of b.cols and a touched list (Gustavson), so memory is the output plus O(b.cols).
 * Sums run in double precision; exact zeros produced by cancellation are dropped.
 */
export function multiply(a: Csr, b: Csr): Csr {
  if (a.cols !== b.rows) throw new RangeError(`expected a.cols === b.rows, but got ${a.cols} and ${b.rows}`);
  const acc = new Float64Array(b.cols);
  const seen = new Uint8Array(b.cols);
  const touched = new Int32Array(b.cols);
  const indptr = new Int32Array(a.rows + 1);
  let indices = new Int32Array(Math.max(16, nnz(a)));
  let data = new Float32Array(indices.length);
  let out = 0;
  for (let r = 0; r < a.rows; r++) {
    let nt = 0;
    for (let p = a.indptr[r]!, pend = a.indptr[r + 1]!; p < pend; p++) {
      const k = a.indices[p]!;
      const v = a.data[p]!;
      for (let q = b.indptr[k]!, qend = b.indptr[k + 1]!; q < qend; q++) {
        const c = b.indices[q]!;
        if (seen[c] === 0) {
          seen[c] = 1;
          touched[nt++] = c;
        }
        acc[c]! += v * b.data[q]!;
      }
    }
    const row = touched.subarray(0, nt).sort();
    if (out + nt > indices.length) {
      const size = Math.max(out + nt, indices.length * 2);
      const ni = new Int32Array(size);
      ni.set(indices.subarray(0, out));
      const nd = new Float32Array(size);
      nd.set(data.subarray(0, out));
      indices = ni;
      data = nd;
    }
    for (let q = 0; q < nt; q++) {
      const c = row[q]!;
      const v = acc[c]!;
      acc[c] = 0;
      seen[c] = 0;
      if (v !== 0) {
        indices[out] = c;
        data[out] = v;
        out++;
      }
    }
    indptr[r + 1] = out;
  }
  return { rows: a.rows, cols: b.cols, indptr, indices: indices.slice(0, out), data: data.slice(0, out) };
}

/** Applies f to every stored value (a copy; the pattern is unchanged). */
export function mapValues(m: Csr, f: (v: number, row: number, col: number) => number): Csr {
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!, end = m.indptr[r + 1]!; p < end; p++) data[p] = f(m.data[p]!, r, m.indices[p]!);
  }
  return { rows: m.rows, cols: m.cols, indptr: m.indptr.slice(), indices: m.indices.slice(), data };
}

/** Number of rows with at least one non-zero value (rows that can have neighbours). */
export function nonEmptyRows(m: Csr): number {
  let n = 0;
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!, end = m.indptr[r + 1]!; p < end; p++) {
      if (m.data[p] !== 0) {
        n++;
        break;
      }
    }
  }
  return n;
}

/** Dense row-major copy (for tests and small matrices only). */
export function toDense(m: Csr): Float64Array {
  const out = new Float64Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!, end = m.indptr[r + 1]!; p < end; p++) out[r * m.cols + m.indices[p]!]! += m.data[p]!;
  }
  return out;
}
