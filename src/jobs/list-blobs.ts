// A version's lists in compact form (docs/DESIGN.md, Freshness: "Lists stored with their version"): every user's
// neighbours as handles and scores, in the order readers see them, cut into chunks of base64 typed arrays that an
// incremental run reads in a few rows instead of one row per user from the SIMILAR_TO edges. Pure: no I/O.
import type { StoredListChunk } from '../graph/similarity-repository';

export type { StoredListChunk };

/** Every user's list: user i's neighbours are neighbours[offsets[i] .. offsets[i + 1]), scores alike. */
export interface CompactLists {
  handles: Float64Array;
  /** handles.length + 1 entries, offsets[0] = 0. */
  offsets: Int32Array;
  neighbours: Float64Array;
  scores: Float64Array;
}

/**
 * Raw bytes per stored chunk, at most (a chunk holds at least one list): 4 MiB, about 24,000 lists of 10 (5.6 MB of
 * base64 per node), as the ALS user factors are cut.
 */
export const LIST_CHUNK_BYTES = 4 * 1024 * 1024;

/** Orders one list as every reader does: score descending, then the neighbour's handle ascending (exact compare). */
export function readerOrder(neighbours: ArrayLike<number>, scores: ArrayLike<number>): { n: number[]; s: number[] } {
  const idx = Array.from({ length: neighbours.length }, (_, i) => i);
  idx.sort((a, b) => scores[b]! - scores[a]! || neighbours[a]! - neighbours[b]!);
  return { n: idx.map((i) => neighbours[i]!), s: idx.map((i) => scores[i]!) };
}

/** True when the list is already in reader order (score descending, then handle ascending). */
function inReaderOrder(neighbours: ArrayLike<number>, scores: ArrayLike<number>): boolean {
  for (let i = 1; i < neighbours.length; i++) {
    const d = scores[i - 1]! - scores[i]!;
    if (d < 0 || (d === 0 && neighbours[i - 1]! > neighbours[i]!)) return false;
  }
  return true;
}

/**
 * Collects lists (handle, neighbour handles, scores) into compact form, order of users kept. Empty lists are left
 * out, unless `keepEmpty` (a delta, where an empty list replaces the base's).
 */
export class CompactListsBuilder {
  private readonly handles: number[] = [];
  private readonly offsets: number[] = [0];
  private neighbours = new Float64Array(1024);
  private scores = new Float64Array(1024);
  private length = 0;

  constructor(private readonly opts: { keepEmpty?: boolean } = {}) {}

  /** Adds a user's list, put in reader order (score descending, then handle). */
  add(handle: number, neighbours: ArrayLike<number>, scores: ArrayLike<number>): void {
    if (neighbours.length !== scores.length) {
      throw new Error(
        `list of user ${handle}: expected as many scores as neighbours, but got ${scores.length} scores for ` +
          `${neighbours.length} neighbours`,
      );
    }
    if (neighbours.length === 0 && this.opts.keepEmpty !== true) return;
    while (this.length + neighbours.length > this.neighbours.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.neighbours = grow(this.neighbours);
      this.scores = grow(this.scores);
    }
    // Most lists come in reader order already (a search's, or a stored one kept): copied as they are.
    if (inReaderOrder(neighbours, scores)) {
      for (let i = 0; i < neighbours.length; i++) {
        this.neighbours[this.length + i] = neighbours[i]!;
        this.scores[this.length + i] = scores[i]!;
      }
    } else {
      const { n, s } = readerOrder(neighbours, scores);
      this.neighbours.set(n, this.length);
      this.scores.set(s, this.length);
    }
    this.length += neighbours.length;
    this.handles.push(handle);
    this.offsets.push(this.length);
  }

  /** Users added so far. */
  get users(): number {
    return this.handles.length;
  }

  build(): CompactLists {
    return {
      handles: Float64Array.from(this.handles),
      offsets: Int32Array.from(this.offsets),
      neighbours: this.neighbours.slice(0, this.length),
      scores: this.scores.slice(0, this.length),
    };
  }
}

