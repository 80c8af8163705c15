// The job's glue: option parsing, model matrices built from signals, and the rows written per user.
import { csrFromTriples, toDense } from '../../src/similarity/csr';
import type { Csr, Neighbours } from '../../src/similarity/types';
import {
  annPartitionRows,
  cosineMatrix,
  DEFAULT_WEIGHTS,
  defaultParams,
  parseModels,
  parseWeights,
  computeModel,
  DEFAULT_SPARSE_ANN,
  paramsOf,
  PARTITION_GROWTH_FROM,
  sparseAnnOptions,
  estimateExactCost,
  MIN_SAMPLED_SECONDS,
  searchProgress,
  SEARCH_PROGRESS_EVERY_SECONDS,
  timeSampled,
  weightedMatrix,
  weightingStats,
  type ModelName,
  type ModelParams,
} from '../../src/jobs/models';
import { Dictionary, UserIndex, type Signals } from '../../src/jobs/signals';
import { edgeRows } from '../../src/jobs/similarity-job';
import { randomSignals } from '../helpers/signals';

function csr(rows: number, cols: number, entries: Array<[number, number, number]>): Csr {
  return csrFromTriples(
    rows,
    cols,
    Int32Array.from(entries.map((e) => e[0])),
    Int32Array.from(entries.map((e) => e[1])),
    Float32Array.from(entries.map((e) => e[2])),
    'sum',
  );
}

function signals(): Signals {
  const tags = new Dictionary();
  ['a', 'b'].forEach((t) => tags.id(t));
  const courses = new Dictionary();
  ['c0', 'c1'].forEach((c) => courses.id(c));
  return {
    users: new UserIndex(Float64Array.from([10, 20, 30])),
    tags,
    courses,
    interests: csr(3, 2, [
      [0, 0, 1],
      [1, 0, 1],
      [1, 1, 1],
    ]),
    views: csr(3, 2, [
      [0, 1, 100],
      [2, 1, 50],
    ]),
    assessments: csr(3, 2, [[2, 1, 80]]),
    courseTags: csr(2, 2, [[1, 1, 1]]),
  };
}

describe('options', () => {
  test('weights: a subset over the defaults; bad names and values say what arrived', () => {
    expect(parseWeights('views=2, assessments=0')).toMatchObject({
      views: 2,
      assessments: 0,
      interests: DEFAULT_WEIGHTS.interests,
    });
    expect(() => parseWeights('view=2')).toThrow('--weights: expected name=number pairs');
    expect(() => parseWeights('views=-1')).toThrow('got "views=-1"');
  });

  test('models: all, a list, duplicates dropped, unknown names rejected', () => {
    expect(parseModels(undefined)).toEqual(['interests', 'course_views', 'assessments', 'cosine', 'als']);
    expect(parseModels('cosine,als,cosine')).toEqual(['cosine', 'als']);
    expect(() => parseModels('pagerank')).toThrow('--model: expected one of interests, course_views');
  });
});

