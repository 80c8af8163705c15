// The signal rows a run read, kept in compact form for the next incremental run (docs/DESIGN.md, Freshness:
// "Signals stored with the run"): per signal, the users' rows as CSR over the run's tag or course names, cut into
// chunks of base64 typed arrays. Pure: no I/O.
import type { StoredSignalChunk } from '../graph/similarity-repository';
import type { Csr } from '../similarity/types';

export type { StoredSignalChunk };

/** The signals kept: those of users (course tags are read whole from the graph, they are courses x tags). */
export const STORED_SIGNALS = ['interests', 'views', 'assessments'] as const;
export type StoredSignal = (typeof STORED_SIGNALS)[number];

/** Raw bytes per stored chunk, at most (at least one user per chunk), as the compact lists are cut. */
export const SIGNAL_CHUNK_BYTES = 4 * 1024 * 1024;

/** One signal's rows of some users: user i's entries are cols/vals[offsets[i] .. offsets[i + 1]). */
export interface SignalRows {
  handles: Float64Array;
  offsets: Int32Array;
  cols: Int32Array;
  vals: Float32Array;
}

const base64 = (a: Float64Array | Int32Array | Float32Array): string =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function decode<T extends Float64Array | Int32Array | Float32Array>(
  text: string,
  length: number,
  make: (n: number) => T,
  what: string,
): T {
  const bytes = Buffer.from(text, 'base64');
  const out = make(length);
  if (bytes.length !== out.byteLength) {
    throw new Error(`${what}: expected ${length} values (${out.byteLength} bytes), but got ${bytes.length} bytes`);
  }
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The non-empty rows of a users x items matrix whose row r is the user handles[r], as stored chunks. */
export function encodeSignal(
  signal: StoredSignal,
  m: Csr,
  handles: ArrayLike<number>,
  maxBytes = SIGNAL_CHUNK_BYTES,
): StoredSignalChunk[] {
  const rows: number[] = [];
  for (let r = 0; r < m.rows; r++) if (m.indptr[r + 1]! > m.indptr[r]!) rows.push(r);
  const bounds: Array<[number, number]> = [];
  for (let first = 0; first < rows.length;) {
    let end = first + 1;
    let bytes = 12 + 4 + 8 * (m.indptr[rows[first]! + 1]! - m.indptr[rows[first]!]!);
    while (end < rows.length) {
      const r = rows[end]!;
      const more = 12 + 8 * (m.indptr[r + 1]! - m.indptr[r]!);
      if (bytes + more > maxBytes) break;
      bytes += more;
      end++;
    }
    bounds.push([first, end]);
    first = end;
  }
  return bounds.map(([first, end], chunk) => {
    const users = end - first;
    const h = new Float64Array(users);
    const offsets = new Int32Array(users + 1);
    let n = 0;
    for (let i = 0; i < users; i++) {
      const r = rows[first + i]!;
      h[i] = handles[r]!;
      n += m.indptr[r + 1]! - m.indptr[r]!;
      offsets[i + 1] = n;
    }
    const cols = new Int32Array(n);
    const vals = new Float32Array(n);
    for (let i = 0; i < users; i++) {
      const r = rows[first + i]!;
      const from = m.indptr[r]!;
      const len = m.indptr[r + 1]! - from;
      cols.set(m.indices.subarray(from, from + len), offsets[i]);
      vals.set(m.data.subarray(from, from + len), offsets[i]);
    }
    return {
      signal,
      chunk,
      chunks: bounds.length,
      users,
      handles: base64(h),
      offsets: base64(offsets),
      cols: base64(cols),
      vals: base64(vals),
    };
  });
}

/**
 * Joins one signal's stored chunks; null when chunks are missing. Throws on a chunk whose arrays do not match its
 * counts, or whose columns reach past `cols` (the names stored with them).
 */
export function decodeSignal(chunks: readonly StoredSignalChunk[], cols: number): SignalRows | null {
  if (chunks.length === 0) return null;
  const sorted = [...chunks].sort((a, b) => a.chunk - b.chunk);
  const count = sorted[0]!.chunks;
  if (sorted.length !== count || sorted.some((c, i) => c.chunk !== i || c.chunks !== count)) return null;
  const parts = sorted.map((c) => {
    const what = `${c.signal} rows chunk ${c.chunk}`;
    const offsets = decode(c.offsets, c.users + 1, (n) => new Int32Array(n), `${what} offsets`);
    const n = offsets[c.users]!;
    if (offsets[0] !== 0 || offsets.some((o, i) => i > 0 && o < offsets[i - 1]!)) {
      throw new Error(`${what}: expected offsets rising from 0, but got ${offsets.slice(0, 20).join(', ')}`);
    }
    const part = {
      handles: decode(c.handles, c.users, (k) => new Float64Array(k), `${what} handles`),
      offsets,
      cols: decode(c.cols, n, (k) => new Int32Array(k), `${what} cols`),
      vals: decode(c.vals, n, (k) => new Float32Array(k), `${what} vals`),
    };
    const bad = part.cols.find((x) => x < 0 || x >= cols);
    if (bad !== undefined) throw new Error(`${what}: expected columns in 0..${cols - 1}, but got ${bad}`);
    return part;
  });
  const users = parts.reduce((n, p) => n + p.handles.length, 0);
  const entries = parts.reduce((n, p) => n + p.cols.length, 0);
  const out: SignalRows = {
    handles: new Float64Array(users),
    offsets: new Int32Array(users + 1),
    cols: new Int32Array(entries),
    vals: new Float32Array(entries),
  };
  let u = 0;
  let e = 0;
  for (const p of parts) {
    out.handles.set(p.handles, u);
    for (let i = 1; i < p.offsets.length; i++) out.offsets[u + i] = e + p.offsets[i]!;
    out.cols.set(p.cols, e);
    out.vals.set(p.vals, e);
    u += p.handles.length;
    e += p.cols.length;
  }
  return out;
}
