// Evaluation metrics and the hold-out split on hand-worked examples.
import { csrFromTriples } from '../../src/similarity/csr';
import type { Neighbours } from '../../src/similarity/types';
import {
  catalogueCoverage,
  communityShare,
  holdOut,
  ndcgAtK,
  popularityOrder,
  recallAtK,
  recommendFromNeighbours,
  recommendInOrder,
  recommendRandom,
  scoreRecommender,
} from '../../src/jobs/metrics';
import { seededRandom } from '../../src/similarity/als';

function csr(rows: number, cols: number, entries: Array<[number, number, number?]>) {
  return csrFromTriples(
    rows,
    cols,
    Int32Array.from(entries.map((e) => e[0])),
    Int32Array.from(entries.map((e) => e[1])),
    Float32Array.from(entries.map((e) => e[2] ?? 1)),
    'sum',
  );
}

describe('recall@k', () => {
  test('hits in the first k over all relevant items', () => {
    // Relevant {3, 7, 9}; ranking 7, 1, 3, 9: two hits in the first 3.
    expect(recallAtK([7, 1, 3, 9], new Set([3, 7, 9]), 3)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK([7, 1, 3, 9], new Set([3, 7, 9]), 10)).toBe(1);
    expect(recallAtK([], new Set([1]), 10)).toBe(0);
  });

  test('undefined when nothing is relevant', () => {
    expect(recallAtK([1, 2], new Set(), 10)).toBeUndefined();
  });
});

describe('NDCG@k', () => {
  test('discounts hits by log2(rank + 1) against the ideal ranking', () => {
    // Relevant {a=1, b=2}; hits at ranks 2 and 3: DCG = 1/log2(3) + 1/log2(4) = 0.63093 + 0.5;
    // ideal: ranks 1 and 2 = 1 + 0.63093.
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(4);
    const ideal = 1 + 1 / Math.log2(3);
    expect(ndcgAtK([9, 1, 2], new Set([1, 2]), 10)).toBeCloseTo(dcg / ideal, 12);
    expect(ndcgAtK([1, 2, 9], new Set([1, 2]), 10)).toBe(1);
    expect(ndcgAtK([9, 8], new Set([1]), 10)).toBe(0);
  });

  test('the ideal counts at most k relevant items', () => {
    // 3 relevant, k = 2, both slots hit: perfect.
    expect(ndcgAtK([1, 2], new Set([1, 2, 3]), 2)).toBe(1);
    // Only rank 2 of 2 hits: (1/log2 3) / (1 + 1/log2 3).
    expect(ndcgAtK([9, 2], new Set([1, 2, 3]), 2)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12);
  });
});

test('catalogue coverage: distinct recommended items over the catalogue', () => {
  expect(catalogueCoverage([[1, 2], [2, 3], []], 10)).toBeCloseTo(0.3, 12);
  expect(catalogueCoverage([], 10)).toBe(0);
});

test('community share: same-community neighbours per user, averaged over users with neighbours', () => {
  // Row 0: neighbours 1 (same), 2 (other) -> 1/2. Row 1: neighbour 0 (same) -> 1. Row 2: none. Row 3: unknown community.
  const nb: Neighbours = {
    rows: 4,
    k: 2,
    index: Int32Array.from([1, 2, 0, -1, -1, -1, 0, 1]),
    score: Float32Array.from([0.9, 0.5, 0.9, 0, 0, 0, 0.3, 0.2]),
  };
  expect(communityShare(nb, Int32Array.from([0, 0, 1, -1]))).toBeCloseTo(0.75, 12);
  expect(communityShare(nb, Int32Array.from([-1, -1, -1, -1]))).toBeUndefined();
});

