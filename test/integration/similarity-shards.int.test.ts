// Shards of one run against a real Neo4j: together they write exactly the edges a single process writes (same
// pairs, same ranks, scores within 1e-6), the last one switches the version, and a shard run twice changes nothing.
// A run's decisions (fit, ALS training) are made once, by one shard, and read by the others.
import type { Graph } from '../../src/graph/executor';
import { ApiRepository } from '../../src/graph/api-repository';
import { SimilarityRepository } from '../../src/graph/similarity-repository';
import type { Logger } from '../../src/log';
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

/** The active edges, each list best first with its rank as readers number it (score, then handle). */
async function activeEdges(model: ModelName): Promise<Edge[]> {
  const rows = await graph.read<Omit<Edge, 'rank'>>(
    `MATCH (m:SimilarityModel {name: $model}) MATCH (a:User)-[s:SIMILAR_TO {model: $model}]->(b:User)
     WHERE s.version = m.version RETURN a.handle AS a, b.handle AS b, s.score AS score
     ORDER BY a, score DESC, b`,
    { model },
  );
  const rank = new Map<number, number>();
  return rows.map((e) => {
    rank.set(e.a, (rank.get(e.a) ?? 0) + 1);
    return { ...e, rank: rank.get(e.a)! };
  });
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
  // `models` shows the run's progress from the model's node: 1 of 2 shards done, and who made its decisions.
  const api = new ApiRepository(graph);
  const writing = (await api.models()).find((m) => m.name === 'als')!;
  expect(writing).toMatchObject({ writingRun: run, shardsDone: [0], shardCount: 2, planReady: true });
  expect(writing.planOwner).toMatch(/^shard 0\/2 /);
  const [again, last] = await Promise.all([shard(0), shard(1)]);
  expect([...again, ...last].some((r) => r.shards?.activated === true)).toBe(true);
  const activated = (await api.models()).find((m) => m.name === 'als')!;
  expect(activated).toMatchObject({ writingRun: null, shardsDone: null, shardCount: null, planOwner: null });

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

test('ALS blended with interests: two shards write the single process edges, and some lists differ from ALS alone', async () => {
  const blended = () => {
    const p = params();
    p.als.blend = 2;
    p.fixed.add('blend');
    return p;
  };
  await runSimilarityJob(repo, { models: ['als'], params: blended(), graceMs: 0 });
  const single = await activeEdges('als');
  const run = 'test-run-blend';
  await Promise.all(
    [0, 1].map((index) =>
      runSimilarityJob(repo, { models: ['als'], params: blended(), graceMs: 0, shard: { index, count: 2, run } }),
    ),
  );
  const sharded = await activeEdges('als');
  expect(sharded.map((e) => [e.a, e.b, e.rank])).toEqual(single.map((e) => [e.a, e.b, e.rank]));
  sharded.forEach((e, i) => expect(Math.abs(e.score - single[i]!.score)).toBeLessThan(1e-6));
  const stored = await graph.read<{ params: string }>(
    "MATCH (m:SimilarityModel {name: 'als'}) RETURN m.params AS params",
  );
  expect(JSON.parse(stored[0]!.params)).toMatchObject({ blend: 2 });
  // The blend changes lists: ALS alone on the same data gives other neighbours somewhere.
  const alone = params();
  alone.fixed.add('blend');
  await runSimilarityJob(repo, { models: ['als'], params: alone, graceMs: 0 });
  const plain = await activeEdges('als');
  expect(plain.map((e) => [e.a, e.b])).not.toEqual(single.map((e) => [e.a, e.b]));
});

test('a retried shard still writing when the other shards complete the run ends without error', async () => {
  const models: ModelName[] = ['interests', 'course_views'];
  const run = 'test-run-race';
  const shard = (index: number, afterBatch?: () => Promise<void>) =>
    runSimilarityJob(repo, {
      models,
      params: params(),
      graceMs: 0,
      shard: { index, count: 2, run },
      ...(afterBatch !== undefined ? { afterBatch } : {}),
    });
  await shard(0);
  // The retry of shard 0 writes its first batch, then shard 1 completes the run (and gives its lease back)
  // before the retry goes on.
  let other: ReturnType<typeof shard> | undefined;
  const retry = await shard(0, async () => {
    other ??= shard(1);
    await other;
  });
  const completed = await other!;
  expect(completed.some((r) => r.shards?.activated === true)).toBe(true);
  expect(retry).toEqual([]);
  const nodes = await graph.read<{ name: string; run: string | null; writing: number | null; owner: string | null }>(
    `MATCH (m:SimilarityModel) WHERE m.name IN $models
     RETURN m.name AS name, m.activeRun AS run, m.writing AS writing, m.leaseOwner AS owner`,
    { models },
  );
  for (const n of nodes) expect(n).toEqual({ name: n.name, run, writing: null, owner: null });
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

// 300 users in four groups of six courses (five views in their group, two anywhere): enough users with 5+ courses
// for the run to fit cosine and ALS on a validation split. Tag g is only a course tag (nobody follows it), so the
// tag dictionary depends on whether course tags were read before ALS's matrix was built.
const FIT_DATA = `
UNWIND ['a', 'b', 'c', 'd', 'e', 'f'] AS name CREATE (:Tag {name: name})
WITH count(*) AS _
UNWIND range(1, 24) AS i CREATE (c:Course {id: 'c' + i})
WITH c, i MATCH (t:Tag {name: ['a', 'b', 'c', 'd', 'e', 'f'][i % 6]}) CREATE (c)-[:TAGGED]->(t)
WITH count(*) AS _
MERGE (g:Tag {name: 'g'})
WITH g MATCH (c:Course) WHERE c.id IN ['c1', 'c2', 'c3'] CREATE (c)-[:TAGGED]->(g)
WITH count(*) AS _
UNWIND range(1, 300) AS h
CREATE (u:User {handle: h})
WITH u, h
UNWIND range(0, 6) AS j
WITH u, h, j, CASE WHEN j < 5 THEN (h % 4) * 6 + 1 + (h * (j + 3) + j) % 6 ELSE 1 + (h * 7 + j * 11) % 24 END AS ci
MATCH (c:Course {id: 'c' + ci})
MERGE (u)-[v:VIEWED]->(c) ON CREATE SET v.seconds = 30 + (h * 13 + j * 7) % 600
WITH DISTINCT u, h
MATCH (t:Tag) WHERE t.name IN ['a', 'b', 'c', 'd', 'e', 'f'][h % 6 .. h % 6 + 2]
CREATE (u)-[:INTERESTED_IN]->(t)
WITH DISTINCT u, h WHERE h % 3 = 0
MATCH (t:Tag {name: ['a', 'b', 'c', 'd'][h % 4]})
CREATE (u)-[:ASSESSED {score: 30 + (h * 17) % 250}]->(t)
`;

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) };
}

