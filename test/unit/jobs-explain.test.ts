// Reasons that add up: a stored score taken apart with the version's frozen weighting sums to that score.
import { decompose, type UserItems } from '../../src/jobs/explain';
import { LiveIndex } from '../../src/jobs/live';
import {
  defaultParams,
  freezeWeighting,
  weightedMatrix,
  type ModelName,
  type ModelParams,
} from '../../src/jobs/models';
import type { Signals } from '../../src/jobs/signals';
import { randomSignals } from '../helpers/signals';
import { cosineTopK } from '../../src/similarity/topk';

/** Row r of the signals as the items the API reads for a user. */
function itemsOf(s: Signals, r: number): UserItems {
  const row = (name: 'interests' | 'views' | 'assessments') => {
    const m = s[name]!;
    const out: Array<[number, number]> = [];
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) out.push([m.indices[p]!, m.data[p]!]);
    return out;
  };
  const ct = s.courseTags!;
  const tagsOf = (c: number) => {
    const out: string[] = [];
    for (let p = ct.indptr[c]!; p < ct.indptr[c + 1]!; p++) out.push(s.tags.names[ct.indices[p]!]!);
    return out;
  };
  return {
    interests: row('interests').map(([t]) => s.tags.names[t]!),
    views: row('views').map(([c, v]) => ({ course: s.courses.names[c]!, seconds: v, tags: tagsOf(c) })),
    assessments: row('assessments').map(([t, v]) => ({ tag: s.tags.names[t]!, score: v })),
  };
}

const variants: Array<[Exclude<ModelName, 'als'>, Partial<ModelParams>]> = [
  ['interests', {}],
  ['course_views', {}],
  ['assessments', {}],
  ['cosine', { weights: { interests: 1, views: 1, courseTags: 0.5, assessments: 0.25 }, viewsWeighting: 'bm25' }],
  ['cosine', { weights: { interests: 0.25, views: 1, courseTags: 2, assessments: 1 }, viewsWeighting: 'idf' }],
];

describe.each(variants)('%s %j: contributions of the shared items', (model, overrides) => {
  const params: ModelParams = { ...defaultParams(), ...overrides };
  const s = randomSignals(80, 3);
  const { matrix, stats } = weightedMatrix(model, s, params);
  const frozen = JSON.parse(JSON.stringify(freezeWeighting(stats, s))) as ReturnType<typeof freezeWeighting>;

  test('sum to every stored neighbour score within 1e-6', async () => {
    const nb = await cosineTopK(matrix, 5, { tieKey: s.users.handles, threads: 1 });
    let checked = 0;
    for (let r = 0; r < nb.rows; r++) {
      for (let j = 0; j < nb.k; j++) {
        const o = nb.index[r * nb.k + j]!;
        if (o < 0) break;
        const d = decompose(model, params, frozen, itemsOf(s, r), itemsOf(s, o));
        const sum = d.contributions.reduce((a, c) => a + c.value, 0);
        expect(Math.abs(sum - nb.score[r * nb.k + j]!)).toBeLessThan(1e-6);
        expect(Math.abs(d.score - sum)).toBeLessThan(1e-12);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  test('still sum to the stored scores after other users arrive (frozen statistics, not the new ones)', async () => {
    const nb = await cosineTopK(matrix, 3, { tieKey: s.users.handles, threads: 1 });
    // The same 80 users plus 80 more: document frequencies and maxima change.
    const grown = randomSignals(160, 3);
    const grownFrozen = freezeWeighting(weightedMatrix(model, grown, params).stats, grown);
    let differs = 0;
    for (let r = 0; r < 20; r++) {
      const o = nb.index[r * nb.k]!;
      if (o < 0) continue;
      const stored = nb.score[r * nb.k]!;
      const a = itemsOf(grown, r);
      const b = itemsOf(grown, o);
      expect(Math.abs(decompose(model, params, frozen, a, b).score - stored)).toBeLessThan(1e-6);
      if (Math.abs(decompose(model, params, grownFrozen, a, b).score - stored) > 1e-6) differs++;
    }
    // Weighting with today's statistics would not add up: the frozen ones are what makes the sum exact.
    expect(differs).toBeGreaterThan(0);
  });
});

test('users sharing nothing decompose to nothing', () => {
  const a: UserItems = { interests: ['x'], views: [], assessments: [] };
  const b: UserItems = { interests: ['y'], views: [], assessments: [] };
  const d = decompose('interests', defaultParams(), { users: 10, interestsIdf: { x: 2, y: 2 } }, a, b);
  expect(d).toEqual({ score: 0, contributions: [] });
});

describe('live neighbours (a user answered on demand with a version frozen weighting)', () => {
  test.each(variants)('%s %j: the same neighbours and scores as the full computation', async (model, overrides) => {
    const params: ModelParams = { ...defaultParams(), ...overrides };
    const s = randomSignals(80, 5);
    const { matrix, stats } = weightedMatrix(model, s, params);
    const frozen = freezeWeighting(stats, s);
    const nb = await cosineTopK(matrix, 5, { tieKey: s.users.handles, threads: 1 });
    const index = new LiveIndex(model, params, frozen, s);
    let compared = 0;
    for (let r = 0; r < 80; r += 7) {
      const self = s.users.handles[r]!;
      const live = index.neighbours(itemsOf(s, r), 5, (h) => h === self);
      const stored: Array<{ handle: number; score: number }> = [];
      for (let j = 0; j < nb.k && nb.index[r * nb.k + j]! >= 0; j++) {
        stored.push({ handle: s.users.handles[nb.index[r * nb.k + j]!]!, score: nb.score[r * nb.k + j]! });
      }
      expect(live.map((x) => x.handle)).toEqual(stored.map((x) => x.handle));
      live.forEach((x, j) => expect(Math.abs(x.score - stored[j]!.score)).toBeLessThan(1e-5));
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });
});

test('a live index over signals whose dictionaries grew after their matrices were read (as the job reads them)', () => {
  const s = randomSignals(40, 9);
  const params: ModelParams = {
    ...defaultParams(),
    weights: { interests: 1, views: 1, courseTags: 1, assessments: 1 },
  };
  const frozen = freezeWeighting(weightedMatrix('cosine', s, params).stats, s);
  // Course tags read after views name courses nobody viewed; assessments name tags nobody follows.
  s.courses.id('course-never-viewed');
  s.tags.id('tag-read-late');
  const index = new LiveIndex('cosine', params, frozen, s);
  expect(index.neighbours(itemsOf(s, 0), 3, (h) => h === 1).length).toBeGreaterThan(0);
});