describe('cosine model matrix', () => {
  test('blocks are L2-normalised per user and scaled by their weight; zero-weight blocks are left out', () => {
    const p = defaultParams();
    p.weights = { interests: 2, views: 0, courseTags: 0, assessments: 1 };
    const m = cosineMatrix(signals(), p);
    expect(m.cols).toBe(4); // interests (2 tags) + assessments (2 tags)
    const d = toDense(m);
    const row = (r: number) => Array.from(d.subarray(r * 4, r * 4 + 4));
    // User 0 follows only a: unit vector times 2. User 2 assessed b only: unit times 1.
    expect(row(0)).toEqual([2, 0, 0, 0]);
    expect(row(2)).toEqual([0, 0, 0, 1]);
    // User 1 follows a and b: both TF-IDF weighted, the block scaled to norm 2.
    const [a, b] = row(1);
    expect(Math.hypot(a!, b!)).toBeCloseTo(2, 5);
  });

  test('all weights zero is bad input', () => {
    const p = defaultParams();
    p.weights = { interests: 0, views: 0, courseTags: 0, assessments: 0 };
    expect(() => cosineMatrix(signals(), p)).toThrow('expected at least one weight above 0');
  });

  test('course_views: users without views have no signal and no neighbours', async () => {
    const p = defaultParams();
    p.threads = 1;
    const r = await computeModel('course_views', signals(), p);
    expect(r.usersWithSignal).toBe(2);
    expect(Array.from(r.neighbours.index.subarray(0, 1))).toEqual([2]);
    expect(r.neighbours.index[10]).toBe(-1);
  });

  test('--ann on a sparse model: the same neighbours on a small set, recall and settings recorded', async () => {
    const exact = defaultParams();
    exact.threads = 1;
    const approx = { ...exact, ann: true };
    for (const model of ['interests', 'cosine'] as const) {
      const e = await computeModel(model, signals(), exact);
      const a = await computeModel(model, signals(), approx);
      expect(Array.from(a.neighbours.index)).toEqual(Array.from(e.neighbours.index));
      expect(Array.from(a.neighbours.score)).toEqual(Array.from(e.neighbours.score));
      expect(a.details).toMatchObject({ annRecall: 1, annRecallSample: 3, exactRows: 0 });
      expect(paramsOf(model, approx)).toMatchObject({ ann: true, annSearch: DEFAULT_SPARSE_ANN });
      expect(paramsOf(model, exact)).toMatchObject({ ann: false });
    }
    // course_views stays exact under --ann: no recall measured, recorded as exact
    const views = await computeModel('course_views', signals(), approx);
    expect(views.details).toEqual({});
    expect(paramsOf('course_views', approx)).toMatchObject({ ann: false });
  });
});

test("annPartitionRows: interests' partitions grow with the square root of the users past the threshold", () => {
  const p = defaultParams();
  const base = DEFAULT_SPARSE_ANN.partitionRows;
  expect(annPartitionRows('interests', p, 1_000)).toBe(base);
  expect(annPartitionRows('interests', p, PARTITION_GROWTH_FROM)).toBe(base);
  expect(annPartitionRows('interests', p, 4 * PARTITION_GROWTH_FROM)).toBe(2 * base);
  expect(annPartitionRows('interests', p, 1_000_000)).toBe(6_000);
  expect(annPartitionRows('interests', p, 2_000_000)).toBe(Math.round(base * Math.sqrt(8)));
  // Cosine keeps the fixed size; HNSW (0) stays HNSW.
  expect(annPartitionRows('cosine', p, 1_000_000)).toBe(base);
  const hnsw = { ...p, sparseAnn: { ...p.sparseAnn, partitionRows: 0 } };
  expect(annPartitionRows('interests', hnsw, 1_000_000)).toBe(0);
  // The job's options: one tie key per user searched.
  expect(sparseAnnOptions('interests', p, new Float64Array(1_000_000)).partitionRows).toBe(6_000);
  expect(sparseAnnOptions('cosine', p, new Float64Array(1_000_000)).partitionRows).toBe(base);
});

test('edge rows: neighbour handles and scores in rank order, users without neighbours skipped', () => {
  const nb: Neighbours = {
    rows: 3,
    k: 2,
    index: Int32Array.from([2, 1, -1, -1, 0, -1]),
    score: Float32Array.from([0.5, 0.25, 0, 0, 0.75, 0]),
  };
  const users = new UserIndex(Float64Array.from([10, 20, 30]));
  expect(edgeRows(nb, users, 0, 3)).toEqual([
    { h: 10, n: [30, 20], s: [0.5, 0.25] },
    { h: 30, n: [10], s: [0.75] },
  ]);
  expect(edgeRows(nb, users, 1, 2)).toEqual([]);
});

