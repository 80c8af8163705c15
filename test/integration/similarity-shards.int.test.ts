// Shards of one run against a real Neo4j: together they write exactly the edges a single process writes (same
// pairs, same ranks, scores within 1e-6), the last one switches the version, and a shard run twice changes nothing.
import type { Graph } from '../../src/graph/executor';
import { SimilarityRepository } from '../../src/graph/similarity-repository';
import { defaultParams, MODEL_NAMES, type ModelName } from '../../src/jobs/models';
import { shardOf } from '../../src/jobs/shard';
import { SignalLoader } from '../../src/jobs/signals';
import { runSimilarityJob } from '../../src/jobs/similarity-job';
import { resetGraph, testGraph } from '../helpers/neo4j';

// 150 users over 5 tags and 9 tagged courses, some assessed: every model has input.
const DATA = `
UNWIND ['a', 'b', 'c', 'd', 'e'] AS name CREATE (:Tag {name: name})
WITH count(*) AS _
UNWIND range(1, 9) AS i CREATE (:Course {id: 'c' + i})
WITH count(*) AS _
MATCH (c:Course), (t:Tag) WHERE toInteger(right(c.id, 1)) % 5 = CASE t.name WHEN 'a' THEN 0 WHEN 'b' THEN 1 WHEN 'c' THEN 2 WHEN 'd' THEN 3 ELSE 4 END
CREATE (c)-[:TAGGED]->(t)
WITH count(*) AS _
UNWIND range(1, 150) AS h
CREATE (u:User {handle: h})
WITH u, h
MATCH (c:Course) WHERE c.id IN ['c' + (1 + h % 9), 'c' + (1 + (h * 4) % 9), 'c' + (1 + (h * 7) % 8)]
CREATE (u)-[:VIEWED {seconds: 20 * (1 + (h * 13) % 31)}]->(c)
WITH DISTINCT u, h
MATCH (t:Tag) WHERE t.name IN ['a', 'b', 'c', 'd', 'e'][h % 5 .. h % 5 + 1 + h % 3]
CREATE (u)-[:INTERESTED_IN]->(t)
WITH DISTINCT u, h WHERE h % 4 = 0
MATCH (t:Tag {name: ['a', 'b', 'c', 'd'][(h / 4) % 4]})
CREATE (u)-[:ASSESSED {score: 30 + (h * 17) % 250}]->(t)
`;

let graph: Graph;
let repo: SimilarityRepository;

function params() {
  const p = defaultParams();
  p.threads = 1;
  p.als.factors = 8;
  p.als.iterations = 5;
  return p;
}

type Edge = { a: number; b: number; rank: number; score: number };

async function activeEdges(model: ModelName): Promise<Edge[]> {
  return graph.read<Edge>(
    `MATCH (m:SimilarityModel {name: $model}) MATCH (a:User)-[s:SIMILAR_TO {model: $model}]->(b:User)
     WHERE s.version = m.version RETURN a.handle AS a, b.handle AS b, s.rank AS rank, s.score AS score
     ORDER BY a, rank`,
    { model },
  );
}

beforeAll(async () => {
  graph = testGraph();
  repo = new SimilarityRepository(graph);
  await resetGraph(graph);
  await graph.write(DATA);
});

afterAll(async () => {
  await graph.close();
});

test('the shard rule is stable and spreads users', () => {
  expect(shardOf(110, 4)).toBe(shardOf(110, 4));
  const counts = [0, 0, 0, 0];
  for (let h = 1; h <= 1000; h++) counts[shardOf(h, 4)]!++;
  for (const c of counts) expect(c).toBeGreaterThan(150);
});

