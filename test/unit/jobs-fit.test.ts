// Fitting on a validation split: interests get weight where they carry the signal, and none where they are noise.
import { fitForRun, sampleUsers, searchAxes, selectRows, validate, validationSplit } from '../../src/jobs/fit';
import { centredAs, trainAlsUsers } from '../../src/jobs/als-model';
import {
  alsSearch,
  annListSize,
  blendInterestCandidates,
  computeModel,
  computeModelWithChoice,
  defaultParams,
  FIT_ALS_ITERATIONS,
  type InterestMemo,
  type InterestShare,
  sparseAnnOptions,
} from '../../src/jobs/models';
import { Dictionary, TripleBuffer, UserIndex, type Signals } from '../../src/jobs/signals';
import { seededRandom } from '../../src/similarity/als';
import { csrFromTriples } from '../../src/similarity/csr';
import { createPool, type Pool } from '../../src/similarity/pool';

/**
 * 1,200 users in 6 communities of 10 courses and 8 tags. Every user watches 8 courses: one of the community's two
 * halves for `fromCommunity` of them, popular courses of all communities for the rest. With `plantedInterests`
 * a user follows 4 of the tags of their community and of the half they watch; otherwise 4 tags at random.
 */
function planted(plantedInterests: boolean, seed: number): Signals {
  const rand = seededRandom(seed);
  const users = 1200;
  const tags = new Dictionary();
  const courses = new Dictionary();
  for (let t = 0; t < 48; t++) tags.id(`t${t}`);
  for (let c = 0; c < 60; c++) courses.id(`c${c}`);
  const interests = new TripleBuffer();
  const views = new TripleBuffer();
  for (let r = 0; r < users; r++) {
    const community = r % 6;
    const half = Math.floor(r / 6) % 2;
    const seen = new Set<number>();
    while (seen.size < 8) {
      const c = rand() < 0.6 ? community * 10 + half * 5 + Math.floor(rand() * 5) : Math.floor(rand() * rand() * 60);
      if (!seen.has(c)) {
        seen.add(c);
        views.push(r, c, 100 + Math.floor(rand() * 3000));
      }
    }
    const followed = new Set<number>();
    while (followed.size < 4) {
      followed.add(plantedInterests ? community * 8 + half * 4 + Math.floor(rand() * 4) : Math.floor(rand() * 48));
    }
    for (const t of followed) interests.push(r, t, 1);
  }
  return {
    users: new UserIndex(Float64Array.from({ length: users }, (_, i) => i + 1)),
    tags,
    courses,
    interests: interests.toCsr(users, 48, 'max'),
    views: views.toCsr(users, 60, 'sum'),
    assessments: new TripleBuffer().toCsr(users, 48, 'max'),
    courseTags: csrFromTriples(60, 48, new Int32Array(0), new Int32Array(0), new Float32Array(0), 'max'),
  };
}

let pool: Pool;
beforeAll(() => {
  pool = createPool(2);
});
afterAll(async () => {
  await pool.close();
});

function params() {
  const p = defaultParams();
  p.als.factors = 8;
  p.als.iterations = 6;
  return p;
}

describe.each([
  ['planted interests', true],
  ['interests that are noise', false],
])('%s', (_name, plantedInterests) => {
  const s = planted(plantedInterests, 7);

  test('cosine: the fit weights interests only where they predict held-out courses', async () => {
    const fit = await fitForRun('cosine', s, params(), { pool });
    expect(fit).toBeDefined();
    if (plantedInterests) expect(fit!.params.weights.interests).toBeGreaterThanOrEqual(1);
    else expect(fit!.params.weights.interests).toBe(0);
    // The chosen candidate was tried, and no candidate beat it by more than a few per cent (MIN_GAIN per step).
    expect(fit!.tried.some((t) => t.recall === fit!.validation.recall)).toBe(true);
    expect(Math.max(...fit!.tried.map((t) => t.recall))).toBeLessThan(fit!.validation.recall * 1.05);
    expect(fit!.tried.length).toBeGreaterThan(5);
  });

  test('als: interests enter the factors or the blend only where they carry the signal', async () => {
    const fit = await fitForRun('als', s, params(), { pool });
    const als = fit!.params.als;
    if (plantedInterests) expect(als.interestWeight + als.blend).toBeGreaterThan(0);
    else expect([als.interestWeight, als.blend]).toEqual([0, 0]);
    // Trained for the run with the full sweep count, whatever the fit used.
    expect(fit!.params.als.iterations).toBe(6);
  });
});

