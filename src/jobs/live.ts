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
    const acc = new Map<number, number>();
    const t = this.byItem;
    for (const [item, w] of v) {
      const col = this.columns.get(item);
      if (col === undefined) continue;
      for (let p = t.indptr[col]!; p < t.indptr[col + 1]!; p++) {
        const r = t.indices[p]!;
        acc.set(r, (acc.get(r) ?? 0) + w * t.data[p]!);
      }
    }
    const out: LiveNeighbour[] = [];
    for (const [r, score] of acc) {
      const handle = this.handles[r]!;
      if (score > 0 && !skip(handle)) out.push({ handle, score });
    }
    out.sort((a, b) => b.score - a.score || a.handle - b.handle);
    return out.slice(0, k);
  }
}