test('two shards started together write the single process edges; a shard run twice changes nothing', async () => {
  const models = [...MODEL_NAMES];
  await runSimilarityJob(repo, { models, params: params(), graceMs: 0 });
  const single = new Map<ModelName, Edge[]>();
  for (const m of models) single.set(m, await activeEdges(m));
  const before = await graph.read<{ name: string; version: number }>(
    'MATCH (m:SimilarityModel) RETURN m.name AS name, m.version AS version',
  );

  const run = 'test-run-1';
  const shard = (index: number) =>
    runSimilarityJob(repo, { models, params: params(), graceMs: 0, shard: { index, count: 2, run } });
  // Shard 0 first (as a retried pod would be), then 0 again and 1 together.
  const [first] = await Promise.all([shard(0)]);
  expect(first.every((r) => r.shards?.activated === false)).toBe(true);
  const afterFirst = await graph.read<{ writing: number; done: number[] }>(
    "MATCH (m:SimilarityModel {name: 'cosine'}) RETURN m.writing AS writing, m.shardsDone AS done",
  );
  expect(afterFirst[0]!.done).toEqual([0]);
  const [again, last] = await Promise.all([shard(0), shard(1)]);
  expect([...again, ...last].some((r) => r.shards?.activated === true)).toBe(true);

  for (const m of models) {
    const sharded = await activeEdges(m);
    const expected = single.get(m)!;
    expect(sharded.map((e) => [e.a, e.b, e.rank])).toEqual(expected.map((e) => [e.a, e.b, e.rank]));
    sharded.forEach((e, i) => expect(Math.abs(e.score - expected[i]!.score)).toBeLessThan(1e-6));
    expect(sharded.length).toBeGreaterThan(0);
  }
  // One new version per model, active; no edge outside it.
  const after = await graph.read<{ name: string; version: number; writing: number | null }>(
    'MATCH (m:SimilarityModel) RETURN m.name AS name, m.version AS version, m.writing AS writing',
  );
  for (const a of after) {
    expect(a.version).toBe(before.find((b) => b.name === a.name)!.version + 1);
    expect(a.writing).toBeNull();
  }
  const stray = await graph.read<{ n: number }>(
    `MATCH (m:SimilarityModel) MATCH ()-[s:SIMILAR_TO {model: m.name}]->() WHERE s.version <> m.version
     RETURN count(s) AS n`,
  );
  expect(stray[0]!.n).toBe(0);
});

test('a second run cannot start while the shards of a run hold the lease', async () => {
  const p = params();
  const run = runSimilarityJob(repo, {
    models: ['assessments'],
    params: p,
    graceMs: 0,
    shard: { index: 0, count: 2, run: 'test-run-2' },
  });
  await run;
  await expect(runSimilarityJob(repo, { models: ['assessments'], params: p, graceMs: 0 })).rejects.toThrow(
    'another similarity run is computing assessments',
  );
  // The other shard of the same run is welcome, and completes it.
  const [r] = await runSimilarityJob(repo, {
    models: ['assessments'],
    params: p,
    graceMs: 0,
    shard: { index: 1, count: 2, run: 'test-run-2' },
  });
  expect(r!.shards?.activated).toBe(true);
});

test('a shard refuses the approximate search before taking a lease or writing anything', async () => {
  const p = params();
  p.search = 'ann';
  const edges = `MATCH ()-[s:SIMILAR_TO]->() RETURN count(s) AS n`;
  const before = await graph.read<{ n: number }>(edges);
  await expect(
    runSimilarityJob(repo, { models: ['interests'], params: p, shard: { index: 0, count: 2, run: 'ann-run' } }),
  ).rejects.toThrow(/--shard: expected the exact search .* but got --ann/);
  expect(
    await graph.read<{ n: number }>(`MATCH (m:SimilarityModel {leaseOwner: 'run:ann-run'}) RETURN count(m) AS n`),
  ).toEqual([{ n: 0 }]);
  expect(await graph.read<{ n: number }>(edges)).toEqual(before);
});

test('signals read the same after users became dense nodes: columns follow names, not relationship order', async () => {
  const read = async () => {
    const loader = await SignalLoader.open(repo);
    await loader.need(['interests', 'views', 'assessments', 'courseTags']);
    return loader.signals;
  };
  const before = await read();
  // 60 more relationships on each of 20 users: Neo4j regroups a node's relationships past 50 (a dense node), as
  // a shard's SIMILAR_TO edges do to the users the next shard reads.
  await graph.write(
    `MATCH (u:User) WHERE u.handle <= 20 MATCH (v:User) WHERE 60 < v.handle <= 120 CREATE (u)-[:DENSITY_PROBE]->(v)`,
  );
  try {
    const after = await read();
    expect(after.tags.names).toEqual(before.tags.names);
    expect(after.courses.names).toEqual(before.courses.names);
    for (const name of ['interests', 'views', 'assessments', 'courseTags'] as const) {
      expect(Array.from(after[name]!.indices)).toEqual(Array.from(before[name]!.indices));
      expect(Array.from(after[name]!.data)).toEqual(Array.from(before[name]!.data));
    }
  } finally {
    await graph.write('MATCH ()-[r:DENSITY_PROBE]->() DELETE r');
  }
});
