// The job's choice between the exact and the approximate search: from the exact search's estimate against a
// budget, unless --exact or --ann force it; models without an approximate search and shards stay exact.
import {
  chooseSearch,
  computeModelWithChoice,
  DEFAULT_EXACT_BUDGET_SECONDS,
  defaultParams,
  describeSearch,
} from '../../src/jobs/models';
import { csrFromTriples } from '../../src/similarity/csr';
import { Dictionary, UserIndex, type Signals } from '../../src/jobs/signals';

describe('chooseSearch', () => {
  test('auto: approximate only when the estimate exceeds the budget', () => {
    expect(chooseSearch('interests', 'auto', 3301, 600)).toEqual({
      mode: 'auto',
      ann: true,
      reason: 'over-budget',
      estimateSeconds: 3301,
      budgetSeconds: 600,
    });
    expect(chooseSearch('cosine', 'auto', 48.04, 600)).toMatchObject({
      ann: false,
      reason: 'within-budget',
      estimateSeconds: 48,
    });
    // The exact search must fit strictly within the budget.
    expect(chooseSearch('als', 'auto', 599.9, 600)).toMatchObject({ ann: false, reason: 'within-budget' });
    expect(chooseSearch('als', 'auto', 600, 600)).toMatchObject({ ann: true, reason: 'over-budget' });
  });

  test('auto without an estimate (too little work to time) searches exactly', () => {
    expect(chooseSearch('interests', 'auto', null, 600)).toMatchObject({
      ann: false,
      reason: 'small',
      estimateSeconds: null,
    });
  });

  test('a budget of 0 makes every estimated search approximate, even one estimated at 0 s', () => {
    expect(chooseSearch('cosine', 'auto', 0, 0)).toMatchObject({ ann: true, reason: 'over-budget' });
  });

  test('--exact and --ann force the search whatever the estimate', () => {
    expect(chooseSearch('interests', 'exact', 99_999, 600)).toMatchObject({ ann: false, reason: 'forced' });
    expect(chooseSearch('interests', 'ann', 1, 600)).toMatchObject({ ann: true, reason: 'forced' });
    expect(chooseSearch('als', 'ann', null, 600)).toMatchObject({ ann: true, reason: 'forced' });
  });

  test('course_views and assessments have no approximate search: exact in every mode', () => {
    for (const mode of ['auto', 'exact', 'ann'] as const) {
      expect(chooseSearch('course_views', mode, 5000, 600)).toMatchObject({ ann: false, reason: 'exact-only' });
      expect(chooseSearch('assessments', mode, null, 600)).toMatchObject({ ann: false, reason: 'exact-only' });
    }
  });

  test('a shard searches exactly', () => {
    expect(chooseSearch('interests', 'auto', 5000, 600, { shard: true })).toMatchObject({
      ann: false,
      reason: 'shard',
    });
  });

  test('the default budget is ten minutes', () => {
    expect(DEFAULT_EXACT_BUDGET_SECONDS).toBe(600);
    expect(defaultParams()).toMatchObject({ search: 'auto', exactBudgetSeconds: 600, ann: false });
  });

  test('the output says which search, the estimate, the budget and how to force the other', () => {
    expect(describeSearch('interests', chooseSearch('interests', 'auto', 3301, 600))).toBe(
      'interests: approximate search (exact search estimated at 3,301 s, at or over the budget of 600 s; --exact forces ' +
        'the exact one, --exact-budget raises the budget)',
    );
    expect(describeSearch('cosine', chooseSearch('cosine', 'auto', 48, 600))).toBe(
      'cosine: exact search (exact search estimated at 48 s, within the budget of 600 s; --ann forces the approximate one)',
    );
    expect(describeSearch('als', chooseSearch('als', 'ann', null, 600))).toBe('als: approximate search (--ann)');
  });
});

describe('computeModelWithChoice', () => {
  function signals(): Signals {
    const tags = new Dictionary();
    ['a', 'b', 'c'].forEach((t) => tags.id(t));
    const rows = [0, 0, 1, 1, 2, 3];
    const cols = [0, 1, 1, 2, 0, 2];
    return {
      users: new UserIndex(Float64Array.from([10, 11, 12, 13])),
      tags,
      courses: new Dictionary(),
      interests: csrFromTriples(4, 3, Int32Array.from(rows), Int32Array.from(cols), new Float32Array(6).fill(1), 'sum'),
    };
  }

  test('a small set is searched exactly without an estimate; the choice comes with the result', async () => {
    const p = defaultParams();
    p.threads = 1;
    const r = await computeModelWithChoice('interests', signals(), p);
    expect(r.search).toEqual({ mode: 'auto', ann: false, reason: 'small', estimateSeconds: null, budgetSeconds: 600 });
    expect(r.details.annRecall).toBeUndefined();
  });

  test('--ann forced: the approximate search runs and its recall is measured', async () => {
    const p = defaultParams();
    p.threads = 1;
    p.search = 'ann';
    const r = await computeModelWithChoice('interests', signals(), p);
    expect(r.search).toMatchObject({ ann: true, reason: 'forced' });
    expect(typeof r.details.annRecall).toBe('number');
  });
});
