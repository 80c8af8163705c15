// The similarity job against a real Neo4j: hand-computed neighbours, versioning, the atomic switch, crash recovery.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config';
import type { Graph } from '../../src/graph/executor';
import { SimilarityRepository } from '../../src/graph/similarity-repository';
import { defaultParams, type ModelName, type ModelParams } from '../../src/jobs/models';
import { runSimilarityJob, type JobOptions } from '../../src/jobs/similarity-job';
import { decodeAlsFactors } from '../../src/jobs/als-fold-in';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';

let graph: Graph;
let repo: SimilarityRepository;

// Interests: tags a..d are each followed by exactly two of users 1..4, so their IDF weights are equal and the
// TF-IDF cosine is the plain set cosine: |shared| / sqrt(|x| |y|) = 1/2 for users sharing one of two tags.
// User 5 follows only e (shared with nobody): signal, but no neighbour. User 6 has no signal at all.
const FIXTURE = `
UNWIND ['a', 'b', 'c', 'd', 'e'] AS name CREATE (:Tag {name: name})
WITH count(*) AS _
UNWIND [[1, ['a', 'b']], [3, ['a', 'c']], [2, ['b', 'd']], [4, ['c', 'd']], [5, ['e']], [6, []]] AS u
CREATE (user:User {handle: u[0]})
WITH user, u
UNWIND u[1] AS tag
MATCH (t:Tag {name: tag})
CREATE (user)-[:INTERESTED_IN]->(t)
`;

// Extra users with views, course tags and assessments, so every model has input and writes take many batches.
const MORE = `
UNWIND range(1, 6) AS i CREATE (c:Course {id: 'c' + i})
WITH count(*) AS _
MATCH (c:Course), (t:Tag) WHERE right(c.id, 1) IN ['1', '2'] AND t.name = 'a' OR right(c.id, 1) IN ['3', '4'] AND t.name = 'b'
CREATE (c)-[:TAGGED]->(t)
WITH count(*) AS _
UNWIND range(100, 219) AS h
CREATE (u:User {handle: h})
WITH u, h
MATCH (c:Course) WHERE c.id IN ['c' + (1 + h % 6), 'c' + (1 + (h + 1) % 6), 'c' + (1 + (h * 7) % 5)]
CREATE (u)-[:VIEWED {seconds: 60 * (1 + h % 13)}]->(c)
WITH DISTINCT u, h
MATCH (t:Tag) WHERE t.name IN ['a', 'b', 'c', 'd'][h % 4 .. h % 4 + 2]
CREATE (u)-[:INTERESTED_IN]->(t)
WITH DISTINCT u, h WHERE h % 3 = 0
MATCH (t:Tag {name: ['a', 'b', 'c'][h % 3]})
CREATE (u)-[:ASSESSED {score: 50 + h % 100}]->(t)
`;

function params(k: number, threads = 1): ModelParams {
  const p = defaultParams();
  p.k = k;
  p.threads = threads;
  p.als.iterations = 5;
  p.als.factors = 8;
  return p;
}

function job(models: ModelName[], k: number, extra: Partial<JobOptions> = {}): JobOptions {
  return { models, params: params(k), graceMs: 200, ...extra };
}

async function allEdges(model: string): Promise<string[]> {
  // Each list best first, as readers order it (score, then handle): a neighbour's rank is its position.
  const rows = await graph.read<{ a: number; b: number; score: number; version: number }>(
    `MATCH (a:User)-[s:SIMILAR_TO {model: $model}]->(b:User)
     RETURN a.handle AS a, b.handle AS b, s.score AS score, s.version AS version ORDER BY a, score DESC, b`,
    { model },
  );
  const rank = new Map<number, number>();
  return rows.map((r) => {
    rank.set(r.a, (rank.get(r.a) ?? 0) + 1);
    return `${r.a}->${r.b} #${rank.get(r.a)} ${r.score.toFixed(6)}`;
  });
}

beforeAll(async () => {
  graph = testGraph();
  repo = new SimilarityRepository(graph);
  await resetGraph(graph);
  await graph.write(FIXTURE);
});

