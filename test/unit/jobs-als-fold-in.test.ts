// Folding a user into an ALS version: the same confidence row as the job's matrix, the exact solution of the job's
// normal equations against fixed item factors, the version's centring, and a compact encoding that round-trips.
import { alsMatrix, canonicalColumns, DEFAULT_ALS, type AlsParams } from '../../src/jobs/als-model';
import {
  alsColumnKeys,
  alsVersionFactors,
  AlsFoldIn,
  confidenceEntries,
  decodeAlsFactors,
  encodeAlsFactors,
} from '../../src/jobs/als-fold-in';
import { pairSignals, type UserItems } from '../../src/jobs/explain';
import { solveBlock, trainAls } from '../../src/similarity/als';
import { Dictionary, TripleBuffer, UserIndex, type Signals } from '../../src/jobs/signals';

const a: UserItems = {
  interests: ['python', 'sql'],
  views: [
    { course: 'intro-python', seconds: 600, tags: ['python'] },
    { course: 'sql-joins', seconds: 0, tags: ['sql'] },
    { course: 'zen-of-data', seconds: 12_000, tags: [] },
  ],
  assessments: [],
};
const b: UserItems = {
  interests: ['java', 'python'],
  views: [
    { course: 'java-streams', seconds: 1_800, tags: ['java'] },
    { course: 'intro-python', seconds: 60, tags: ['python'] },
  ],
  assessments: [],
};

const settings = (p: Partial<AlsParams>): AlsParams => ({ ...DEFAULT_ALS, alpha: 5, ...p });

describe('confidenceEntries and alsColumnKeys', () => {
  for (const p of [
    settings({ confidence: 'binary', interestWeight: 0 }),
    settings({ confidence: 'log', interestWeight: 0.5 }),
  ]) {
    it(`give each user the job's row, keyed by item (${p.confidence}, interest weight ${p.interestWeight})`, () => {
      const s = pairSignals(a, b);
      const c = canonicalColumns(alsMatrix(s, p), s);
      const keys = alsColumnKeys(s, c.cols);
      const v = alsVersionFactors(s, p, {
        items: { rows: c.cols, cols: 4, data: new Float32Array(c.cols * 4) },
        mean: null,
      });
      [a, b].forEach((items, r) => {
        const job = new Map<string, number>();
        for (let q = c.indptr[r]!; q < c.indptr[r + 1]!; q++) job.set(keys[c.indices[q]!]!, c.data[q]!);
        const ours = new Map(confidenceEntries(items, v.confidence));
        expect([...ours.keys()].sort()).toEqual([...job.keys()].sort());
        for (const [key, value] of job) expect(ours.get(key)).toBeCloseTo(value, 5);
      });
    });
  }
});

describe('canonicalColumns', () => {
  it('orders the columns by name on signals whose dictionaries grew after an earlier call (nothing stale kept)', () => {
    const p = settings({ confidence: 'log', interestWeight: 0.5 });
    const grown = pairSignals(a, b);
    const before = alsColumnKeys(grown, canonicalColumns(alsMatrix(grown, p), grown).cols);
    grown.tags.id('aaa-first-by-name');
    const fresh = pairSignals(a, b);
    fresh.tags.id('aaa-first-by-name');
    const cols = canonicalColumns(alsMatrix(fresh, p), fresh).cols;
    expect(cols).toBe(before.length + 1);
    expect(alsColumnKeys(grown, cols)).toEqual(alsColumnKeys(fresh, cols));
    expect(alsColumnKeys(grown, cols).filter((k) => k.includes('aaa-first-by-name'))).toHaveLength(1);
  });
});

