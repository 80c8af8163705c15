import { csrFromTriples, l2NormalizeRows, toDense } from '../../src/similarity/csr';
import { seededRandom } from '../../src/similarity/als';
import { changedNeighbours, cosineTopKSync } from '../../src/similarity/topk';
import type { Csr, Neighbours } from '../../src/similarity/types';
import {
  listChange,
  patchLists,
  SCORE_TIE,
  scoresOfChanged,
  weightingDrift,
  type ChangedScores,
  type PreviousList,
} from '../../src/jobs/incremental';

/** A random sparse users x items matrix: each row holds 1-4 of `cols` items with weights in (0, 1]. */
function randomRows(rows: number, cols: number, seed: number): number[][] {
  const random = seededRandom(seed);
  return Array.from({ length: rows }, () => {
    const row = new Array<number>(cols).fill(0);
    const n = 1 + Math.floor(random() * 4);
    for (let i = 0; i < n; i++) row[Math.floor(random() * cols)] = 0.1 + Math.floor(random() * 9) / 10;
    return row;
  });
}

function csr(dense: number[][]): Csr {
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  dense.forEach((row, i) =>
    row.forEach((x, j) => {
      if (x !== 0) {
        r.push(i);
        c.push(j);
        v.push(x);
      }
    }),
  );
  const cols = dense[0]?.length ?? 0;
  return csrFromTriples(dense.length, cols, Int32Array.from(r), Int32Array.from(c), Float32Array.from(v), 'sum');
}

function lists(nb: Neighbours): Map<number, PreviousList> {
  const out = new Map<number, PreviousList>();
  for (let r = 0; r < nb.rows; r++) {
    const rows: number[] = [];
    const scores: number[] = [];
    for (let j = 0; j < nb.k; j++) {
      const idx = nb.index[r * nb.k + j]!;
      if (idx < 0) break;
      rows.push(idx);
      scores.push(nb.score[r * nb.k + j]!);
    }
    if (rows.length > 0) out.set(r, { rows: Int32Array.from(rows), scores: Float64Array.from(scores) });
  }
  return out;
}

/** A list as (score to 5 decimals, row) pairs, ties by row: comparable across summation orders. */
const canonical = (l: PreviousList | undefined): Array<[number, number]> =>
  Array.from(l?.rows ?? [], (r, i): [number, number] => [Math.round(l!.scores[i]! * 1e5), r]).sort(
    (a, b) => b[0] - a[0] || a[1] - b[1],
  );

const list = (rows: number[], scores: number[]): PreviousList => ({
  rows: Int32Array.from(rows),
  scores: Float64Array.from(scores),
});
const offer = (row: number, pairs: Array<[number, number]>): ChangedScores => ({
  row,
  users: Int32Array.from(pairs.map((p) => p[0])),
  scores: Float64Array.from(pairs.map((p) => p[1])),
});
const tieKey = Float64Array.from({ length: 100 }, (_, i) => i);

describe('scoresOfChanged', () => {
  it("gives each changed row's cosine with every other row that shares an item, itself left out", () => {
    const m = l2NormalizeRows(csr(randomRows(40, 12, 3)));
    const dense = toDense(m);
    const changed = Int32Array.from([0, 7, 39]);
    for (const c of scoresOfChanged(m, changed)) {
      const expected = new Map<number, number>();
      for (let u = 0; u < m.rows; u++) {
        let dot = 0;
        for (let j = 0; j < m.cols; j++) dot += dense[c.row * m.cols + j]! * dense[u * m.cols + j]!;
        if (u !== c.row && dot > 0) expected.set(u, dot);
      }
      expect(c.users.length).toBe(expected.size);
      c.users.forEach((u, i) => expect(c.scores[i]).toBeCloseTo(expected.get(u)!, 6));
    }
  });
});