test('centring factors trained uncentred gives what training with that centring gives (the fit trains once for both)', async () => {
  const s = planted(true, 3);
  const p = params();
  p.als.centre = 'mean';
  const direct = await trainAlsUsers(s, p, pool);
  const raw = await trainAlsUsers(s, { ...p, als: { ...p.als, centre: 'none' } }, pool);
  const again = centredAs(raw, s, p);
  expect(direct.mean).not.toBeNull();
  expect(again.mean).toEqual(direct.mean);
  expect(again.users.data).toEqual(direct.users.data);
  expect(raw.users.data).not.toEqual(direct.users.data); // the raw factors are left as they were
  expect(centredAs(raw, s, { ...p, als: { ...p.als, centre: 'none' } })).toBe(raw);
});

test('a fit searches trained factors once for every blend setting it rescores them with, with the same lists', async () => {
  const s = planted(true, 5);
  const p = params();
  const trained = await trainAlsUsers(s, p, pool);
  const rows = Int32Array.from({ length: 300 }, (_, i) => i * 4);
  const memo: InterestMemo = {};
  const searched = new Set<unknown>();
  for (const [blend, blendShrink] of [
    [1, 0],
    [4, 10],
  ] as const) {
    const q = { ...p, als: { ...p.als, blend, blendShrink } };
    const shared = await alsSearch(trained, s, q, pool, rows, memo);
    expect(memo.factorSearches?.get(trained.users)?.result.neighbours.k).toBeGreaterThanOrEqual(50);
    searched.add(memo.factorSearches?.get(trained.users));
    const alone = await alsSearch(trained, s, q, pool, rows);
    expect(shared.neighbours).toEqual(alone.neighbours);
  }
  expect(searched.size).toBe(1); // the second setting used the first one's search
  // ... and its candidates scored in both spaces, ranked again for the second setting's weight and shrink.
  expect(
    memo.blendPairs?.get(memo.factorSearches!.get(trained.users)!.result.neighbours)?.other.length,
  ).toBeGreaterThan(0);
});

test('an approximate blend takes its interest candidates from the interests model search itself, not a wider one', async () => {
  const p = defaultParams();
  // The interests search keeps 50 per user (the blend's candidates), cosine's 3k; never 3 x 50.
  expect(annListSize('interests', p)).toBe(50);
  expect(annListSize('cosine', p)).toBe(30);
  expect(annListSize('interests', { ...p, k: 20 })).toBe(60);
  expect(sparseAnnOptions('interests', p, new Float64Array(0)).listSize).toBe(50);
  expect(blendInterestCandidates(p)).toBe(50);
  expect(blendInterestCandidates({ ...p, k: 60 })).toBe(60); // never below k
  const s = planted(true, 5);
  const q = params();
  q.ann = true;
  q.search = 'ann';
  q.als = { ...q.als, blend: 4 };
  const memo: InterestMemo = {};
  const trained = await trainAlsUsers(s, q, pool);
  const result = await alsSearch(trained, s, q, pool, undefined, memo);
  expect(memo.lists?.k).toBe(50);
  expect(memo.factorSearches?.get(trained.users)?.k).toBe(50);
  expect(result.details.blendInterestCandidates).toBe(50);
  expect(result.neighbours.k).toBe(10);
  // The same search as the interests model's: its lists are the first 10 of the blend's candidates.
  const interests = await computeModelWithChoice('interests', s, q, { pool });
  for (let r = 0; r < s.users.size; r++) {
    expect(Array.from(memo.lists!.index.subarray(r * 50, r * 50 + 10))).toEqual(
      Array.from(interests.neighbours.index.subarray(r * 10, r * 10 + 10)),
    );
  }
});

test('a run with interests before ALS blends over the interests search it already ran, with the same lists', async () => {
  const s = planted(true, 5);
  const p = params();
  p.search = 'ann';
  p.als = { ...p.als, blend: 4 };
  const lines: string[] = [];
  const log = { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(l) };
  const share: InterestShare = {};
  const interests = await computeModelWithChoice('interests', s, p, { pool, share });
  // The model's own lists are the first 10 of the 50 kept, as without sharing.
  expect(share.lists?.k).toBe(50);
  expect(interests.neighbours).toEqual((await computeModelWithChoice('interests', s, p, { pool })).neighbours);
  expect(interests.neighbours.index.slice(0, 10)).toEqual(share.lists!.index.slice(0, 10));
  const als = await computeModelWithChoice('als', s, p, { pool, share, log });
  expect(lines.filter((l) => l.includes('kept from earlier in the run'))).toHaveLength(1);
  expect(share.lists).toBeUndefined(); // let go once ALS has them
  expect(als.neighbours).toEqual((await computeModelWithChoice('als', s, p, { pool })).neighbours);
  // Other interests settings (here k) search again rather than take lists they did not ask for.
  await computeModelWithChoice('interests', s, p, { pool, share });
  lines.length = 0;
  await computeModelWithChoice('als', s, { ...p, k: 5 }, { pool, share, log });
  expect(lines.filter((l) => l.includes('kept from earlier in the run'))).toHaveLength(0);
  expect(lines.filter((l) => l.includes('by interests (approximate)'))).toHaveLength(1);
});

