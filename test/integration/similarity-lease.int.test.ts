// The similarity lease against a real Neo4j: one run per model at a time, refused before writing; heartbeats;
// an expired lease (a dead run) taken over and its edges cleaned; two CLI processes started together.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config';
import type { Graph } from '../../src/graph/executor';
import { LeaseHeldError } from '../../src/graph/lease';
import { SimilarityRepository } from '../../src/graph/similarity-repository';
import { defaultParams, type ModelName } from '../../src/jobs/models';
import { runSimilarityJob, type JobOptions } from '../../src/jobs/similarity-job';
import type { Logger } from '../../src/log';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';

let graph: Graph;
let repo: SimilarityRepository;

// 300 users viewing courses and following tags: enough edges that a run writes many small batches.
const FIXTURE = `
UNWIND range(1, 8) AS i CREATE (:Course {id: 'c' + i})
WITH count(*) AS _
UNWIND ['a', 'b', 'c', 'd'] AS name CREATE (:Tag {name: name})
WITH count(*) AS _
UNWIND range(1, 300) AS h
CREATE (u:User {handle: h})
WITH u, h
MATCH (c:Course) WHERE c.id IN ['c' + (1 + h % 8), 'c' + (1 + (h * 3) % 7)]
CREATE (u)-[:VIEWED {seconds: 30 * (1 + h % 11)}]->(c)
WITH DISTINCT u, h
MATCH (t:Tag) WHERE t.name IN ['a', 'b', 'c', 'd'][h % 4 .. h % 4 + 2]
CREATE (u)-[:INTERESTED_IN]->(t)
`;

function job(models: ModelName[], extra: Partial<JobOptions> = {}): JobOptions {
  const params = defaultParams();
  params.k = 3;
  params.threads = 1;
  return { models, params, graceMs: 50, ...extra };
}

/** Edges of a model outside its active version (what readers must never be left with). */
async function strayEdges(model: string): Promise<number> {
  const [row] = await graph.read<{ n: number }>(
    `MATCH (m:SimilarityModel {name: $model}) MATCH ()-[s:SIMILAR_TO {model: $model}]->()
     WHERE s.version <> m.version OR m.version IS NULL RETURN count(s) AS n`,
    { model },
  );
  return row?.n ?? -1;
}

async function lease(model: string) {
  const [row] = await graph.read<{ owner: string | null; expires: number | null }>(
    'MATCH (m:SimilarityModel {name: $model}) RETURN m.leaseOwner AS owner, m.leaseExpires AS expires',
    { model },
  );
  return row;
}

function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) };
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

test('two runs of one model started together: one refuses before writing, the other completes', async () => {
  const [first] = await runSimilarityJob(repo, job(['course_views']));
  const results = await Promise.allSettled([
    runSimilarityJob(repo, job(['course_views'], { batchEdges: 30, writers: 1 })),
    runSimilarityJob(repo, job(['course_views'], { batchEdges: 30, writers: 1 })),
  ]);
  const ok = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r) => r.status === 'rejected');
  expect(ok).toHaveLength(1);
  expect(refused).toHaveLength(1);
  const err = (refused[0] as PromiseRejectedResult).reason as unknown;
  expect(err).toBeInstanceOf(LeaseHeldError);
  expect((err as Error).message).toMatch(
    /another similarity run is computing course_views \(owner .+\).*before reading or writing/s,
  );
  const [report] = (ok[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof runSimilarityJob>>>).value;
  // The refused run reserved no version: the winner's is the next one, and only its edges remain.
  expect(report!.version).toBe(first!.version + 1);
  expect(report!.leftoversDeleted).toBe(0);
  expect(await repo.model('course_views')).toMatchObject({ version: report!.version, writing: null });
  expect([...(await repo.edgeCounts('course_views')).entries()]).toEqual([[report!.version, first!.edges]]);
  expect(await strayEdges('course_views')).toBe(0);
  expect(await lease('course_views')).toEqual({ owner: null, expires: null });
});

test('a lease covers every model of a run: a run sharing one model with it refuses at once, one without runs', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let writing!: () => void;
  const started = new Promise<void>((r) => (writing = r));
  const slow = runSimilarityJob(
    repo,
    job(['interests', 'course_views'], {
      afterBatch: async () => {
        writing();
        await gate;
      },
    }),
  );
  await started;
  const before = await repo.edgeCounts('course_views');
  await expect(runSimilarityJob(repo, job(['course_views']))).rejects.toThrow(LeaseHeldError);
  await expect(runSimilarityJob(repo, job(['assessments', 'interests']))).rejects.toThrow(/computing interests/);
  expect(await repo.edgeCounts('course_views')).toEqual(before);
  // A refusal rolls its transaction back: not even the node of a model never computed is created.
  expect(await repo.model('assessments')).toBeNull();
  // Nothing was taken by the refused runs: assessments is free and runs beside the slow run.
  await expect(runSimilarityJob(repo, job(['assessments']))).resolves.toHaveLength(1);
  release();
  await expect(slow).resolves.toHaveLength(2);
  for (const m of ['interests', 'course_views', 'assessments']) expect(await strayEdges(m)).toBe(0);
});

test("the heartbeat keeps a long run's lease alive past its ttl", async () => {
  let refusals = 0;
  let checks = 0;
  const [report] = await runSimilarityJob(
    repo,
    job(['course_views'], {
      batchEdges: 30,
      writers: 1,
      lease: { ttlMs: 1000, heartbeatMs: 100 },
      // The run lasts several ttls; a competitor tries after some batches and must still be refused.
      afterBatch: async (_model, batch) => {
        await new Promise((r) => setTimeout(r, 100));
        if (batch % 8 === 0) {
          checks++;
          await runSimilarityJob(repo, job(['course_views'])).catch((err: unknown) => {
            if (err instanceof LeaseHeldError) refusals++;
            else throw err;
          });
        }
      },
    }),
  );
  expect(checks).toBeGreaterThan(2);
  expect(refusals).toBe(checks);
  expect(report!.writeSeconds).toBeGreaterThan(2);
  expect(await strayEdges('course_views')).toBe(0);
});