describe('estimateExactCost', () => {
  test('wall and CPU seconds of the exact search, scaled from a sample; nothing to search costs nothing', async () => {
    const m = csr(
      40,
      3,
      Array.from({ length: 40 }, (_, r): [number, number, number] => [r, r % 3, 1 + (r % 4)]),
    );
    const cost = await estimateExactCost(m, 5, { threads: 1, sample: 10 });
    for (const s of [cost.seconds, cost.cpuSeconds]) {
      expect(Number.isFinite(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
    }
    expect(await estimateExactCost(csr(0, 3, []), 5, { threads: 1 })).toEqual({ seconds: 0, cpuSeconds: 0 });
  });
});

describe("timeSampled: the sampled users' time apart from the fixed cost", () => {
  /** A search with a fixed cost and a cost per user; the first run (cold) costs `cold` more. Records the sizes run. */
  function search(fixed: number, perUser: number, cold: number) {
    const sizes: number[] = [];
    const run = (n: number) => {
      const wall = fixed + n * perUser + (sizes.length === 0 ? cold : 0);
      sizes.push(n);
      return Promise.resolve({ wall, cpu: 2 * wall });
    };
    return { run, sizes };
  }

  test('a cold first run is not taken for the fixed cost (it made 1,000,000 users look free)', async () => {
    // 3 s fixed, 3 ms a user, 5 s more the first time: 256 users against the cold run would give 0.
    const s = search(3, 0.003, 5);
    const t = await timeSampled(s.run, 256, 4096);
    expect(t.wall / t.n).toBeCloseTo(0.003, 9);
    expect(t.cpu / t.n).toBeCloseTo(0.006, 9);
    // Warm-up, fixed, then 256 (0.77 s: within the fixed cost's noise), 1,024 (3.07 s >= 3 s): enough.
    expect(s.sizes).toEqual([0, 0, 256, 1024]);
  });

  test('stops at the first sample whose time stands clear of the fixed cost', async () => {
    const s = search(0.2, 0.01, 0);
    const t = await timeSampled(s.run, 256, 4096);
    expect(s.sizes).toEqual([0, 0, 256]);
    expect(t.n).toBe(256);
    expect(t.wall).toBeCloseTo(2.56, 9);
    expect(t.cpu).toBeCloseTo(5.12, 9);
    expect(2.56).toBeGreaterThanOrEqual(MIN_SAMPLED_SECONDS);
  });

  test('grows no further than max, and never reports less than nothing', async () => {
    const s = search(1, 0, 0);
    const t = await timeSampled(s.run, 100, 1000);
    expect(s.sizes).toEqual([0, 0, 100, 400, 1000]);
    expect(t).toEqual({ n: 1000, wall: 0, cpu: 0 });
  });
});

test('searchProgress: a line every SEARCH_PROGRESS_EVERY_SECONDS with users done and time to go, none at the end', () => {
  const lines: string[] = [];
  const log = { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(l) };
  let ms = 0;
  const tick = searchProgress('interests', log, 1_000_000, () => ms);
  ms = 10_000;
  tick(100_000); // 10 s in: too soon for a line
  ms = SEARCH_PROGRESS_EVERY_SECONDS * 1000;
  tick(100_000);
  ms += 1000;
  tick(100_000); // 1 s after the last line
  ms += SEARCH_PROGRESS_EVERY_SECONDS * 1000;
  tick(700_000); // done: the job's own line follows
  expect(lines).toEqual(['  interests: exact search, 200,000 / 1,000,000 users (20%) in 30 s, about 120 s to go']);
});

describe('weightingStats: the statistics of the weighting without the weighted matrix', () => {
  const s = randomSignals(120, 7);
  const variants: Array<[Exclude<ModelName, 'als'>, Partial<ModelParams>]> = [
    ['interests', {}],
    ['course_views', {}],
    ['assessments', {}],
    ['cosine', { weights: { interests: 1, views: 1, courseTags: 0.5, assessments: 0.25 }, viewsWeighting: 'bm25' }],
    ['cosine', { weights: { interests: 0, views: 1, courseTags: 2, assessments: 0 }, viewsWeighting: 'idf' }],
    ['cosine', { weights: { interests: 0.5, views: 0, courseTags: 0, assessments: 1 } }],
  ];
  test.each(variants)('%s %j: the same figures as weightedMatrix takes', (model, overrides) => {
    const p: ModelParams = { ...defaultParams(), ...overrides };
    const expected = weightedMatrix(model, s, p).stats;
    const got = weightingStats(model, s, p);
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    expect(got).toEqual(expected);
  });
});