const base64 = (a: Float64Array | Int32Array): string =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** Decodes base64 into a new typed array of `length` values (copied: base64 bytes need not be aligned). */
function decode<T extends Float64Array | Int32Array>(
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

/** Cuts lists into stored chunks of whole users, at most maxBytes raw each (at least one user per chunk). */
export function encodeLists(lists: CompactLists, maxBytes = LIST_CHUNK_BYTES): StoredListChunk[] {
  const users = lists.handles.length;
  const bounds: Array<[number, number]> = [];
  for (let first = 0; first < users;) {
    let end = first + 1;
    const bytesOf = (e: number) => (e - first) * 12 + 4 + (lists.offsets[e]! - lists.offsets[first]!) * 16;
    while (end < users && bytesOf(end + 1) <= maxBytes) end++;
    bounds.push([first, end]);
    first = end;
  }
  return bounds.map(([first, end], chunk) => {
    const from = lists.offsets[first]!;
    const to = lists.offsets[end]!;
    const offsets = Int32Array.from(lists.offsets.subarray(first, end + 1), (o) => o - from);
    return {
      chunk,
      chunks: bounds.length,
      users: end - first,
      handles: base64(lists.handles.subarray(first, end)),
      offsets: base64(offsets),
      neighbours: base64(lists.neighbours.subarray(from, to)),
      scores: base64(lists.scores.subarray(from, to)),
    };
  });
}

/**
 * Joins stored chunks back into compact lists; null when chunks are missing (a write that did not finish), which
 * callers treat as no stored lists. Throws on a chunk whose arrays do not match its counts.
 */
export function decodeLists(chunks: readonly StoredListChunk[]): CompactLists | null {
  if (chunks.length === 0) return null;
  const sorted = [...chunks].sort((a, b) => a.chunk - b.chunk);
  const count = sorted[0]!.chunks;
  if (sorted.length !== count || sorted.some((c, i) => c.chunk !== i || c.chunks !== count)) return null;
  const parts = sorted.map((c) => {
    const offsets = decode(c.offsets, c.users + 1, (n) => new Int32Array(n), `lists chunk ${c.chunk} offsets`);
    const edges = offsets[c.users]!;
    if (offsets[0] !== 0 || offsets.some((o, i) => i > 0 && o < offsets[i - 1]!)) {
      throw new Error(`lists chunk ${c.chunk}: expected offsets rising from 0, but got ${offsets.join(', ')}`);
    }
    return {
      handles: decode(c.handles, c.users, (n) => new Float64Array(n), `lists chunk ${c.chunk} handles`),
      offsets,
      neighbours: decode(c.neighbours, edges, (n) => new Float64Array(n), `lists chunk ${c.chunk} neighbours`),
      scores: decode(c.scores, edges, (n) => new Float64Array(n), `lists chunk ${c.chunk} scores`),
    };
  });
  const users = parts.reduce((n, p) => n + p.handles.length, 0);
  const edges = parts.reduce((n, p) => n + p.neighbours.length, 0);
  const out: CompactLists = {
    handles: new Float64Array(users),
    offsets: new Int32Array(users + 1),
    neighbours: new Float64Array(edges),
    scores: new Float64Array(edges),
  };
  let u = 0;
  let e = 0;
  for (const p of parts) {
    out.handles.set(p.handles, u);
    for (let i = 1; i < p.offsets.length; i++) out.offsets[u + i] = e + p.offsets[i]!;
    out.neighbours.set(p.neighbours, e);
    out.scores.set(p.scores, e);
    u += p.handles.length;
    e += p.neighbours.length;
  }
  return out;
}

/** Calls onList for every user's list (handle, neighbour handles, scores: views into the arrays). */
export function eachCompactList(
  lists: CompactLists,
  onList: (handle: number, neighbours: Float64Array, scores: Float64Array) => void,
): void {
  for (let i = 0; i < lists.handles.length; i++) {
    const from = lists.offsets[i]!;
    const to = lists.offsets[i + 1]!;
    onList(lists.handles[i]!, lists.neighbours.subarray(from, to), lists.scores.subarray(from, to));
  }
}

/**
 * A version's lists from its base's full set and its delta (the lists that differ, an empty one included): each
 * delta list in place of the base's, delta users the base lacks after the base's, empty lists left out.
 */
export function applyDelta(base: CompactLists, delta: CompactLists): CompactLists {
  const replaced = new Map<number, number>();
  for (let i = 0; i < delta.handles.length; i++) replaced.set(delta.handles[i]!, i);
  const out = new CompactListsBuilder();
  const add = (from: CompactLists, i: number) => {
    const a = from.offsets[i]!;
    const b = from.offsets[i + 1]!;
    out.add(from.handles[i]!, from.neighbours.subarray(a, b), from.scores.subarray(a, b));
  };
  for (let i = 0; i < base.handles.length; i++) {
    const d = replaced.get(base.handles[i]!);
    if (d === undefined) add(base, i);
    else {
      add(delta, d);
      replaced.delete(base.handles[i]!);
    }
  }
  for (const d of replaced.values()) add(delta, d);
  return out.build();
}