describe('hold-out split', () => {
  const m = csr(4, 10, [
    ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((c): [number, number] => [0, c]),
    [1, 3],
    [2, 4],
    [2, 5],
    [3, 1],
    [3, 2],
    [3, 3],
    [3, 4],
    [3, 5],
  ]);

  test('hides round(20%) of each row with >= 2 items (at least one, never all), seeded', () => {
    const a = holdOut(m, 0.2, 7);
    const b = holdOut(m, 0.2, 7);
    const hidden = (r: number) => a.test.indptr[r + 1]! - a.test.indptr[r]!;
    expect([0, 1, 2, 3].map(hidden)).toEqual([2, 0, 1, 1]);
    expect(a.rows).toBe(3);
    expect(a.test.indices).toEqual(b.test.indices);
    // Train and test partition each row.
    for (let r = 0; r < 4; r++) {
      const train = [...a.train.indices.subarray(a.train.indptr[r], a.train.indptr[r + 1])];
      const test = [...a.test.indices.subarray(a.test.indptr[r], a.test.indptr[r + 1])];
      const all = [...m.indices.subarray(m.indptr[r], m.indptr[r + 1])];
      expect([...train, ...test].sort((x, y) => x - y)).toEqual(all);
    }
    expect(holdOut(m, 0.2, 8).test.indices).not.toEqual(a.test.indices);
  });

  test('with `only`, the other rows keep all their items', () => {
    const a = holdOut(m, 0.2, 7, 2, 'round', Uint8Array.from([0, 1, 0, 1]));
    const hidden = (r: number) => a.test.indptr[r + 1]! - a.test.indptr[r]!;
    expect([0, 1, 2, 3].map(hidden)).toEqual([0, 0, 0, 1]);
    expect(a.rows).toBe(1);
    expect([...a.train.indices.subarray(a.train.indptr[0], a.train.indptr[1])]).toEqual([
      ...m.indices.subarray(m.indptr[0], m.indptr[1]),
    ]);
  });
});

describe('recommenders', () => {
  // Items seen: row 0 {0}, row 1 {0, 1, 2}, row 2 {2, 3}, row 3 {}.
  const items = csr(4, 5, [
    [0, 0],
    [1, 0],
    [1, 1],
    [1, 2],
    [2, 2],
    [2, 3],
  ]);

  test('from neighbours: unseen items scored by summed similarity, ties by item', () => {
    // Row 0's neighbours: 1 (0.8) and 2 (0.5). Item 2: 0.8 + 0.5 = 1.3; item 1: 0.8; item 3: 0.5; item 0 is seen.
    const nb: Neighbours = {
      rows: 4,
      k: 2,
      index: Int32Array.from([1, 2, -1, -1, -1, -1, -1, -1]),
      score: Float32Array.from([0.8, 0.5, 0, 0, 0, 0, 0, 0]),
    };
    expect([...recommendFromNeighbours(nb, items, 0, 10)]).toEqual([2, 1, 3]);
    expect([...recommendFromNeighbours(nb, items, 0, 2)]).toEqual([2, 1]);
    expect([...recommendFromNeighbours(nb, items, 3, 10)]).toEqual([]);
  });

  test('popularity: most held first, skipping what the row holds', () => {
    const order = popularityOrder(items);
    expect([...order]).toEqual([0, 2, 1, 3, 4]);
    expect([...recommendInOrder(order, items, 2, 2)]).toEqual([0, 1]);
  });

  test('random: distinct unseen items, seeded', () => {
    const a = recommendRandom(seededRandom(3), items, 1, 10);
    expect([...a].sort()).toEqual([3, 4]);
    expect(recommendRandom(seededRandom(3), items, 0, 3)).toEqual(recommendRandom(seededRandom(3), items, 0, 3));
  });

  test('scoreRecommender averages over rows with hidden items', () => {
    const split = {
      train: items,
      test: { indptr: Int32Array.from([0, 1, 1, 3, 3]), indices: Int32Array.from([4, 0, 1]) },
      rows: 2,
    };
    // Row 0 hides {4}, recommended [4, 1]: recall 1, NDCG 1. Row 2 hides {0, 1}, recommended [1, 4]: recall 1/2,
    // NDCG (1) / (1 + 1/log2 3). Coverage {4, 1} of 5 items.
    const recs: Record<number, number[]> = { 0: [4, 1], 2: [1, 4] };
    const f = scoreRecommender(split, 10, (r) => recs[r] ?? []);
    expect(f.users).toBe(2);
    expect(f.recall).toBeCloseTo(0.75, 12);
    expect(f.ndcg).toBeCloseTo((1 + 1 / (1 + 1 / Math.log2(3))) / 2, 12);
    expect(f.coverage).toBeCloseTo(0.4, 12);
  });
});
