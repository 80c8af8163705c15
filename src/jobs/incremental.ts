// The pure part of an incremental run: the scores of changed users against everyone, and how each unchanged
// user's previous list is patched with them (or found to need a full recomputation). No I/O.
import { transpose } from '../similarity/csr';
import type { Csr } from '../similarity/types';
import type { WeightingStats } from './models';

/** A user's list in the previous version, as matrix rows (best first); -1 for a neighbour no longer in the graph. */
export interface PreviousList {
  rows: Int32Array;
  scores: Float64Array;
}

/** One changed user's score with every user that shares an item with it (score > 0), itself left out. */
export interface ChangedScores {
  row: number;
  users: Int32Array;
  scores: Float64Array;
}

/**
 * Every changed row's cosine with every other row of `unit` (rows of unit length), through the postings of the
 * changed row's items: the work is the postings of those items, not users x users. With `floor` (per row, e.g. its
 * previous k-th score), only scores within SCORE_TIE of the row's floor or above are kept: a lower one can neither
 * enter that row's list nor keep a place in it (patchLists reads a missing score as 0), and keeping every positive
 * score of a popular item's followers would hold users x changed entries (out of memory at 100,000 users).
 * The job takes these scores from changedNeighbours (src/similarity/topk.ts), which finds them in the same pass as
 * the changed users' own lists, on the worker pool; this one-thread form is what that pass is tested against.
 */
export function scoresOfChanged(unit: Csr, changed: Int32Array, floor?: Float64Array): ChangedScores[] {
  const byItem = transpose(unit);
  const acc = new Float64Array(unit.rows);
  const touched: number[] = [];
  const out: ChangedScores[] = [];
  for (const c of changed) {
    for (let p = unit.indptr[c]!; p < unit.indptr[c + 1]!; p++) {
      const col = unit.indices[p]!;
      const w = unit.data[p]!;
      for (let q = byItem.indptr[col]!; q < byItem.indptr[col + 1]!; q++) {
        const r = byItem.indices[q]!;
        if (acc[r] === 0) touched.push(r);
        acc[r] = acc[r]! + w * byItem.data[q]!;
      }
    }
    const users: number[] = [];
    const scores: number[] = [];
    for (const r of touched) {
      if (r !== c && acc[r]! > 0 && (floor === undefined || acc[r]! >= floor[r]! - SCORE_TIE)) {
        users.push(r);
        // Stored as the full search stores scores (float32), so equal scores compare equal.
        scores.push(Math.fround(acc[r]!));
      }
      acc[r] = 0;
    }
    touched.length = 0;
    out.push({ row: c, users: Int32Array.from(users), scores: Float64Array.from(scores) });
  }
  return out;
}

/**
 * Scores closer than this are ties (broken by the tie key): the full search sums in float32 in another order, so
 * the same cosine can differ in its last bits between the two computations.
 */
export const SCORE_TIE = 1e-6;

const byScoreThenKey =
  (tieKey: ArrayLike<number>) =>
  (a: { row: number; score: number }, b: { row: number; score: number }): number =>
    Math.abs(a.score - b.score) > SCORE_TIE ? b.score - a.score : tieKey[a.row]! - tieKey[b.row]!;

/** The outcome for the users whose lists were not recomputed. */
export interface PatchResult {
  /** Users whose list changed: the new list (rows and scores, best first). */
  patched: Map<number, PreviousList>;
  /**
   * Users whose list held a changed user that now scores below the list's k-th score: someone outside the list
   * may now belong in it, which only a recomputation of that user can tell.
   */
  dirty: Int32Array;
}

/**
 * Patches every unchanged user's previous list with the changed users: a changed user that now scores above the
 * user's k-th neighbour (or fills a list shorter than k) enters it, a changed user already in it is rescored and
 * moves or leaves. A full list that loses a changed user (or a neighbour no longer in the graph) is `dirty`
 * instead. Order: score descending, ties by ascending tieKey (as the full search orders them).
 */
