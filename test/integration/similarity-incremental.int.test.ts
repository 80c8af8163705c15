// `similarity --incremental` against a real Neo4j: a generated set is imported and computed, 1% more users and as
// many changed users are imported, the incremental run refreshes the cosine-family models, and a full run on the
// same data is the reference: the incremental top-10 must agree with it for changed and unchanged users alike.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { meanOverlap, splitForIncremental } from '../../bench/_incremental-split';
import { generate } from '../../src/generate/generate';
import type { Graph } from '../../src/graph/executor';
import { SimilarityRepository } from '../../src/graph/similarity-repository';
import { Importer } from '../../src/ingest/importer';
import { findTables } from '../../src/ingest/reader';
import { runIncrementalJob, type IncrementalReport } from '../../src/jobs/incremental-job';
import { defaultParams, type ModelName } from '../../src/jobs/models';
import { runSimilarityJob } from '../../src/jobs/similarity-job';
import { resetGraph, testGraph } from '../helpers/neo4j';

const MODELS: ModelName[] = ['interests', 'course_views', 'assessments', 'cosine'];
const quiet = { info: () => undefined, warn: () => undefined };

let graph: Graph;
let repo: SimilarityRepository;
let dir: string;
let split: ReturnType<typeof splitForIncremental>;

async function importDir(folder: string): Promise<void> {
  await new Importer(graph, { batchSize: 500, rejectsPath: path.join(dir, 'rejects.csv'), log: quiet }).run(
    findTables(folder),
  );
}

async function fullRun(): Promise<void> {
  const p = defaultParams();
  p.threads = 1;
  p.fit.enabled = false;
  await runSimilarityJob(repo, { models: MODELS, params: p, graceMs: 0 });
}

/** Every user's active top-10 of a model, by handle. */
async function activeLists(model: string): Promise<Map<number, number[]>> {
  const rows = await graph.read<{ h: number; n: number[] }>(
    `MATCH (m:SimilarityModel {name: $model})
     MATCH (a:User)-[s:SIMILAR_TO]->(b:User) WHERE s.model = $model AND s.version = m.version
     WITH a, b, s ORDER BY s.rank
     RETURN a.handle AS h, collect(b.handle) AS n`,
    { model },
  );
  return new Map(rows.map((r) => [Number(r.h), r.n.map(Number)]));
}

let reports: IncrementalReport[];
const incremental = new Map<string, Map<number, number[]>>();
const full = new Map<string, Map<number, number[]>>();
let paramsAfter: Record<string, unknown>;

beforeAll(async () => {
  graph = testGraph();
  repo = new SimilarityRepository(graph);
  await resetGraph(graph);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incremental-'));
  await generate({
    users: 1500,
    seed: 5,
    out: path.join(dir, 'all'),
    progress: () => ({ tick: () => undefined, set: () => undefined, done: () => undefined }),
  });
  split = splitForIncremental(path.join(dir, 'all'), dir, 0.01, 3);
  await importDir(split.base);
  await fullRun();
  await importDir(split.late);
  reports = await runIncrementalJob(repo, { models: MODELS, threads: 1, graceMs: 0, log: quiet });
  for (const m of MODELS) incremental.set(m, await activeLists(m));
  const [node] = await graph.read<{ params: string }>(
    "MATCH (m:SimilarityModel {name: 'cosine'}) RETURN m.params AS params",
  );
  paramsAfter = JSON.parse(node!.params) as Record<string, unknown>;
  await fullRun();
  for (const m of MODELS) full.set(m, await activeLists(m));
}, 600_000);

afterAll(async () => {
  await graph.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the incremental run recomputes the users the late import stamped, and copies most of the others', () => {
  const stamped = split.added.length + split.changed.length;
  for (const r of reports) {
    expect({ model: r.model, changed: r.changed }).toEqual({ model: r.model, changed: stamped });
    expect(r.copied).toBeGreaterThan(r.patched + r.dirty);
    expect(r.version).toBe(r.previous + 1);
  }
});

test('it records where it started, what it did and how far the weighting drifted', () => {
  const inc = paramsAfter.incremental as Record<string, unknown>;
  expect(inc).toMatchObject({ from: 1, changed: split.added.length + split.changed.length, fullRunDueAbove: 0.05 });
  expect(typeof paramsAfter.dataAsOf).toBe('string');
  const drift = inc.weightingDrift as { users: number; max: number };
  // 1% more users: the user count drifted by about that much; a full run is due only past the threshold.
  expect(drift.users).toBeGreaterThan(0.005);
  expect(drift.users).toBeLessThan(0.02);
  expect(inc.fullRunDue).toBe(drift.max > 0.05);
});

test.each(MODELS)('%s: top-10 overlap with a full run is >= 0.95 for changed users and >= 0.99 for the rest', (m) => {
  const stamped = new Set([...split.added, ...split.changed]);
  const changed = meanOverlap(incremental.get(m)!, full.get(m)!, (h) => stamped.has(h));
  const rest = meanOverlap(incremental.get(m)!, full.get(m)!, (h) => !stamped.has(h));
  expect(changed.users).toBeGreaterThan(0);
  // Every user with a list in the full run (assessments: the few hundred who took one).
  expect(rest.users).toBeGreaterThan(300);
  expect(changed.overlap).toBeGreaterThanOrEqual(0.95);
  expect(rest.overlap).toBeGreaterThanOrEqual(0.99);
});

test('new users have lists after the incremental run', () => {
  const lists = incremental.get('interests')!;
  for (const h of split.added) expect(lists.get(h)?.length ?? 0).toBeGreaterThan(0);
});

test('ALS is refused with the reason, before any lease is taken', async () => {
  await expect(runIncrementalJob(repo, { models: ['als'], threads: 1, log: quiet })).rejects.toThrow(
    /expected models among interests, course_views, assessments, cosine, but got als/,
  );
});
