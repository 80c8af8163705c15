// Neighbours computed on demand, for a user the active version has no list for (imported after it): the user's row
// weighted as the version weighted everyone (its frozen statistics), scored against every user's row, top k.
import { l2NormalizeRows, transpose } from '../similarity/csr';
import type { Csr } from '../similarity/types';
import { pairSignals, type UserItems } from './explain';
import {
  type Block,
  type FrozenWeighting,
  itemAt,
  type ModelName,
  type ModelParams,
  thawWeighting,
  weightedMatrix,
} from './models';
import type { Signals } from './signals';

export interface LiveNeighbour {
  handle: number;
  score: number;
}

type WeightingParams = Pick<ModelParams, 'bm25' | 'weights' | 'viewsWeighting'>;

const key = (signal: Block['signal'], name: string) => `${signal}\u0000${name}`;

/** A user's weighted row, unit length, as (signal, item name) -> weight. */
export function userVector(
  model: Exclude<ModelName, 'als'>,
  params: WeightingParams,
  frozen: FrozenWeighting,
  items: UserItems,
): Map<string, number> {
  const s = pairSignals(items, { interests: [], views: [], assessments: [] });
  const { matrix: m, blocks } = weightedMatrix(model, s, params, thawWeighting(frozen, s));
  let norm = 0;
  for (let p = m.indptr[0]!; p < m.indptr[1]!; p++) norm += m.data[p]! * m.data[p]!;
  norm = Math.sqrt(norm);
  const out = new Map<string, number>();
  if (norm === 0) return out;
  for (let p = m.indptr[0]!; p < m.indptr[1]!; p++) {
    const col = m.indices[p]!;
    const { signal, item } = itemAt(blocks, s, col);
    if (m.data[p] !== 0) out.set(key(signal, item), m.data[p]! / norm);
  }
  return out;
}

/**
 * Every user's row of one version's model, unit length and transposed (item -> users), so that one user's
 * neighbours cost the postings of that user's items.
 */
export class LiveIndex {
  readonly users: number;
  private readonly byItem: Csr;
  private readonly columns = new Map<string, number>();
  private readonly handles: Float64Array;
  /** Tags some user follows. */
  private readonly followed = new Set<string>();
  /** neighbours()'s scratch: a score per user, whether it was reached, and the rows reached. */
  private acc: Float64Array | undefined;
  private reached: Uint8Array | undefined;
  private rows: Int32Array | undefined;

  constructor(
    readonly model: Exclude<ModelName, 'als'>,
    readonly params: WeightingParams,
    readonly frozen: FrozenWeighting,
    signals: Signals,
  ) {
    const { matrix, blocks } = weightedMatrix(model, signals, params, thawWeighting(frozen, signals));
    this.byItem = transpose(l2NormalizeRows(matrix));
    for (const b of blocks) {
      const names = b.signal === 'views' ? signals.courses.names : signals.tags.names;
      for (let c = 0; c < b.cols && c < names.length; c++) this.columns.set(key(b.signal, names[c]!), b.offset + c);
    }
    this.handles = signals.users.handles;
    this.users = signals.users.size;
    const interests = signals.interests;
    if (interests !== undefined) {
      for (let p = 0; p < interests.indptr[interests.rows]!; p++)
        this.followed.add(signals.tags.names[interests.indices[p]!]!);
    }
  }

  /** Whether some user of the index follows this tag (canonical name). */
  knowsInterest(tag: string): boolean {
    return this.followed.has(tag);
  }

  /**
   * The k users most like `items` by cosine (score > 0), best first, ties by ascending handle; `skip` leaves
   * users out (the user itself, forgotten users).
   */
  neighbours(items: UserItems, k: number, skip: (handle: number) => boolean): LiveNeighbour[] {
    const v = userVector(this.model, this.params, this.frozen, items);
    // Scores gathered in arrays as long as the users, kept between calls (calls never overlap: this is synchronous)
    // and cleared after each by the list of rows reached; a Map and a sort of every row reached cost seconds at
    // 1,000,000 users, where a popular tag reaches a third of them.
    const acc = (this.acc ??= new Float64Array(this.users));
    const reached = (this.reached ??= new Uint8Array(this.users));
    const rows = (this.rows ??= new Int32Array(this.users));
    let n = 0;
    const t = this.byItem;
    for (const [item, w] of v) {
      const col = this.columns.get(item);
      if (col === undefined) continue;
      for (let p = t.indptr[col]!; p < t.indptr[col + 1]!; p++) {
        const r = t.indices[p]!;
        if (reached[r] === 0) {
          reached[r] = 1;
          rows[n++] = r;
        }
        acc[r] = acc[r]! + w * t.data[p]!;
      }
    }
    // The k best, best first, ties by ascending handle: an insertion into a short sorted list.
    const best: LiveNeighbour[] = [];
    const before = (a: LiveNeighbour, score: number, handle: number) =>
      a.score > score || (a.score === score && a.handle < handle);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      const score = acc[r]!;
      acc[r] = 0;
      reached[r] = 0;
      if (!(score > 0) || k <= 0) continue;
      const handle = this.handles[r]!;
      if (best.length === k && before(best[k - 1]!, score, handle)) continue;
      if (skip(handle)) continue;
      let at = best.length;
      while (at > 0 && !before(best[at - 1]!, score, handle)) at--;
      best.splice(at, 0, { handle, score });
      if (best.length > k) best.pop();
    }
    return best;
  }
}