describe('patchLists', () => {
  it('lets a changed user into a full list when it beats the k-th neighbour, and no further', () => {
    const previous = new Map([[1, list([2, 3], [0.9, 0.5])]]);
    const out = patchLists({ k: 2, previous, changed: [offer(7, [[1, 0.6]])], tieKey });
    expect(out.dirty).toEqual(new Int32Array(0));
    expect(out.patched.get(1)).toEqual(list([2, 7], [0.9, 0.6]));
    const weaker = patchLists({ k: 2, previous, changed: [offer(7, [[1, 0.4]])], tieKey });
    expect(weaker.patched.size).toBe(0);
  });

  it('fills a list shorter than k, and breaks equal scores by the tie key', () => {
    const previous = new Map([[1, list([5], [0.5])]]);
    const out = patchLists({ k: 3, previous, changed: [offer(9, [[1, 0.5]]), offer(4, [[1, 0.5]])], tieKey });
    expect(out.patched.get(1)).toEqual(list([4, 5, 9], [0.5, 0.5, 0.5]));
  });

  it('gives a list to an unchanged user who had none, when a changed user now shares something with it', () => {
    const out = patchLists({ k: 2, previous: new Map(), changed: [offer(3, [[8, 0.2]])], tieKey });
    expect(out.patched.get(8)).toEqual(list([3], [0.2]));
  });

  it('rescores a changed neighbour that stays above the k-th, and marks the list dirty when it falls below', () => {
    const previous = new Map([[1, list([6, 2, 3], [0.9, 0.5, 0.4])]]);
    const stays = patchLists({ k: 3, previous, changed: [offer(6, [[1, 0.45]])], tieKey });
    expect(stays.patched.get(1)).toEqual(list([2, 6, 3], [0.5, 0.45, 0.4]));
    const falls = patchLists({ k: 3, previous, changed: [offer(6, [[1, 0.1]])], tieKey });
    expect(Array.from(falls.dirty)).toEqual([1]);
    expect(falls.patched.size).toBe(0);
    // The changed user no longer shares anything with user 1: gone, and the list was full.
    const gone = patchLists({ k: 3, previous, changed: [offer(6, [])], tieKey });
    expect(Array.from(gone.dirty)).toEqual([1]);
  });

  it('drops a changed or removed neighbour from a list shorter than k without recomputing it', () => {
    const previous = new Map([[1, list([6, -1], [0.9, 0.5])]]);
    const out = patchLists({ k: 3, previous, changed: [offer(6, [])], tieKey });
    expect(out.dirty.length).toBe(0);
    expect(out.patched.get(1)).toEqual(list([], []));
  });

  it('marks a full list holding a neighbour no longer in the graph (-1) dirty', () => {
    const previous = new Map([[1, list([2, -1], [0.9, 0.5])]]);
    expect(Array.from(patchLists({ k: 2, previous, changed: [], tieKey }).dirty)).toEqual([1]);
  });

  it('leaves the changed users themselves alone (they are recomputed)', () => {
    const previous = new Map([[7, list([1], [0.3])]]);
    const out = patchLists({ k: 2, previous, changed: [offer(7, [[1, 0.9]]), offer(1, [[7, 0.9]])], tieKey });
    expect(out.patched.size).toBe(0);
    expect(out.dirty.length).toBe(0);
  });

  it('with the dirty users recomputed, gives every unchanged user exactly the full search on the new rows', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const k = 5;
      const before = randomRows(120, 15, seed);
      const random = seededRandom(seed + 100);
      const changedRows = [...new Set(Array.from({ length: 8 }, () => Math.floor(random() * 120)))];
      const after = before.map((row) => [...row]);
      const fresh = randomRows(changedRows.length, 15, seed + 200);
      changedRows.forEach((r, i) => (after[r] = fresh[i]!));
      const keys = Float64Array.from({ length: 120 }, (_, i) => i);
      const old = lists(cosineTopKSync(csr(before), k, { tieKey: keys }));
      const full = lists(cosineTopKSync(csr(after), k, { tieKey: keys }));
      const changed = Int32Array.from(changedRows).sort();
      // Scores below a user's previous k-th left out, as the job does: the same outcome, in bounded memory.
      const floor = new Float64Array(120);
      for (const [r, l] of old) if (l.rows.length >= k) floor[r] = l.scores[k - 1]!;
      const withFloor = scoresOfChanged(l2NormalizeRows(csr(after)), changed, floor);
      const out = patchLists({ k, previous: old, changed: withFloor, tieKey: keys });
      const all = patchLists({
        k,
        previous: old,
        changed: scoresOfChanged(l2NormalizeRows(csr(after)), changed),
        tieKey: keys,
      });
      expect(Array.from(out.dirty)).toEqual(Array.from(all.dirty));
      // (The lists themselves are checked against the full search below; a patch may rewrite an equal list.)
      const dirty = new Set(out.dirty);
      for (let u = 0; u < 120; u++) {
        if (changed.includes(u) || dirty.has(u)) continue;
        const got = out.patched.get(u) ?? old.get(u);
        const want = full.get(u);
        // Equal scores (to float32 rounding) in either order: the two computations sum in different orders.
        expect({ u, list: canonical(got) }).toEqual({ u, list: canonical(want) });
      }
    }
  });
});