afterAll(async () => {
  await graph.close();
});

describe('hand-computed cosine on interests', () => {
  test('neighbours, scores, ranks and ties by handle', async () => {
    const [report] = await runSimilarityJob(repo, job(['interests'], 10));
    expect(report).toMatchObject({ model: 'interests', users: 6, usersWithSignal: 5, usersWithoutSignal: 1, edges: 8 });
    expect(report!.usersWithoutNeighbours).toBe(1);
    const edges = await allEdges('interests');
    expect(edges).toEqual([
      '1->2 #1 0.500000',
      '1->3 #2 0.500000',
      '2->1 #1 0.500000',
      '2->4 #2 0.500000',
      '3->1 #1 0.500000',
      '3->4 #2 0.500000',
      '4->2 #1 0.500000',
      '4->3 #2 0.500000',
    ]);
    expect(await repo.neighbours('interests', 5)).toEqual([]);
    expect(await repo.neighbours('interests', 6)).toEqual([]);
    const node = await repo.model('interests');
    expect(node).toMatchObject({ name: 'interests', version: report!.version, writing: null, users: 5, edges: 8 });
    expect(JSON.parse(node!.params!)).toEqual({
      k: 10,
      ann: false,
      // Six users: too little work to estimate, so the exact search.
      search: { mode: 'auto', ann: false, reason: 'small', estimateSeconds: null, budgetSeconds: 600 },
      // The database's clock before the run read the graph (the next incremental run's starting point).
      dataAsOf: expect.any(String) as unknown,
    });
  });

  test('at most k per user: with k = 1 each user keeps its best neighbour, the tie going to the smaller handle', async () => {
    await runSimilarityJob(repo, job(['interests'], 1));
    expect(await allEdges('interests')).toEqual([
      '1->2 #1 0.500000',
      '2->1 #1 0.500000',
      '3->1 #1 0.500000',
      '4->2 #1 0.500000',
    ]);
  });
});

test('--ann: approximate search recorded on the model node with its measured recall', async () => {
  await runSimilarityJob(repo, job(['interests'], 10));
  const exact = await allEdges('interests');
  expect(exact).toHaveLength(8);
  const p = params(10);
  p.ann = true;
  const [report] = await runSimilarityJob(repo, { ...job(['interests'], 10), params: p });
  // On six users the candidates are everyone: the approximate search finds the exact edges.
  expect(await allEdges('interests')).toEqual(exact);
  expect(report!.details).toMatchObject({ annRecall: 1, annRecallSample: 6 });
  const stored = JSON.parse((await repo.model('interests'))!.params!) as Record<string, unknown>;
  expect(stored).toMatchObject({ k: 10, ann: true, annRecall: 1, annRecallSample: 6 });
  expect(stored.annSearch).toMatchObject({ dims: 64, rounds: 4 });
});

test('--ann with interests before ALS: the blend takes the interests search of the same run, not another', async () => {
  const p = params(10);
  p.ann = true;
  p.fit.enabled = false;
  p.als = { ...p.als, blend: 4 };
  const lines: string[] = [];
  const log = { info: (l: string) => lines.push(l), warn: (l: string) => lines.push(l) };
  const reports = await runSimilarityJob(repo, { ...job(['interests', 'als'], 10), params: p, log });
  expect(reports.map((r) => r.model)).toEqual(['interests', 'als']);
  expect(lines.filter((l) => l.includes("als: best 50 by interests: the interests model's search"))).toHaveLength(1);
  expect(lines.filter((l) => l.includes('by interests (approximate)'))).toHaveLength(0);
  expect(reports[1]!.details).toMatchObject({ blend: 4, blendInterestCandidates: 50 });
  // ALS alone searches the interests itself.
  lines.length = 0;
  await runSimilarityJob(repo, { ...job(['als'], 10), params: p, log });
  expect(lines.filter((l) => l.includes('best 50 by interests (approximate)'))).toHaveLength(1);
});

