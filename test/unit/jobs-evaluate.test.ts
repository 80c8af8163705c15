// The evaluation pipeline in memory: communities file, hold-out scoring of models beside the baselines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { csrFromTriples } from '../../src/similarity/csr';
import { evaluateModels, readCommunities } from '../../src/jobs/evaluate';
import { defaultParams } from '../../src/jobs/models';
import { Dictionary, UserIndex, type Signals } from '../../src/jobs/signals';

function tmpFile(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-eval-')), 'communities.csv');
  fs.writeFileSync(file, text);
  return file;
}

describe('communities file', () => {
  const users = new UserIndex(Float64Array.from([1, 2, 5]));

  test('maps handles to community ids; unknown users stay -1; quotes are ignored', () => {
    const file = tmpFile('"user_handle","community"\n1,"devops"\n5,data\n2,devops\n99,data\n');
    expect(Array.from(readCommunities(file, users))).toEqual([0, 0, 1]);
  });

  test('a bad header or row names the file and line', () => {
    expect(() => readCommunities(tmpFile('handle,group\n1,a\n'), users)).toThrow(
      'communities.csv:1: expected header "user_handle,community"',
    );
    expect(() => readCommunities(tmpFile('user_handle,community\n1,a\nx,b\n'), users)).toThrow(
      'communities.csv:3: expected "<integer handle>,<community>", got "x,b"',
    );
  });
});

test('two planted groups: the views model recovers the held-out courses far better than random', async () => {
  // Users 0..19 view courses 0..4, users 20..39 view courses 5..9 (four each, rotating), all with interests.
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < 40; u++) {
    const base = u < 20 ? 0 : 5;
    for (let j = 0; j < 4; j++) {
      rows.push(u);
      cols.push(base + ((u + j) % 5));
    }
  }
  // 40 courses in the catalogue, 30 of them never viewed, so random picks rarely hit.
  const views = csrFromTriples(
    40,
    40,
    Int32Array.from(rows),
    Int32Array.from(cols),
    Float32Array.from(rows, () => 600),
    'sum',
  );
  const tags = new Dictionary();
  tags.id('t');
  const courses = new Dictionary();
  for (let c = 0; c < 40; c++) courses.id(`c${c}`);
  const signals: Signals = {
    users: new UserIndex(Float64Array.from({ length: 40 }, (_, i) => i + 1)),
    tags,
    courses,
    views,
    interests: csrFromTriples(40, 1, new Int32Array(0), new Int32Array(0), new Float32Array(0), 'max'),
  };
  const params = defaultParams();
  params.threads = 1;
  params.k = 19; // every other member of the group
  const e = await evaluateModels(signals, {
    models: ['course_views'],
    params,
    fraction: 0.25,
    seed: 3,
    k: 10,
    communities: Int32Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 1)),
  });
  expect(e.usersScored).toBe(40);
  expect(e.hidden).toBe(40);
  expect(e.rows.map((r) => r.name)).toEqual(['course_views', 'popularity', 'random']);
  const [model, popularity, random] = e.rows;
  // Every hidden course is one of the group's five, which neighbours from the group hold: all found.
  expect(model!.recall).toBe(1);
  expect(model!.community).toBe(1);
  expect(model!.recall).toBeGreaterThan(random!.recall);
  expect(popularity!.coverage).toBeGreaterThan(0);
  for (const r of e.rows) {
    expect(r.ndcg).toBeGreaterThanOrEqual(0);
    expect(r.ndcg).toBeLessThanOrEqual(1);
  }
});