test('a fit trains each candidate once per fold: candidates that differ only in the blend rescore those factors', async () => {
  const s = planted(true, 5);
  const p = params();
  const others = searchAxes('als', new Set())
    .map((a) => a.name)
    .filter((name) => name !== 'blend' && name !== 'blendShrink');
  const fit = await fitForRun('als', s, { ...p, fixed: new Set(others) }, { pool, screenMargin: 1 });
  expect(fit!.tried.length).toBeGreaterThanOrEqual(7); // the start, then the blend's and the shrink's values
  expect(fit!.trainings).toBe(2); // the start's factors, once per fold
  const alpha = await fitForRun(
    'als',
    s,
    { ...p, fixed: new Set([...others.filter((n) => n !== 'alpha')]) },
    {
      pool,
      screenMargin: 1,
    },
  );
  // Each alpha trains on both folds; the blend's values after it rescore the chosen alpha's factors.
  expect(alpha!.trainings).toBe(2 * new Set(alpha!.tried.map((t) => (t.choice as { alpha: number }).alpha)).size);
});

test('als: each candidate is judged by the mean of two folds, each its own split and initialisation', async () => {
  const s = planted(true, 7);
  const p = params();
  const fit = await fitForRun('als', s, p, { pool });
  expect(fit!.validation.folds).toBe(2);
  // Recompute the chosen candidate's figure by hand: fold i hides courses with seed fit.seed + i, trains with seed + i.
  const chosen = { ...fit!.params, als: { ...fit!.params.als, iterations: FIT_ALS_ITERATIONS } };
  const recalls: number[] = [];
  const hidden: Int32Array[] = [];
  for (const i of [0, 1]) {
    const v = validationSplit(s, { ...p.fit, seed: p.fit.seed + i });
    const q = { ...chosen, als: { ...chosen.als, seed: chosen.als.seed + i } };
    const result = await computeModel('als', v.train, q, pool, undefined, v.queryRows);
    recalls.push(validate(v, result.neighbours).recall);
    hidden.push(v.split.test.indices);
  }
  expect(hidden[0]).not.toEqual(hidden[1]);
  expect(fit!.validation.recall).toBeCloseTo((recalls[0]! + recalls[1]!) / 2, 10);
});

test('als: a candidate far below the best on the first fold is not scored on the second, and the choice is the same', async () => {
  const s = planted(false, 7);
  const screened = await fitForRun('als', s, params(), { pool });
  const full = await fitForRun('als', s, params(), { pool, screenMargin: 1 });
  expect(screened!.params.als).toEqual(full!.params.als);
  expect(screened!.validation).toEqual(full!.validation);
  const cut = screened!.tried.filter((t) => t.folds === 1);
  expect(cut.length).toBeGreaterThan(0);
  expect(full!.tried.every((t) => t.folds === undefined)).toBe(true);
  for (const t of cut) {
    // Scored on every fold, each screened candidate loses to the choice.
    const all = full!.tried.find((u) => JSON.stringify(u.choice) === JSON.stringify(t.choice));
    expect(all!.recall).toBeLessThan(full!.validation.recall);
  }
  expect(screened!.tried.map((t) => t.choice)).toEqual(full!.tried.map((t) => t.choice));
});