describe('a run decides once', () => {
  beforeAll(async () => {
    await resetGraph(graph);
    await graph.write(FIT_DATA);
  });

  test('three shards with fitting on: one fits each model and trains ALS, all write the single-process edges', async () => {
    const models = [...MODEL_NAMES];
    const single = capture();
    await runSimilarityJob(repo, { models, params: params(), graceMs: 0, log: single });
    // The single process fitted (the data has users enough to validate on).
    expect(single.lines.filter((l) => /^(cosine|als): fitted on/.test(l))).toHaveLength(2);
    const expected = new Map<ModelName, Edge[]>();
    for (const m of models) expected.set(m, await activeEdges(m));
    // What a run decides, as its version stores it: the fitted choices, the validation figures, every candidate.
    const decisions = async (m: ModelName) => {
      const [node] = await graph.read<{ params: string }>(
        'MATCH (m:SimilarityModel {name: $m}) RETURN m.params AS params',
        { m },
      );
      const p = JSON.parse(node!.params) as Record<string, unknown> & { validation: Record<string, unknown> };
      const { decided: _decided, search: _search, dataAsOf: _dataAsOf, validation, ...choices } = p;
      const { seconds: _seconds, ...figures } = validation;
      return { choices, figures };
    };
    const singleDecisions = { cosine: await decisions('cosine'), als: await decisions('als') };
    expect(singleDecisions.cosine.figures.skipped).toBe(0);

    const log = capture();
    const run = 'decide-once';
    const shard = (index: number) =>
      runSimilarityJob(repo, {
        models,
        params: params(),
        graceMs: 0,
        log,
        plan: { pollMs: 20 },
        shard: { index, count: 3, run },
      });
    const reports = (await Promise.all([shard(0), shard(1), shard(2)])).flat();

    for (const m of models) {
      const sharded = await activeEdges(m);
      const want = expected.get(m)!;
      expect(sharded.length).toBeGreaterThan(0);
      expect(sharded.map((e) => [e.a, e.b, e.rank])).toEqual(want.map((e) => [e.a, e.b, e.rank]));
      sharded.forEach((e, i) => expect(Math.abs(e.score - want[i]!.score)).toBeLessThan(1e-6));
      // Exactly one shard made the model's decisions; the version records which.
      const deciders = reports.filter((r) => r.model === m && r.decided?.here === true);
      expect(deciders).toHaveLength(1);
      const [node] = await graph.read<{ params: string; plan: string | null }>(
        'MATCH (m:SimilarityModel {name: $m}) RETURN m.params AS params, m.plan AS plan',
        { m },
      );
      const stored = JSON.parse(node!.params) as { decided?: { by: string }; validation?: unknown };
      expect(stored.decided?.by).toBe(deciders[0]!.decided!.by);
      expect(stored.validation).toBeDefined();
      expect(node!.plan).toBeNull();
    }
    // The shards decided what the single process decided: same choices, same candidates and validation figures.
    expect({ cosine: await decisions('cosine'), als: await decisions('als') }).toEqual(singleDecisions);
    // The fit ran once per fitted model and ALS was trained once, across the three shards.
    expect(log.lines.filter((l) => /^cosine: fitted on/.test(l))).toHaveLength(1);
    expect(log.lines.filter((l) => /^als: fitted on/.test(l))).toHaveLength(1);
    expect(log.lines.filter((l) => /^als: trained once for run decide-once/.test(l))).toHaveLength(1);
    expect(log.lines.filter((l) => l.includes('decisions read from the graph'))).toHaveLength(2 * models.length);
    // The shards' user factors are gone with the run; the active version keeps its fold-in factors.
    const [factors] = await graph.read<{ users: number; foldIn: number }>(
      `MATCH (m:SimilarityModel {name: 'als'})
       RETURN COUNT { (c:AlsUserFactors) } AS users, COUNT { (f:AlsFactors {model: 'als', version: m.version}) } AS foldIn`,
    );
    expect(factors).toEqual({ users: 0, foldIn: 1 });
  });

  test('a claim whose shard stopped renewing is taken over; a shard waits for live decisions only so long', async () => {
    const p = params();
    const models: ModelName[] = ['assessments'];
    const { version } = await repo.joinRun('assessments', 'takeover', 2);
    expect(await repo.claimPlan('assessments', 'takeover', version, 'a shard that died', 1)).toEqual({
      state: 'claimed',
      tookOverFrom: null,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const log = capture();
    const [r] = await runSimilarityJob(repo, {
      models,
      params: p,
      graceMs: 0,
      log,
      shard: { index: 0, count: 2, run: 'takeover' },
    });
    expect(r!.decided?.here).toBe(true);
    expect(log.lines).toContain(
      "warning: assessments: took over run takeover's decisions from a shard that died, whose claim expired or was given up",
    );
    await runSimilarityJob(repo, { models, params: p, graceMs: 0, shard: { index: 1, count: 2, run: 'takeover' } });

    // A shard that fails while deciding gives its claim up: the next shard claims at once.
    const given = await repo.joinRun('assessments', 'given-up', 2);
    await repo.claimPlan('assessments', 'given-up', given.version, 'a failing shard', 60_000);
    expect(await repo.releasePlan('assessments', 'given-up', given.version, 'a failing shard')).toBe(true);
    expect(await repo.claimPlan('assessments', 'given-up', given.version, 'another shard', 60_000)).toEqual({
      state: 'claimed',
      tookOverFrom: 'a failing shard',
    });

    const next = await repo.joinRun('assessments', 'slow', 2);
    await repo.claimPlan('assessments', 'slow', next.version, 'a slow shard', 60_000);
    await expect(
      runSimilarityJob(repo, {
        models,
        params: p,
        graceMs: 0,
        plan: { pollMs: 20, waitMs: 100 },
        shard: { index: 1, count: 2, run: 'slow' },
      }),
    ).rejects.toThrow(
      "shard 1/2 of run slow: expected the run's decisions for assessments (by a slow shard) within 0 s, but they are still being made",
    );
  });
});