describe('AlsFoldIn', () => {
  it("solves the job's normal equations exactly (CG run to convergence agrees), centred and unit length", async () => {
    const p = settings({ confidence: 'log', interestWeight: 0.5, factors: 8, regularization: 0.1 });
    const s = pairSignals(a, b);
    const c = canonicalColumns(alsMatrix(s, p), s);
    const model = await trainAls(c, { factors: 8, regularization: 0.1, iterations: 5, threads: 1, kernel: 'js' });
    const mean = Float64Array.from({ length: 8 }, (_, j) => 0.01 * (j + 1));
    const v = alsVersionFactors(s, p, { items: model.items, mean });
    const fold = new AlsFoldIn(v, s);
    // The reference: the job's own CG kernel with many steps, on user a's row, from zero.
    const gram = new Float64Array(64);
    for (let i = 0; i < c.cols; i++)
      for (let r = 0; r < 8; r++)
        for (let k = 0; k < 8; k++) gram[r * 8 + k]! += model.items.data[i * 8 + r]! * model.items.data[i * 8 + k]!;
    for (let r = 0; r < 8; r++) gram[r * 8 + r]! += 0.1;
    const target = new Float32Array(c.rows * 8);
    solveBlock({ c, other: model.items.data, target, gram, f: 8, cgSteps: 200, rowStart: 0, rowEnd: 1 });
    const expected = Array.from({ length: 8 }, (_, j) => target[j]! - mean[j]!);
    const norm = Math.hypot(...expected);
    const got = fold.vector(a)!;
    expect(Math.hypot(...got)).toBeCloseTo(1, 5);
    got.forEach((x, j) => expect(x).toBeCloseTo(expected[j]! / norm, 4));
  });

  it('finds a copy of a user first, skips whom it is told to, and knows nobody for unknown items', async () => {
    const p = settings({ confidence: 'binary', interestWeight: 0, factors: 4 });
    // Six users over six courses, in two groups of taste.
    const items = (courses: string[]): UserItems => ({
      interests: [],
      views: courses.map((course) => ({ course, seconds: 100, tags: [] })),
      assessments: [],
    });
    const users = [
      ['c1', 'c2'],
      ['c1', 'c2', 'c3'],
      ['c2', 'c3'],
      ['c4', 'c5'],
      ['c4', 'c5', 'c6'],
      ['c5', 'c6'],
    ];
    const courses = new Dictionary();
    const views = new TripleBuffer();
    users.forEach((cs, r) => cs.forEach((x) => views.push(r, courses.id(x), 100)));
    const s: Signals = {
      users: new UserIndex(Float64Array.from([1, 2, 3, 4, 5, 6])),
      tags: new Dictionary(),
      courses,
      views: views.toCsr(6, courses.size, 'sum'),
      interests: new TripleBuffer().toCsr(6, 0, 'max'),
    };
    const c = canonicalColumns(alsMatrix(s, p), s);
    const model = await trainAls(c, {
      factors: 4,
      regularization: 0.1,
      iterations: 10,
      threads: 1,
      kernel: 'js',
      seed: 3,
    });
    const fold = new AlsFoldIn(alsVersionFactors(s, p, { items: model.items, mean: null }), s);
    const copy = fold.neighbours(items(['c4', 'c5', 'c6']), 3, () => false);
    expect(copy[0]).toEqual({ handle: 5, score: 1 });
    expect(copy.map((n) => n.handle).sort()).toEqual([4, 5, 6]);
    expect(fold.neighbours(items(['c4', 'c5', 'c6']), 3, (h) => h === 5).map((n) => n.handle)).not.toContain(5);
    expect(fold.neighbours(items(['unknown-course']), 3, () => false)).toEqual([]);

    // With the version's interests blend, followed tags count too, by blend / (1 + viewed courses): a user who
    // follows only 'java' and watched nothing the version knows is placed with the three users who follow it.
    const tags = new Dictionary();
    const interests = new TripleBuffer();
    users.forEach((_, r) => interests.push(r, tags.id(r < 3 ? 'python' : 'java'), 1));
    const withTags: Signals = { ...s, tags, interests: interests.toCsr(6, tags.size, 'max') };
    const blended = new AlsFoldIn(
      alsVersionFactors(withTags, { ...p, blend: 1, blendShrink: 0 }, { items: model.items, mean: null }),
      withTags,
    );
    const newcomer = { ...items([]), interests: ['java'] };
    // Each row has one tag, so the interests' cosine is 1: (0 + 1 x 1) / (1 + 1).
    expect(blended.neighbours(newcomer, 4, () => false)).toEqual([
      { handle: 4, score: 0.5 },
      { handle: 5, score: 0.5 },
      { handle: 6, score: 0.5 },
    ]);
    expect(fold.neighbours(newcomer, 4, () => false)).toEqual([]);
    // A copy of user 5 with their tag: the factors' cosine 1 and the interests' 1, weight 1 / (1 + 3).
    const copyWithTag = { ...items(['c4', 'c5', 'c6']), interests: ['java'] };
    expect(blended.neighbours(copyWithTag, 1, () => false)).toEqual([{ handle: 5, score: 1 }]);
    // With the significance weighting the job fits: one shared tag counts 1 / (1 + 3) of its cosine.
    const shrunk = new AlsFoldIn(
      alsVersionFactors(withTags, { ...p, blend: 1, blendShrink: 3 }, { items: model.items, mean: null }),
      withTags,
    );
    expect(shrunk.neighbours(newcomer, 1, () => false)).toEqual([{ handle: 4, score: Math.fround(0.125) }]);
  });
});

describe('encodeAlsFactors', () => {
  it('round-trips, and a wrong length is refused with what was expected and what arrived', () => {
    const v = {
      factors: 2,
      regularization: 0.1,
      confidence: { alpha: 20, confidence: 'binary' as const, interestWeight: 0, viewLogMean: 1 },
      items: ['c:1', 't:python'],
      itemFactors: Float32Array.from([0.5, -1.25, 3, 1e-7]),
      mean: Float32Array.from([0.1, 0.2]),
      blend: 0.5,
      blendShrink: 3,
    };
    const stored = encodeAlsFactors(v);
    expect(typeof stored.itemFactors).toBe('string');
    expect(decodeAlsFactors(stored)).toEqual(v);
    // A version stored before the shrink blended the plain cosine.
    const before = {
      ...stored,
      settings: JSON.stringify({ regularization: 0.1, confidence: v.confidence, blend: 0.5 }),
    };
    expect(decodeAlsFactors(before)).toEqual({ ...v, blendShrink: 0 });
    expect(() => decodeAlsFactors({ ...stored, items: ['c:1'] })).toThrow(
      'AlsFactors.itemFactors: expected 2 float32 values (8 bytes), got 16 bytes',
    );
  });
});