export function patchLists(opts: {
  k: number;
  previous: ReadonlyMap<number, PreviousList>;
  changed: readonly ChangedScores[];
  tieKey: ArrayLike<number>;
}): PatchResult {
  const { k, previous, tieKey } = opts;
  const isChanged = new Set(opts.changed.map((c) => c.row));
  // Per unchanged user, the changed users scoring with it.
  const offers = new Map<number, Map<number, number>>();
  for (const c of opts.changed) {
    for (let i = 0; i < c.users.length; i++) {
      const u = c.users[i]!;
      if (isChanged.has(u)) continue;
      let m = offers.get(u);
      if (m === undefined) offers.set(u, (m = new Map<number, number>()));
      m.set(c.row, c.scores[i]!);
    }
  }
  // Unchanged users whose list names a changed user or a removed one must be looked at even without an offer.
  for (const [u, list] of previous) {
    if (isChanged.has(u) || offers.has(u)) continue;
    if (list.rows.some((r) => r < 0 || isChanged.has(r))) offers.set(u, new Map<number, number>());
  }
  const patched = new Map<number, PreviousList>();
  const dirty: number[] = [];
  for (const [u, offer] of offers) {
    const list = previous.get(u) ?? { rows: new Int32Array(0), scores: new Float64Array(0) };
    const full = list.rows.length >= k;
    const kth = full ? list.scores[k - 1]! : 0;
    const entries: Array<{ row: number; score: number }> = [];
    let isDirty = false;
    for (let i = 0; i < list.rows.length; i++) {
      const r = list.rows[i]!;
      if (r >= 0 && !isChanged.has(r)) {
        entries.push({ row: r, score: list.scores[i]! });
        continue;
      }
      // A changed neighbour rescored below the old k-th (or gone) from a full list: an outsider may now belong
      // (within a tie of the k-th too: an outsider tied with it could win on the tie key).
      const now = r >= 0 ? (offer.get(r) ?? 0) : 0;
      if (full && now < kth + SCORE_TIE) {
        isDirty = true;
        break;
      }
    }
    if (isDirty) {
      dirty.push(u);
      continue;
    }
    for (const [c, score] of offer) if (score > 0) entries.push({ row: c, score });
    entries.sort(byScoreThenKey(tieKey));
    const top = entries.slice(0, k);
    const same =
      top.length === list.rows.length && top.every((e, i) => e.row === list.rows[i] && e.score === list.scores[i]);
    if (!same) {
      patched.set(u, { rows: Int32Array.from(top, (e) => e.row), scores: Float64Array.from(top, (e) => e.score) });
    }
  }
  dirty.sort((a, b) => a - b);
  return { patched, dirty: Int32Array.from(dirty) };
}

/** What one user's list change writes: the previous neighbours whose edge is ended, and the edges created. */
export interface ListChange {
  /** Previous neighbours (rows) no longer in the list, or in it with another score. */
  end: Int32Array;
  /** New neighbours (rows) and their scores, and those whose score changed. */
  add: PreviousList;
}

/**
 * The edges that turn a user's previous list into `next`: no rank is stored (readers order by score, then handle),
 * so an edge whose neighbour and score (within SCORE_TIE) are unchanged stays as it is, whatever its position.
 * A neighbour no longer in the graph (-1) has no edge left to end.
 */
export function listChange(previous: PreviousList | undefined, next: PreviousList): ListChange {
  const before = new Map<number, number>();
  if (previous !== undefined) {
    for (let i = 0; i < previous.rows.length; i++)
      if (previous.rows[i]! >= 0) before.set(previous.rows[i]!, previous.scores[i]!);
  }
  const addRows: number[] = [];
  const addScores: number[] = [];
  for (let i = 0; i < next.rows.length; i++) {
    const r = next.rows[i]!;
    const was = before.get(r);
    if (was !== undefined && Math.abs(was - next.scores[i]!) <= SCORE_TIE) {
      before.delete(r);
      continue;
    }
    addRows.push(r);
    addScores.push(next.scores[i]!);
  }
  return {
    end: Int32Array.from(before.keys()),
    add: { rows: Int32Array.from(addRows), scores: Float64Array.from(addScores) },
  };
}

