// Fresh answers over a real Neo4j: a user imported after the run gets neighbours computed on demand (live; ALS by
// folding the user into the version's stored item factors), and a forgotten user disappears from every list, stored,
// cached or live, within a second.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type ApiServer } from '../../src/api/server';
import { Importer } from '../../src/ingest/importer';
import { findTables } from '../../src/ingest/reader';
import { connectApiGraph } from '../../src/graph/api-connect';
import type { Graph } from '../../src/graph/executor';
import { SimilarityRepository } from '../../src/graph/similarity-repository';
import { testConfig, testGraph } from '../helpers/neo4j';
import { addNewcomer, seedSmallGraph } from '../helpers/seed';

let admin: Graph;
let server: ApiServer;
let endpoint: string;

async function gql<T>(query: string): Promise<T> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data!;
}

type Sims = { user: { similarUsers: Array<{ handle: string; live: boolean; score: number }> } | null };
const similar = (h: number, model: string, limit = 10) =>
  gql<Sims>(`{ user(handle: "${h}") { similarUsers(model: ${model}, limit: ${limit}) { handle live score } } }`);

beforeAll(async () => {
  admin = testGraph();
  await seedSmallGraph(admin);
  const config = testConfig();
  const graph = connectApiGraph(config.neo4j, config.neo4j.password ?? '');
  // The cache on, as served by default: forgetting must reach cached lists too.
  server = await createApp(config, graph, { log: { info: () => undefined, warn: () => undefined } });
  endpoint = `${await server.start(0, '127.0.0.1')}/graphql`;
});

afterAll(async () => {
  await server.stop();
  await admin.close();
});

test('stored lists are not live', async () => {
  const data = await similar(12, 'COSINE');
  expect(data.user!.similarUsers.length).toBeGreaterThan(0);
  expect(data.user!.similarUsers.every((s) => !s.live)).toBe(true);
});

test('the ALS version keeps its item factors and mean row, once, for the active version', async () => {
  const rows = await admin.read<{ version: number; factors: number; items: number; mean: boolean; active: number }>(
    `MATCH (f:AlsFactors) MATCH (m:SimilarityModel {name: f.model})
     RETURN f.version AS version, f.factors AS factors, size(f.items) AS items, f.mean IS NOT NULL AS mean,
       m.version AS active`,
  );
  expect(rows).toHaveLength(1);
  const [row] = rows;
  expect(row!.version).toBe(row!.active);
  expect(row!.factors).toBe(8);
  // 10 courses and 6 tags (tag columns stay in the model's layout even when interests are left out).
  expect(row!.items).toBe(16);
  expect(row!.mean).toBe(true);
});

test('a user imported after the run gets live neighbours at once, the user it copies among the best', async () => {
  await addNewcomer(admin);
  for (const model of ['COSINE', 'INTERESTS', 'COURSE_VIEWS', 'ALS']) {
    const sims = (await similar(9001, model, 3)).user!.similarUsers;
    expect(sims.length).toBe(3);
    expect(sims.every((s) => s.live)).toBe(true);
    // A user with the same items scores 1: the copied one, or one tied with it (the data repeats patterns).
    expect(sims[0]!.score).toBeCloseTo(1, 5);
    if (model === 'COSINE') expect(sims.find((x) => x.handle === '12')?.score).toBeCloseTo(1, 5);
    // ALS folds the newcomer into the version's item factors: the same views, the same factors as user 12's.
    if (model === 'ALS') expect(sims.map((x) => x.handle)).toContain('12');
  }
  // Users the version has lists for are still served their stored lists.
  expect((await similar(12, 'ALS', 3)).user!.similarUsers.every((s) => !s.live)).toBe(true);
});