test('a fit decides the same whatever the clock and the load: candidates are counted, not timed', async () => {
  const s = planted(true, 7);
  const quiet = await fitForRun('cosine', s, params(), { pool });
  // As on a loaded machine, or a shard renewing its claim between candidates: ten minutes pass per reading.
  const real = performance.now.bind(performance);
  let calls = 0;
  const clock = jest.spyOn(performance, 'now').mockImplementation(() => real() + 600_000 * calls++);
  let progress = 0;
  try {
    const loaded = await fitForRun('cosine', s, params(), {
      pool,
      progress: async () => {
        progress++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });
    expect(loaded!.params.weights).toEqual(quiet!.params.weights);
    expect(loaded!.params.viewsWeighting).toBe(quiet!.params.viewsWeighting);
    expect(loaded!.tried).toEqual(quiet!.tried);
    expect(loaded!.skipped).toBe(0);
    expect(progress).toBe(quiet!.tried.length);
  } finally {
    clock.mockRestore();
  }
});

test('a fit scores at most maxCandidates candidates (its start included) and says how many it skipped', async () => {
  const s = planted(true, 7);
  const all = await fitForRun('cosine', s, params(), { pool });
  const p = params();
  p.fit.maxCandidates = 3;
  const cut = await fitForRun('cosine', s, p, { pool });
  expect(cut!.tried).toEqual(all!.tried.slice(0, 3));
  expect(cut!.skipped).toBeGreaterThan(0);
  expect(all!.skipped).toBe(0);
  expect(all!.tried.length).toBeLessThanOrEqual(params().fit.maxCandidates);
});

test('explicit choices are left as given', async () => {
  const p = params();
  p.weights = { interests: 3, views: 1, courseTags: 0, assessments: 0 };
  for (const key of ['interests', 'views', 'courseTags', 'assessments']) p.fixed.add(`weights.${key}`);
  const fit = await fitForRun('cosine', planted(false, 7), p, { pool });
  expect(fit!.params.weights).toEqual({ interests: 3, views: 1, courseTags: 0, assessments: 0 });
});

test('the validation split is seeded and hides a fifth (rounded to the nearest, at least one) of the courses of users with 2+', () => {
  const s = planted(true, 7);
  const p = defaultParams();
  const a = validationSplit(s, p.fit);
  const b = validationSplit(s, p.fit);
  expect(a.split.test.indices).toEqual(b.split.test.indices);
  // 8 courses per user: round(1.6) = 2 hidden from each.
  expect(a.split.test.indices.length).toBe(2400);
  expect(a.queryRows.length).toBe(1200);
  expect(validationSplit(s, { ...p.fit, seed: p.fit.seed + 1 }).split.test.indices).not.toEqual(a.split.test.indices);
});

test('past maxQueryUsers, a seeded sample of the users with 2+ courses is hidden from and scored; the others keep all', () => {
  const s = planted(true, 7);
  const p = defaultParams();
  const fit = { ...p.fit, maxQueryUsers: 300 };
  const a = validationSplit(s, fit);
  expect(a.queryRows.length).toBe(300);
  expect(a.split.test.indices.length).toBe(600);
  expect(validationSplit(s, fit).queryRows).toEqual(a.queryRows);
  expect(validationSplit(s, { ...fit, seed: fit.seed + 1 }).queryRows).not.toEqual(a.queryRows);
  const views = s.views!;
  const train = a.train.views!;
  const scored = new Set(a.queryRows);
  for (let r = 0; r < views.rows; r++) {
    const kept = train.indptr[r + 1]! - train.indptr[r]!;
    expect(kept).toBe(views.indptr[r + 1]! - views.indptr[r]! - (scored.has(r) ? 2 : 0));
  }
  // At or under the cap, every such user is scored (as without one).
  expect(validationSplit(s, { ...fit, maxQueryUsers: 1200 }).queryRows.length).toBe(1200);
});

test('too few users to validate: no fit, and the reason is logged', async () => {
  const s = sampleUsers(planted(true, 7), 40, 1);
  const lines: string[] = [];
  const fit = await fitForRun('cosine', s, params(), {
    pool,
    log: { info: (m: string) => lines.push(m), warn: () => undefined },
  });
  expect(fit).toBeUndefined();
  expect(lines.join('\n')).toContain('not fitted: 40 users with 2+ viewed courses');
});

test('selectRows and sampleUsers keep rows and handles together', () => {
  const s = planted(true, 7);
  const sub = sampleUsers(s, 100, 3);
  expect(sub.users.size).toBe(100);
  const r = sub.users.row(sub.users.handles[10]!)!;
  const original = s.users.row(sub.users.handles[10]!)!;
  const row = (m: { indptr: Int32Array; indices: Int32Array }, i: number) => [
    ...m.indices.subarray(m.indptr[i], m.indptr[i + 1]),
  ];
  expect(row(sub.views!, r)).toEqual(row(s.views!, original));
  expect(selectRows(s.views!, Int32Array.from([5, 2])).rows).toBe(2);
});