/**
 * The list readers of the new version see once listChange(previous, next) is written: next's neighbours, those whose
 * edge stays (same neighbour, score within SCORE_TIE) with the previous score the edge holds; in reader order is up
 * to the caller (CompactListsBuilder sorts by score, then handle).
 */
export function listAsStored(previous: PreviousList | undefined, next: PreviousList): PreviousList {
  const before = new Map<number, number>();
  if (previous !== undefined) {
    for (let i = 0; i < previous.rows.length; i++)
      if (previous.rows[i]! >= 0) before.set(previous.rows[i]!, previous.scores[i]!);
  }
  const scores = Float64Array.from(next.scores);
  for (let i = 0; i < next.rows.length; i++) {
    const was = before.get(next.rows[i]!);
    if (was !== undefined && Math.abs(was - scores[i]!) <= SCORE_TIE) scores[i] = was;
  }
  return { rows: Int32Array.from(next.rows), scores };
}

/** When an incremental run says a full run is due: a weighting statistic or the user count moved more than this. */
export const FULL_RUN_DRIFT = 0.05;

/** How far the weighting moved from the frozen statistics to the current data's, per statistic and overall. */
export interface WeightingDrift {
  /** |users now - users then| / users then. */
  users: number;
  /** Per statistic (interestsIdf, viewsBm25Idf, ...): sum |now - then| / sum |then| over the current columns. */
  statistics: Record<string, number>;
  /** The largest of them all. */
  max: number;
}

const relativeL1 = (then: ArrayLike<number>, now: ArrayLike<number>): number => {
  let diff = 0;
  let base = 0;
  const n = Math.min(then.length, now.length);
  for (let i = 0; i < n; i++) {
    const a = Number.isFinite(then[i]!) ? then[i]! : 0;
    const b = Number.isFinite(now[i]!) ? now[i]! : 0;
    diff += Math.abs(b - a);
    base += Math.abs(a);
  }
  return base > 0 ? diff / base : diff > 0 ? 1 : 0;
};

/**
 * The drift between a version's frozen statistics (thawed onto the current columns) and the statistics the current
 * data gives: document frequencies enter through the idf figures (and BM25's idf and mean length), assessments
 * through the best score per tag.
 */
export function weightingDrift(then: WeightingStats, now: WeightingStats): WeightingDrift {
  const statistics: Record<string, number> = {};
  if (then.interestsIdf && now.interestsIdf) statistics.interestsIdf = relativeL1(then.interestsIdf, now.interestsIdf);
  if (then.viewsIdf && now.viewsIdf) statistics.viewsIdf = relativeL1(then.viewsIdf, now.viewsIdf);
  if (then.viewsBm25 && now.viewsBm25) {
    statistics.viewsBm25Idf = relativeL1(then.viewsBm25.idf, now.viewsBm25.idf);
    statistics.viewsBm25AvgLen = relativeL1([then.viewsBm25.avgLen], [now.viewsBm25.avgLen]);
  }
  if (then.courseTagsIdf && now.courseTagsIdf)
    statistics.courseTagsIdf = relativeL1(then.courseTagsIdf, now.courseTagsIdf);
  if (then.assessmentsMax && now.assessmentsMax)
    statistics.assessmentsMax = relativeL1(then.assessmentsMax, now.assessmentsMax);
  const users = then.users > 0 ? Math.abs(now.users - then.users) / then.users : 0;
  return { users, statistics, max: Math.max(users, ...Object.values(statistics)) };
}