test('previewSimilarUsers: live neighbours of a hypothetical user from chosen interests, nothing written', async () => {
  const before = await admin.read<{ n: number }>('MATCH (u:User) RETURN count(u) AS n');
  type Preview = {
    previewSimilarUsers: {
      model: string;
      live: boolean;
      version: number | null;
      interests: string[];
      unknownInterests: string[];
      neighbours: Array<{ handle: string; score: number; rank: number; live: boolean; sharedInterests: string[] }>;
    };
  };
  // User 12 follows t0 and t2; the names are spelled as a person types them, once twice, with one nobody follows.
  const data = await gql<Preview>(
    `{ previewSimilarUsers(interests: [" T0", "t2", "t0", "no such tag"], limit: 3) {
         model live version interests unknownInterests
         neighbours { handle score rank live sharedInterests user { handle } } } }`,
  );
  const p = data.previewSimilarUsers;
  expect(p).toMatchObject({ model: 'INTERESTS', live: true, interests: ['t0', 't2', 'no-such-tag'] });
  expect(p.unknownInterests).toEqual(['no-such-tag']);
  expect(p.version).not.toBeNull();
  expect(p.neighbours.map((n) => n.rank)).toEqual([1, 2, 3]);
  // Users following exactly t0 and t2 score 1, user 12 among them.
  expect(p.neighbours[0]!.score).toBeCloseTo(1, 5);
  expect(p.neighbours.every((n) => n.live && n.sharedInterests.join() === 't0,t2')).toBe(true);
  const many = await gql<Preview>(
    '{ previewSimilarUsers(interests: ["t0", "t2"], limit: 100) { neighbours { handle score } } }',
  );
  expect(many.previewSimilarUsers.neighbours.find((n) => n.handle === '12')?.score).toBeCloseTo(1, 5);
  expect(await admin.read<{ n: number }>('MATCH (u:User) RETURN count(u) AS n')).toEqual(before);
  for (const [args, message] of [
    ['interests: []', 'interests: expected 1..20 tag names, got 0'],
    ['interests: ["t0"], model: ALS', 'model: expected INTERESTS, COURSE_VIEWS, ASSESSMENTS or COSINE'],
    ['interests: ["  "]', 'interests[0]: expected a tag name'],
  ] as const) {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ previewSimilarUsers(${args}) { live } }` }),
    });
    const body = (await res.json()) as { errors?: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toContain(message);
  }
});

test('forget: the user leaves every stored, cached and live list, and the graph, within a second', async () => {
  const holders = await admin.read<{ h: number }>(
    'MATCH (a:User)-[:SIMILAR_TO]->(:User {handle: 12}) RETURN DISTINCT a.handle AS h ORDER BY h',
  );
  expect(holders.length).toBeGreaterThan(0);
  // Warm the cache with lists that name user 12.
  for (const { h } of holders.slice(0, 5)) await similar(h, 'COSINE', 100);
  const result = await new SimilarityRepository(admin).forgetUser(12);
  expect(result.found).toBe(true);
  expect(result.lists).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 1200));
  for (const h of [...holders.map((x) => x.h), 9001]) {
    for (const model of ['COSINE', 'INTERESTS', 'COURSE_VIEWS', 'ALS']) {
      const sims = (await similar(h, model, 100)).user?.similarUsers ?? [];
      expect(sims.map((s) => s.handle)).not.toContain('12');
    }
  }
  expect(await gql<{ user: null }>('{ user(handle: "12") { handle } }')).toEqual({ user: null });
  // Lists that lost a neighbour are numbered 1..n when read (no rank is stored).
  for (const { h } of holders) {
    const read = await new SimilarityRepository(admin).neighbours('cosine', h);
    expect(read.map((n) => n.rank)).toEqual(read.map((_, i) => i + 1));
  }
  const recorded = await admin.read<{ n: number }>('MATCH (f:Forgotten {handle: 12}) RETURN count(f) AS n');
  expect(recorded[0]!.n).toBe(1);
});

test('an import of old files rejects a forgotten user rows, unless asked to bring them back', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forgotten-'));
  fs.writeFileSync(
    path.join(dir, 'user_interests.csv'),
    'user_handle,interest_tag,date_followed\n12,t1,2017-06-27 16:26:52\n13,t1,2017-06-27 16:26:52\n',
  );
  fs.writeFileSync(
    path.join(dir, 'user_course_views.csv'),
    'user_handle,view_date,course_id,author_handle,level,view_time_seconds\n',
  );
  fs.writeFileSync(
    path.join(dir, 'user_assessment_scores.csv'),
    'user_handle,assessment_tag,user_assessment_date,user_assessment_score\n',
  );
  fs.writeFileSync(path.join(dir, 'course_tags.csv'), 'course_id,course_tags\n');
  const files = findTables(dir);
  const quiet = { info: () => undefined, warn: () => undefined };
  const first = await new Importer(admin, {
    batchSize: 100,
    rejectsPath: path.join(dir, 'rejects.csv'),
    log: quiet,
  }).run(files);
  expect(first.files.find((f) => f.table === 'user_interests')).toMatchObject({ read: 2, imported: 1, rejected: 1 });
  expect(fs.readFileSync(path.join(dir, 'rejects.csv'), 'utf8')).toContain('user 12 was forgotten');
  expect(await admin.read('MATCH (u:User {handle: 12}) RETURN u')).toEqual([]);
  const again = await new Importer(admin, {
    batchSize: 100,
    rejectsPath: path.join(dir, 'rejects-2.csv'),
    log: quiet,
    includeForgotten: true,
  }).run(files);
  expect(again.files.find((f) => f.table === 'user_interests')).toMatchObject({ read: 2, rejected: 0 });
  expect(await admin.read<{ n: number }>('MATCH (f:Forgotten {handle: 12}) RETURN count(f) AS n')).toEqual([{ n: 0 }]);
  fs.rmSync(dir, { recursive: true, force: true });
});