describe('changedNeighbours', () => {
  /** The kept scores by row, each row's pairs ordered by user: comparable whatever order a kernel found them in. */
  const byRow = (rows: readonly ChangedScores[]) =>
    rows.map((c) => {
      const order = Array.from(c.users.keys()).sort((a, b) => c.users[a]! - c.users[b]!);
      return { row: c.row, users: order.map((i) => c.users[i]!), scores: order.map((i) => c.scores[i]!) };
    });

  it("gives the changed rows' exact lists and their scores above others' floors, as the two searches apart do", async () => {
    // 40 items: mostly short postings (touched rows); 5 items: every row's products reach most rows (the dense scan).
    for (const [cols, seed] of [
      [40, 1],
      [40, 2],
      [5, 3],
      [5, 4],
    ] as const) {
      const k = 4;
      const m = csr(randomRows(300, cols, seed));
      const keys = Float64Array.from({ length: 300 }, (_, i) => 1000 - i);
      const previous = lists(cosineTopKSync(m, k, { tieKey: keys }));
      const random = seededRandom(seed + 50);
      const changed = Int32Array.from(new Set(Array.from({ length: 25 }, () => Math.floor(random() * 300)))).sort();
      const floor = new Float64Array(300);
      for (const [r, l] of previous) if (l.rows.length >= k) floor[r] = l.scores[k - 1]!;
      for (const r of changed) floor[r] = Infinity;
      const want = {
        lists: cosineTopKSync(m, k, { tieKey: keys, queryRows: changed }),
        scores: byRow(scoresOfChanged(l2NormalizeRows(m), changed, floor)),
      };
      expect(want.scores.some((c) => c.users.length > 0)).toBe(true);
      for (const threads of [1, 2]) {
        const got = await changedNeighbours(m, k, {
          tieKey: keys,
          queryRows: changed,
          floor,
          slack: SCORE_TIE,
          threads,
        });
        expect({ cols, threads, index: Array.from(got.neighbours.index) }).toEqual({
          cols,
          threads,
          index: Array.from(want.lists.index),
        });
        expect(Array.from(got.neighbours.score)).toEqual(Array.from(want.lists.score));
        expect(byRow(got.scores)).toEqual(want.scores);
      }
    }
  });

  it('refuses floors that are not one per row', async () => {
    const m = csr(randomRows(10, 5, 1));
    await expect(
      changedNeighbours(m, 2, {
        tieKey: Float64Array.from({ length: 10 }, (_, i) => i),
        queryRows: Int32Array.of(1),
        floor: new Float64Array(9),
        slack: 0,
        threads: 1,
      }),
    ).rejects.toThrow('expected 10 floors (one per row), but got 9');
  });
});

describe('weightingDrift', () => {
  it('is 0 for the same statistics and the relative L1 change otherwise, the largest one overall', () => {
    const then = { users: 100, interestsIdf: Float32Array.from([1, 2, 1]) };
    expect(weightingDrift(then, { ...then }).max).toBe(0);
    const now = { users: 101, interestsIdf: Float32Array.from([1, 2.2, 1.2]) };
    const d = weightingDrift(then, now);
    expect(d.users).toBeCloseTo(0.01, 10);
    expect(d.statistics.interestsIdf).toBeCloseTo(0.1, 6);
    expect(d.max).toBeCloseTo(0.1, 6);
  });

  it('counts a best score nobody had before (-Infinity then) from 0', () => {
    const d = weightingDrift(
      { users: 10, assessmentsMax: Float64Array.from([100, -Infinity]) },
      { users: 10, assessmentsMax: Float64Array.from([100, 50]) },
    );
    expect(d.statistics.assessmentsMax).toBeCloseTo(0.5, 10);
  });
});

describe('listChange: only the edges that differ are ended and created', () => {
  const list = (rows: number[], scores: number[]): PreviousList => ({
    rows: Int32Array.from(rows),
    scores: Float64Array.from(scores),
  });

  test('a patched list where one neighbour enters and the last leaves: one edge ended, one created', () => {
    const c = listChange(list([1, 2, 3, 4], [0.9, 0.8, 0.7, 0.6]), list([1, 9, 2, 3], [0.9, 0.85, 0.8, 0.7]));
    expect([...c.end]).toEqual([4]);
    expect({ rows: [...c.add.rows], scores: [...c.add.scores] }).toEqual({ rows: [9], scores: [0.85] });
  });

  test('a rescored neighbour is ended and created again with its new score; a score within SCORE_TIE stays', () => {
    const c = listChange(list([1, 2, 3], [0.9, 0.8, 0.7]), list([2, 1, 3], [0.8 + 1e-7, 0.75, 0.7]));
    expect([...c.end]).toEqual([1]);
    expect({ rows: [...c.add.rows], scores: [...c.add.scores] }).toEqual({ rows: [1], scores: [0.75] });
  });

  test('a new user writes its whole list; an emptied list ends every edge; removed neighbours have none', () => {
    expect([...listChange(undefined, list([3, 1], [0.5, 0.4])).add.rows]).toEqual([3, 1]);
    const emptied = listChange(list([1, -1, 2], [0.9, 0.8, 0.7]), list([], []));
    expect([...emptied.end].sort()).toEqual([1, 2]);
    expect(emptied.add.rows.length).toBe(0);
    const same = listChange(list([1, 2], [0.9, 0.8]), list([1, 2], [0.9, 0.8]));
    expect(same.end.length + same.add.rows.length).toBe(0);
  });
});