test('a heartbeat thread renews the lease while the main thread is blocked', async () => {
  const cfg = testConfig();
  const connection = {
    uri: cfg.neo4j.uri,
    user: cfg.neo4j.user,
    database: cfg.neo4j.database,
    password: cfg.neo4j.password ?? '',
  };
  // A ttl of 3 s: on a two-core machine at load 20+ a renewal (a thread's turn plus a write) took over 1 s; the main
  // thread is still blocked for twice the ttl, so a lease without its heartbeat thread would be taken over.
  const ttlMs = 3000;
  const { lease: held } = await repo.takeLease(['als'], { ttlMs, heartbeatMs: 150, connection });
  try {
    // The thread has renewed once before this one blocks: its start (a new isolate, a driver, a login) took seconds
    // at load 20+, and is not what is under test.
    const taken = (await lease('als'))!.expires!;
    for (let i = 0; i < 600 && (await lease('als'))!.expires! <= taken; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await lease('als'))!.expires!).toBeGreaterThan(taken);
    // Busy for two ttls without yielding (what a long compute on this thread does).
    const until = Date.now() + 2 * ttlMs;
    while (Date.now() < until) Math.sqrt(Math.random());
    await expect(runSimilarityJob(repo, job(['als']))).rejects.toThrow(LeaseHeldError);
    await expect(held.confirm()).resolves.toBeUndefined();
  } finally {
    await held.release();
  }
  expect(await lease('als')).toEqual({ owner: null, expires: null });
});

test("an expired lease (a run that died) is taken over and the dead run's edges deleted", async () => {
  const [ok] = await runSimilarityJob(repo, job(['course_views']));
  // A run killed mid-write: its lease expired a while ago, its version half written.
  const dead = ok!.version + 1;
  await graph.write(
    `MATCH (m:SimilarityModel {name: 'course_views'})
     SET m.writing = $dead, m.leaseOwner = 'dead-host:4242:deadbeef', m.leaseHeartbeat = timestamp() - 70000,
       m.leaseExpires = timestamp() - 10000
     WITH m MATCH (a:User) WHERE a.handle <= 50 MATCH (b:User {handle: a.handle + 1})
     CREATE (a)-[:SIMILAR_TO {model: 'course_views', version: $dead, rank: 1, score: 0.5}]->(b)`,
    { dead },
  );
  const log = memoryLog();
  const [next] = await runSimilarityJob(repo, job(['course_views'], { log }));
  expect(log.lines.join('\n')).toMatch(/course_views: took over the lease of run dead-host:4242:deadbeef/);
  expect(next!.version).toBe(dead + 1);
  expect(next!.leftoversDeleted).toBe(50);
  expect([...(await repo.edgeCounts('course_views')).entries()]).toEqual([[next!.version, ok!.edges]]);
  expect(await strayEdges('course_views')).toBe(0);
  expect(await lease('course_views')).toEqual({ owner: null, expires: null });
});

test('a live lease of another process is respected: nothing read, nothing written', async () => {
  await graph.write(
    `MATCH (m:SimilarityModel {name: 'course_views'})
     SET m.leaseOwner = 'other-host:1:cafe', m.leaseHeartbeat = timestamp(), m.leaseExpires = timestamp() + 60000`,
  );
  const before = await repo.model('course_views');
  const counts = await repo.edgeCounts('course_views');
  const trace = () =>
    graph.read('MATCH (m:SimilarityModel {name: $m}) RETURN properties(m) AS p', { m: 'course_views' });
  const props = await trace();
  await expect(runSimilarityJob(repo, job(['course_views']))).rejects.toThrow(/owner other-host:1:cafe/);
  expect(await repo.model('course_views')).toEqual(before);
  expect(await repo.edgeCounts('course_views')).toEqual(counts);
  expect(await trace()).toEqual(props);
  expect((await lease('course_views'))?.owner).toBe('other-host:1:cafe');
  await graph.write(
    `MATCH (m:SimilarityModel {name: 'course_views'}) REMOVE m.leaseOwner, m.leaseHeartbeat, m.leaseExpires, m.leaseTakenAt`,
  );
});

test('two CLI runs 0.3 s apart: one exits 0, the other refuses with a non-zero code; no stray edge', async () => {
  const cfg = testConfig();
  const run = () => {
    const child = spawn(
      process.execPath,
      [path.join(PROJECT_ROOT, 'bin', 'similar-users.js'), 'similarity', '--model', 'interests', '--k', '3'],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, NEO4J_URI: cfg.neo4j.uri, NEO4J_PASSWORD: cfg.neo4j.password ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise<{ code: number | null; err: string }>((resolve) =>
      child.on('exit', (code) => resolve({ code, err })),
    );
  };
  const a = run();
  await new Promise((r) => setTimeout(r, 300));
  const b = run();
  const results = await Promise.all([a, b]);
  const codes = results.map((r) => r.code).sort();
  expect(codes[0]).toBe(0);
  expect(codes[1]).not.toBe(0);
  const refused = results.find((r) => r.code !== 0)!;
  expect(refused.err).toMatch(/similarity: another similarity run is computing interests/);
  expect(await strayEdges('interests')).toBe(0);
  expect(await lease('interests')).toEqual({ owner: null, expires: null });
}, 120_000);