test('the exact-or-approximate choice: decided from the estimate against the budget, stored with the version', async () => {
  // Every search estimated (no work is too small) against a budget of 0 s: the approximate search is picked.
  const over = params(10);
  over.estimateAboveWork = 0;
  over.exactBudgetSeconds = 0;
  const [annReport] = await runSimilarityJob(repo, { ...job(['interests'], 10), params: over });
  expect(annReport!.search).toMatchObject({ mode: 'auto', ann: true, reason: 'over-budget', budgetSeconds: 0 });
  const stored = JSON.parse((await repo.model('interests'))!.params!) as Record<string, unknown>;
  expect(stored).toMatchObject({
    ann: true,
    annRecallSample: 6,
    search: { mode: 'auto', ann: true, reason: 'over-budget' },
  });
  expect((stored.search as { estimateSeconds: unknown }).estimateSeconds).toEqual(expect.any(Number));

  // A budget of a week: the exact search, with its estimate recorded.
  const within = params(10);
  within.estimateAboveWork = 0;
  within.exactBudgetSeconds = 604_800;
  await runSimilarityJob(repo, { ...job(['interests'], 10), params: within });
  const exact = JSON.parse((await repo.model('interests'))!.params!) as Record<string, unknown>;
  expect(exact).toMatchObject({ ann: false, search: { mode: 'auto', ann: false, reason: 'within-budget' } });
  expect(exact.annRecall).toBeUndefined();

  // --exact forces it whatever the estimate.
  const forced = params(10);
  forced.estimateAboveWork = 0;
  forced.exactBudgetSeconds = 0;
  forced.search = 'exact';
  await runSimilarityJob(repo, { ...job(['interests'], 10), params: forced });
  expect(JSON.parse((await repo.model('interests'))!.params!)).toMatchObject({
    ann: false,
    search: { mode: 'exact', ann: false, reason: 'forced' },
  });
});

