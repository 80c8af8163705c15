// The explanation of a match: hand-computed TF-IDF cosine terms over shared items.
import { ModelName } from '../../src/api/models';
import { explainMatch, explanationVector, kindsOf, smoothIdf, type ProfileItem } from '../../src/api/reasons';

const tag = (item: string, df: number): ProfileItem => ({ kind: 'INTEREST', item, tf: 1, df });
const course = (item: string, seconds: number, df: number): ProfileItem => ({ kind: 'COURSE', item, tf: seconds, df });

test('smooth idf: 1 for an item everyone holds, larger for rare ones', () => {
  expect(smoothIdf(9, 9)).toBeCloseTo(1, 12);
  expect(smoothIdf(9, 0)).toBeCloseTo(Math.log(10) + 1, 12);
  expect(smoothIdf(100, 1)).toBeGreaterThan(smoothIdf(100, 50));
});

test('shares are the per-item products of unit TF-IDF vectors over their sum', () => {
  const n = 99;
  const a = [tag('python', 9), tag('sql', 49), tag('go', 1)];
  const b = [tag('python', 9), tag('sql', 49), tag('rust', 4)];
  const idf = (df: number) => Math.log(100 / (1 + df)) + 1;
  const na = Math.hypot(idf(9), idf(49), idf(1));
  const nb = Math.hypot(idf(9), idf(49), idf(4));
  const pPython = (idf(9) / na) * (idf(9) / nb);
  const pSql = (idf(49) / na) * (idf(49) / nb);
  const reasons = explainMatch(ModelName.INTERESTS, a, b, n, 0.8, 10);
  expect(reasons.map((r) => r.item)).toEqual(['python', 'sql']);
  expect(reasons[0]!.share).toBeCloseTo(pPython / (pPython + pSql), 12);
  expect(reasons[1]!.share).toBeCloseTo(pSql / (pPython + pSql), 12);
  expect(reasons[0]!.contribution).toBeCloseTo(0.8 * reasons[0]!.share, 12);
  expect(reasons.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 12);
});

test('the rarer shared tag explains more of the match', () => {
  const a = [tag('common', 900), tag('rare', 3)];
  const reasons = explainMatch(ModelName.INTERESTS, a, a, 1000, 1, 5);
  expect(reasons[0]!.item).toBe('rare');
  expect(reasons[0]!.share).toBeGreaterThan(0.5);
});

test('a model only looks at its own kinds of items', () => {
  const a = [tag('python', 5), course('c1', 600, 5)];
  const b = [tag('python', 5), course('c1', 60, 5)];
  expect(explainMatch(ModelName.INTERESTS, a, b, 50, 1, 5).map((r) => r.kind)).toEqual(['INTEREST']);
  expect(explainMatch(ModelName.COURSE_VIEWS, a, b, 50, 1, 5).map((r) => r.kind)).toEqual(['COURSE']);
  expect(
    explainMatch(ModelName.COSINE, a, b, 50, 1, 5)
      .map((r) => r.kind)
      .sort(),
  ).toEqual(['COURSE', 'INTEREST']);
  expect(kindsOf(ModelName.COSINE)).toEqual(['INTEREST', 'COURSE', 'ASSESSMENT']);
  expect(kindsOf(ModelName.ALS)).toEqual(['INTEREST', 'COURSE']);
});

test('nothing shared gives no reasons; limit cuts the list', () => {
  expect(explainMatch(ModelName.COSINE, [tag('a', 1)], [tag('b', 1)], 10, 0.9, 5)).toEqual([]);
  const many = ['a', 'b', 'c', 'd'].map((t) => tag(t, 2));
  expect(explainMatch(ModelName.INTERESTS, many, many, 10, 1, 2)).toHaveLength(2);
});

test('repeated attempts on a tag count once, at their largest weight', () => {
  const v = explanationVector(
    [
      { kind: 'ASSESSMENT', item: 'sql', tf: 50, df: 3 },
      { kind: 'ASSESSMENT', item: 'sql', tf: 200, df: 3 },
    ],
    ['ASSESSMENT'],
    10,
  );
  expect([...v.values()]).toEqual([1]);
});