describe('versions', () => {
  beforeAll(async () => {
    await graph.write(MORE);
  });

  test('all five models: no self edges, at most k, users without signal get no edges, one version each', async () => {
    const reports = await runSimilarityJob(repo, {
      ...job(['interests', 'course_views', 'assessments', 'cosine', 'als'], 3),
    });
    expect(reports.map((r) => r.model)).toEqual(['interests', 'course_views', 'assessments', 'cosine', 'als']);
    for (const r of reports) {
      expect(r.edges).toBeGreaterThan(0);
      const [stats] = await graph.read<{
        self: number;
        rank: number;
        maxOut: number;
        versions: number[];
      }>(
        `MATCH (a:User)-[s:SIMILAR_TO {model: $model}]->(b:User)
         WITH a, count(s) AS out, sum(CASE WHEN a = b THEN 1 ELSE 0 END) AS self, count(s.rank) AS rank,
              collect(DISTINCT s.version) AS versions
         RETURN sum(self) AS self, sum(rank) AS rank, max(out) AS maxOut,
                reduce(acc = [], v IN collect(versions) | acc + [x IN v WHERE NOT x IN acc]) AS versions`,
        { model: r.model },
      );
      // No rank is stored: readers number a list by score, then handle.
      expect(stats).toEqual({ self: 0, rank: 0, maxOut: 3, versions: [r.version] });
      const node = await repo.model(r.model);
      expect(node).toMatchObject({ version: r.version, writing: null, edges: r.edges, users: r.usersWithSignal });
    }
    // User 6 has no signal in any model; user 5's only tag is shared with nobody.
    for (const model of ['interests', 'course_views', 'assessments', 'cosine', 'als']) {
      expect(await repo.neighbours(model, 6)).toEqual([]);
    }
    // Ranks within one user are 1..n in order of descending score.
    const nb = await repo.neighbours('cosine', 100);
    expect(nb.map((n) => n.rank)).toEqual([1, 2, 3]);
    for (let i = 1; i < nb.length; i++) expect(nb[i]!.score).toBeLessThanOrEqual(nb[i - 1]!.score);
  });

  test('re-running is idempotent: the same edges under a new version, the old version removed', async () => {
    const before = await allEdges('cosine');
    const [first] = await runSimilarityJob(repo, job(['cosine'], 3));
    const [second] = await runSimilarityJob(repo, job(['cosine'], 3));
    expect(second!.version).toBe(first!.version + 1);
    expect(second!.oldEdgesDeleted).toBe(first!.edges);
    expect(await allEdges('cosine')).toEqual(before);
    expect([...(await repo.edgeCounts('cosine')).keys()]).toEqual([second!.version]);
  });

  test('ALS keeps its fold-in factors with the active version only, and they decode to its shape', async () => {
    const [first] = await runSimilarityJob(repo, job(['als'], 3));
    const [second] = await runSimilarityJob(repo, job(['als'], 3));
    const versions = await graph.read<{ v: number }>(
      "MATCH (f:AlsFactors {model: 'als'}) RETURN f.version AS v ORDER BY v",
    );
    expect(versions).toEqual([{ v: second!.version }]);
    expect(await repo.alsFactors('als', first!.version)).toBeNull();
    const stored = await repo.alsFactors('als', second!.version);
    const factors = decodeAlsFactors(stored!);
    expect(factors.factors).toBe(8);
    expect(factors.itemFactors).toHaveLength(factors.items.length * 8);
    expect(factors.mean).toHaveLength(8);
    expect(new Set(factors.items.map((k) => k.slice(0, 2)))).toEqual(new Set(['c:', 't:']));
  });

  test('a reader running throughout a recompute never sees a mixed or empty model', async () => {
    await runSimilarityJob(repo, job(['course_views'], 3));
    const expected = (await repo.neighbours('course_views', 101)).map((n) => `${n.handle}:${n.score.toFixed(6)}`);
    expect(expected).toHaveLength(3);
    let running = true;
    let reads = 0;
    const seenVersions = new Set<number>();
    const problems: string[] = [];
    const reader = (async () => {
      while (running) {
        const nb = await repo.neighbours('course_views', 101);
        reads++;
        const versions = new Set(nb.map((n) => n.version));
        for (const v of versions) seenVersions.add(v);
        const got = nb.map((n) => `${n.handle}:${n.score.toFixed(6)}`);
        if (versions.size !== 1 || got.join() !== expected.join())
          problems.push(`read ${reads}: ${JSON.stringify(nb)}`);
      }
    })();
    // Small batches with a pause after each stretch the write over many transactions while the reader loops.
    const [report] = await runSimilarityJob(
      repo,
      job(['course_views'], 3, {
        batchEdges: 15,
        writers: 1,
        afterBatch: () => new Promise((r) => setTimeout(r, 20)),
      }),
    );
    running = false;
    await reader;
    expect(problems).toEqual([]);
    expect(reads).toBeGreaterThan(20);
    expect(report!.oldEdgesDeleted).toBeGreaterThan(0);
    // The reader saw the old version and then the new one, never anything else.
    expect([...seenVersions].sort()).toEqual([report!.previous, report!.version].sort());
  });

  test('a run that dies mid-write leaves the previous version serving; the next run cleans up what it left', async () => {
    const [ok] = await runSimilarityJob(repo, job(['interests'], 3));
    const serving = await repo.neighbours('interests', 100);
    await expect(
      runSimilarityJob(
        repo,
        job(['interests'], 3, {
          batchEdges: 30,
          afterBatch: (_model, batch) => {
            if (batch === 2) throw new Error('simulated crash after two batches');
          },
        }),
      ),
    ).rejects.toThrow('simulated crash');
    const node = await repo.model('interests');
    expect(node).toMatchObject({ version: ok!.version, writing: ok!.version + 1 });
    const counts = await repo.edgeCounts('interests');
    expect(counts.get(ok!.version)).toBe(ok!.edges);
    expect(counts.get(ok!.version + 1)).toBeGreaterThan(0);
    expect(counts.get(ok!.version + 1)).toBeLessThan(ok!.edges);
    expect(await repo.neighbours('interests', 100)).toEqual(serving);

    const [next] = await runSimilarityJob(repo, job(['interests'], 3));
    expect(next!.version).toBe(ok!.version + 2);
    expect(next!.leftoversDeleted).toBe(counts.get(ok!.version + 1));
    expect(next!.previous).toBe(ok!.version);
    expect([...(await repo.edgeCounts('interests')).entries()]).toEqual([[next!.version, ok!.edges]]);
    expect((await repo.neighbours('interests', 100)).map((n) => n.handle)).toEqual(serving.map((n) => n.handle));
  });

  test('two worker threads give the same edges as one', async () => {
    await runSimilarityJob(repo, job(['cosine'], 3));
    const one = await allEdges('cosine');
    await runSimilarityJob(repo, { ...job(['cosine'], 3), params: params(3, 2) });
    expect(await allEdges('cosine')).toEqual(one);
  });

  test('a job process killed (SIGKILL) mid-write leaves the previous version serving; the next run cleans up', async () => {
    // Enough users that the child's writes take well over a hundred small transactions.
    await graph.write(`
      UNWIND range(1000, 5999) AS h
      CREATE (u:User {handle: h})
      WITH u, h
      MATCH (c:Course) WHERE c.id IN ['c' + (1 + h % 6), 'c' + (1 + (h * 5) % 6)]
      CREATE (u)-[:VIEWED {seconds: 30 * (1 + h % 17)}]->(c)`);
    const [ok] = await runSimilarityJob(repo, job(['course_views'], 3));
    const serving = await repo.neighbours('course_views', 101);
    const cfg = testConfig();
    const args = [
      'similarity',
      '--model',
      'course_views',
      '--k',
      '3',
      '--batch',
      '100',
      '--writers',
      '1',
      '--threads',
      '1',
    ];
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'similar-users.js'), ...args], {
      cwd: PROJECT_ROOT,
      // A short lease, so that the killed run's lease expires within the test (6 s: the checks between the kill and
      // the refused run take a few seconds on a loaded host, and a 2 s lease expired before them).
      env: {
        ...process.env,
        NEO4J_URI: cfg.neo4j.uri,
        NEO4J_PASSWORD: cfg.neo4j.password ?? '',
        SIMILARITY_LEASE_SECONDS: '6',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let killedAt = -1;
    for (let i = 0; i < 3000 && child.exitCode === null; i++) {
      const partial = (await repo.edgeCounts('course_views')).get(ok!.version + 1) ?? 0;
      if (partial > 500) {
        child.kill('SIGKILL');
        killedAt = partial;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await exited;
    expect(killedAt).toBeGreaterThan(0);
    // A transaction the child had sent whole before it died may still commit on the server after the exit: count
    // the leftovers once the server runs none of its transactions and the count holds still.
    const left = await settledCount(() => repo.edgeCounts('course_views').then((c) => c.get(ok!.version + 1) ?? 0));
    expect(await repo.model('course_views')).toMatchObject({ version: ok!.version, writing: ok!.version + 1 });
    expect(left).toBeGreaterThanOrEqual(killedAt);
    expect(left).toBeLessThan(ok!.edges);
    expect(await repo.neighbours('course_views', 101)).toEqual(serving);
    // The dead run's lease is live until it expires: a run before that refuses, one after takes it over.
    await expect(runSimilarityJob(repo, job(['course_views'], 3))).rejects.toThrow(/another similarity run/);
    await new Promise((r) => setTimeout(r, 6100));

    const [next] = await runSimilarityJob(repo, job(['course_views'], 3));
    expect(next!.leftoversDeleted).toBe(left);
    expect([...(await repo.edgeCounts('course_views')).entries()]).toEqual([[next!.version, ok!.edges]]);
  });
});

/** `count()` once no other transaction runs on the server and two reads 500 ms apart agree (at most 30 s). */
async function settledCount(count: () => Promise<number>): Promise<number> {
  let last = -1;
  for (let i = 0; i < 60; i++) {
    const running = await graph.read<{ n: unknown }>(
      'SHOW TRANSACTIONS YIELD currentQuery WHERE NOT currentQuery STARTS WITH "SHOW TRANSACTIONS" RETURN count(*) AS n',
    );
    const now = await count();
    if (Number(running[0]!.n) === 0 && now === last) return now;
    last = now;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the leftover count did not settle in 30 s (last ${last})`);
}
