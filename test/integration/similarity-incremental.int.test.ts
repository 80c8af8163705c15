// `similarity --incremental` against a real Neo4j: a generated set is imported and computed, 1% more users and as
// many changed users are imported, the incremental run refreshes the cosine-family models, and a full run on the
// same data is the reference: the incremental top-10 must agree with it for changed and unchanged users alike. The
// incremental version stores only the lists it wrote; then two incremental runs in a row over a full version are
// read through REST and GraphQL, a user is forgotten from base and delta lists, and a full run cleans up after them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { meanOverlap, splitForIncremental } from '../../bench/_incremental-split';
import { createApp, type ApiServer } from '../../src/api/server';
import { connectApiGraph } from '../../src/graph/api-connect';
import { generate } from '../../src/generate/generate';
import type { Graph } from '../../src/graph/executor';
import { SimilarityRepository } from '../../src/graph/similarity-repository';
import { Importer } from '../../src/ingest/importer';
import { findTables } from '../../src/ingest/reader';
import {
  readVersionLists,
  runIncrementalJob,
  versionParams,
  type IncrementalOptions,
  type IncrementalReport,
} from '../../src/jobs/incremental-job';
import {
  defaultParams,
  signalsOf,
  thawWeighting,
  weightedMatrix,
  type FrozenWeighting,
  type ModelName,
} from '../../src/jobs/models';
import { eachCompactList } from '../../src/jobs/list-blobs';
import { SignalLoader, type Signals } from '../../src/jobs/signals';
import { runSimilarityJob } from '../../src/jobs/similarity-job';
import { cosineTopKSync } from '../../src/similarity/topk';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';

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

type List = { n: number[]; s: number[] };

/** Every user's active list of a model with its scores, best first (the active-lists pattern of cypher/explore). */
async function activeScored(model: string): Promise<Map<number, List>> {
  const rows = await graph.read<{ h: number; n: number[]; s: number[] }>(
    `MATCH (m:SimilarityModel {name: $model})
     MATCH (a:User)-[s:SIMILAR_TO]->(b:User)
     WHERE s.model = $model AND m.floor <= s.version <= m.version AND (s.until IS NULL OR s.until > m.version)
     WITH a, b, s ORDER BY s.score DESC, b.handle
     RETURN a.handle AS h, collect(b.handle) AS n, collect(s.score) AS s`,
    { model },
  );
  return new Map(rows.map((r) => [Number(r.h), { n: r.n.map(Number), s: r.s }]));
}

/**
 * The compact lists stored with the model's active version as a run reads them (a delta over its base's full set
 * applied; null when it has none), the version they extend (null for a full set), and the versions any are stored for.
 */
async function compactScored(
  model: string,
): Promise<{ lists: Map<number, List> | null; base: number | null; versions: number[] }> {
  const node = await modelNode(model);
  const read = await readVersionLists(repo, model, node.version);
  const rows = await graph.read<{ v: number }>(
    'MATCH (l:VersionLists {model: $model}) RETURN DISTINCT l.version AS v ORDER BY v',
    { model },
  );
  const versions = rows.map((r) => Number(r.v));
  if (read === null) return { lists: null, base: null, versions };
  const lists = new Map<number, List>();
  eachCompactList(read.lists, (h, n, s) => lists.set(h, { n: [...n], s: [...s] }));
  return { lists, base: read.base, versions };
}

/** A signal's rows as handle -> sorted "name=value" entries (names from the loader's dictionaries). */
function rowsByName(s: Signals, n: 'interests' | 'views' | 'assessments'): Record<number, string[]> {
  const m = s[n]!;
  const names = n === 'views' ? s.courses.names : s.tags.names;
  const out: Record<number, string[]> = {};
  for (let r = 0; r < m.rows; r++) {
    const e: string[] = [];
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) e.push(`${names[m.indices[p]!]}=${m.data[p]}`);
    if (e.length > 0) out[s.users.handles[r]!] = e.sort();
  }
  return out;
}

/** Every user's active top-10 of a model, by handle. */
async function activeLists(model: string): Promise<Map<number, number[]>> {
  return new Map([...(await activeScored(model))].map(([h, l]) => [h, l.n]));
}

/**
 * Every user's exact top-k over the whole current graph under the active version's frozen weighting: what an
 * incremental version must hold when its patches are right (its kept lists come from an exact full run).
 */
async function exactUnderFrozen(models: ModelName[]): Promise<Map<string, Map<number, List>>> {
  const loader = await SignalLoader.open(repo);
  const out = new Map<string, Map<number, List>>();
  for (const model of models) {
    await loader.need(signalsOf(model));
    const s = loader.signals;
    const active = (await repo.activeVersion(model))!;
    const p = versionParams(JSON.parse(active.params ?? '{}') as Record<string, unknown>, 1);
    const frozen = thawWeighting(JSON.parse(active.weighting!) as FrozenWeighting, s);
    const { matrix } = weightedMatrix(model as Exclude<ModelName, 'als'>, s, p, frozen);
    const nb = cosineTopKSync(matrix, p.k, { tieKey: s.users.handles });
    const lists = new Map<number, List>();
    for (let r = 0; r < s.users.size; r++) {
      const l: List = { n: [], s: [] };
      for (let j = 0; j < p.k && nb.index[r * p.k + j]! >= 0; j++) {
        l.n.push(s.users.handles[nb.index[r * p.k + j]!]!);
        l.s.push(nb.score[r * p.k + j]!);
      }
      if (l.n.length > 0) lists.set(s.users.handles[r]!, l);
    }
    out.set(model, lists);
  }
  return out;
}

/** The model's edges by the version that wrote them: all, and those with an end (until) set. */
async function edgesByVersion(model: string): Promise<Record<number, { all: number; ended: number }>> {
  const rows = await graph.read<{ v: number; all: number; ended: number }>(
    `MATCH ()-[s:SIMILAR_TO]->() WHERE s.model = $model
     RETURN s.version AS v, count(s) AS all, count(s.until) AS ended ORDER BY v`,
    { model },
  );
  return Object.fromEntries(rows.map((r) => [Number(r.v), { all: Number(r.all), ended: Number(r.ended) }]));
}

async function modelNode(model: string): Promise<{ version: number; floor: number; edges: number }> {
  const [row] = await graph.read<{ version: number; floor: number; edges: number }>(
    'MATCH (m:SimilarityModel {name: $model}) RETURN m.version AS version, m.floor AS floor, m.edges AS edges',
    { model },
  );
  return { version: Number(row!.version), floor: Number(row!.floor), edges: Number(row!.edges) };
}

let reports: IncrementalReport[];
/** Edges of the first full version, per model. */
const afterIncrementalBase = new Map<string, number>();
/** After the first incremental run (before the reference full run): edges by version, model nodes. */
const afterIncremental = new Map<
  string,
  {
    edges: Record<number, { all: number; ended: number }>;
    node: { version: number; floor: number; edges: number };
    visible: number;
  }
>();
const incremental = new Map<string, Map<number, number[]>>();
const incrementalScored = new Map<string, Map<number, List>>();
let exact: Map<string, Map<number, List>>;
const full = new Map<string, Map<number, number[]>>();
let paramsAfter: Record<string, unknown>;
/** Per model: the compact lists and the edges' lists (as read) of the first full version, then of the incremental. */
const compactCheck = new Map<
  string,
  Array<{ compact: Awaited<ReturnType<typeof compactScored>>; edges: Map<number, List>; version: number }>
>();

async function checkCompact(m: string): Promise<void> {
  const entry = {
    compact: await compactScored(m),
    edges: await activeScored(m),
    version: (await modelNode(m)).version,
  };
  compactCheck.set(m, [...(compactCheck.get(m) ?? []), entry]);
}

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
  for (const m of MODELS) afterIncrementalBase.set(m, (await edgesByVersion(m))[1]!.all);
  for (const m of MODELS) await checkCompact(m);
  await importDir(split.late);
  reports = await runIncrementalJob(repo, { models: MODELS, threads: 1, graceMs: 0, log: quiet });
  exact = await exactUnderFrozen(MODELS);
  for (const m of MODELS) {
    await checkCompact(m);
    incrementalScored.set(m, await activeScored(m));
    incremental.set(m, await activeLists(m));
    afterIncremental.set(m, {
      edges: await edgesByVersion(m),
      node: await modelNode(m),
      visible: [...incremental.get(m)!.values()].reduce((sum, l) => sum + l.length, 0),
    });
  }
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

test('the incremental run recomputes the users the late import stamped, and keeps most of the others', () => {
  const stamped = split.added.length + split.changed.length;
  for (const r of reports) {
    expect({ model: r.model, changed: r.changed }).toEqual({ model: r.model, changed: stamped });
    expect(r.kept).toBeGreaterThan(r.patched + r.dirty);
    expect(r.version).toBe(r.previous + 1);
  }
});

test.each(MODELS)('%s: the incremental version writes only the changed lists; the kept ones stay unwritten', (m) => {
  const r = reports.find((x) => x.model === m)!;
  const { edges, node, visible } = afterIncremental.get(m)!;
  // The new version holds exactly the edges this run wrote: the recomputed and patched lists, nothing copied.
  expect(edges[r.version]!.all).toBe(r.writtenEdges);
  expect(edges[r.version]!.ended).toBe(0);
  expect(r.writtenEdges).toBeGreaterThan(0);
  expect(r.writtenEdges).toBeLessThan(0.5 * r.edges);
  // Only the edges that changed: a patched list rewritten whole (k edges each) would not fit under this.
  expect(r.writtenEdges).toBeLessThan(10 * (r.changed + r.dirty) + 3 * r.patched);
  // The base version keeps every edge; the ended ones (the written users' old lists) were deleted after the grace.
  expect(Object.keys(edges).map(Number)).toEqual([r.previous, r.version]);
  expect(edges[r.previous]!.ended).toBe(0);
  expect(edges[r.previous]!.all + r.endedEdges).toBe(afterIncrementalBase.get(m));
  expect(edges[r.previous]!.all + edges[r.version]!.all).toBe(r.edges);
  // The model node: the new version is active over the full version, and counts what readers see.
  expect(node).toEqual({ version: r.version, floor: r.previous, edges: r.edges });
  expect(visible).toBe(r.edges);
});

test.each(MODELS)(
  '%s: every active list equals an exact top-10 over the new data under the frozen weighting, best first',
  (m) => {
    const got = incrementalScored.get(m)!;
    const want = exact.get(m)!;
    expect([...got.keys()].sort((a, b) => a - b)).toEqual([...want.keys()].sort((a, b) => a - b));
    const wrong: unknown[] = [];
    let sameOrder = 0;
    for (const [h, w] of want) {
      const g = got.get(h)!;
      // The same scores position by position (float32 sums in another order differ in the last bits); the same
      // neighbours unless two of them tie.
      const scoresMatch = g.s.length === w.s.length && g.s.every((x, i) => Math.abs(x - w.s[i]!) <= 1e-6);
      if (!scoresMatch) wrong.push({ h, got: g, want: w });
      if (g.n.join() === w.n.join()) sameOrder++;
      // Read best first: scores never rise along a list.
      for (let i = 1; i < g.s.length; i++) expect(g.s[i]!).toBeLessThanOrEqual(g.s[i - 1]!);
    }
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(sameOrder / want.size).toBeGreaterThanOrEqual(0.99);
  },
);

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

test.each(MODELS)(
  '%s: the full and the incremental version store compact lists equal to their edges, which the run read',
  (m) => {
    const r = reports.find((x) => x.model === m)!;
    // The incremental run read the full version's compact lists, not its edges, and the full run's stored signals.
    expect(r.listsFrom).toBe('compact');
    expect(r.signalsFrom).not.toMatch(/(interests|views|assessments): graph/);
    expect(r.signalsFrom).toMatch(/: stored/);
    const checks = compactCheck.get(m)!;
    expect(checks.map((c) => c.version)).toEqual([r.previous, r.version]);
    // The full run stores a full set; the incremental run, only the lists that differ from it (a delta).
    expect(checks.map((c) => c.compact.base)).toEqual([null, r.previous]);
    for (const { compact, edges, version } of checks) {
      // Only the active version keeps them, and the full set a delta extends: the others went when superseded.
      expect(compact.versions).toEqual(compact.base === null ? [version] : [compact.base, version]);
      // Every list, neighbour by neighbour and score by score (exactly), in the order readers see it.
      expect(compact.lists).not.toBeNull();
      expect([...compact.lists!.keys()].sort((a, b) => a - b)).toEqual([...edges.keys()].sort((a, b) => a - b));
      const wrong = [...edges].filter(([h, l]) => JSON.stringify(compact.lists!.get(h)) !== JSON.stringify(l));
      expect(wrong.slice(0, 3)).toEqual([]);
    }
  },
);

test('new users have lists after the incremental run', () => {
  const lists = incremental.get('interests')!;
  for (const h of split.added) expect(lists.get(h)?.length ?? 0).toBeGreaterThan(0);
});

test('ALS is refused with the reason, before any lease is taken', async () => {
  await expect(runIncrementalJob(repo, { models: ['als'], threads: 1, log: quiet })).rejects.toThrow(
    /expected models among interests, course_views, assessments, cosine, but got als/,
  );
});

describe('two incremental runs in a row over a full version', () => {
  const model = 'interests';
  let server: ApiServer;
  let base: string;
  let before: Map<number, number[]>;
  let full: number;
  const runs: IncrementalReport[] = [];

  /**
   * Changes users as an import would: each drops one of two or more interests and is stamped; the next incremental
   * run recomputes them and patches the lists they enter or leave.
   */
  async function change(handles: number[]): Promise<void> {
    await graph.write(
      `UNWIND $handles AS h MATCH (u:User {handle: h})
       SET u.changedAt = datetime()
       WITH u WHERE COUNT { (u)-[:INTERESTED_IN]->() } > 1
       CALL (u) { MATCH (u)-[r:INTERESTED_IN]->(t:Tag) WITH r ORDER BY t.name LIMIT 1 DELETE r }`,
      { handles },
    );
  }

  beforeAll(async () => {
    // The reference full run above is the full version these build on.
    full = (await modelNode(model)).version;
    before = await activeLists(model);
    const handles = [...before.keys()].sort((a, b) => a - b);
    // At 1,500 users the two runs write about 1,150 lists: a delta may hold 90% of the users here, so the second
    // stores one delta over the full set (the test after the next one crosses the default share).
    const opts: IncrementalOptions = { models: [model], threads: 1, graceMs: 0, log: quiet, deltaListsMaxShare: 0.9 };
    await change(handles.filter((_, i) => i % 40 === 0));
    runs.push(...(await runIncrementalJob(repo, opts)));
    await change(handles.filter((_, i) => i % 40 === 1 || i % 80 === 0));
    runs.push(...(await runIncrementalJob(repo, opts)));
    const config = testConfig();
    server = await createApp(config, connectApiGraph(config.neo4j, config.neo4j.password ?? ''), {
      log: { info: () => undefined, warn: () => undefined },
    });
    base = await server.start(0, '127.0.0.1');
  }, 300_000);

  afterAll(async () => {
    await server.stop();
  });

  test('the active lists come from the full version and both deltas, at most k per user, none twice', async () => {
    expect(runs.map((r) => [r.previous, r.version])).toEqual([
      [full, full + 1],
      [full + 1, full + 2],
    ]);
    expect(await modelNode(model)).toMatchObject({ version: full + 2, floor: full });
    const edges = await edgesByVersion(model);
    expect(Object.keys(edges).map(Number)).toEqual([full, full + 1, full + 2]);
    // Both deltas patched right: every list is the exact top-10 of the changed data under the frozen weighting.
    const after = await activeScored(model);
    const want = (await exactUnderFrozen([model])).get(model)!;
    expect(after.size).toBe(want.size);
    let same = 0;
    const wrong: unknown[] = [];
    for (const [h, w] of want) {
      const g = after.get(h);
      if (g?.n.join() === w.n.join()) same++;
      if (g === undefined || g.s.length !== w.s.length || g.s.some((x, i) => Math.abs(x - w.s[i]!) > 1e-6)) {
        wrong.push({ h, got: g, want: w });
      }
    }
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(same / want.size).toBeGreaterThanOrEqual(0.99);
    // Fewer edges than lists changed: a patched list costs an edge or two, not k.
    for (const r of runs) expect(r.writtenEdges).toBeLessThan(r.edges / 4);
    // Each read the compact lists of the version before it (the second, the first's delta over the full set).
    expect(runs.map((r) => r.listsFrom)).toEqual(['compact', 'compact']);
    // The second stored one delta over the full set, the first's lists and its own in it; read as the edges are.
    const compact = await compactScored(model);
    expect(compact.base).toBe(full);
    expect(compact.versions).toEqual([full, full + 2]);
    expect(compact.lists?.size).toBe(after.size);
    const differ = [...after].filter(([h, l]) => JSON.stringify(compact.lists!.get(h)) !== JSON.stringify(l));
    expect(differ.slice(0, 3)).toEqual([]);
    // A patched list keeps its unchanged edges: lists mix versions, never a neighbour twice, never more than k.
    const [shape] = await graph.read<{ bad: number; mixed: number }>(
      `MATCH (m:SimilarityModel {name: $model}) MATCH (a:User)-[s:SIMILAR_TO {model: $model}]->(b:User)
       WHERE m.floor <= s.version <= m.version AND (s.until IS NULL OR s.until > m.version)
       WITH a, count(s) AS edges, count(DISTINCT b) AS neighbours, count(DISTINCT s.version) AS versions
       RETURN count(CASE WHEN edges > 10 OR edges <> neighbours THEN a END) AS bad,
              count(CASE WHEN versions > 1 THEN a END) AS mixed`,
      { model },
    );
    expect(Number(shape!.bad)).toBe(0);
    expect(Number(shape!.mixed)).toBeGreaterThan(0);
  });

  test("REST and GraphQL serve every user's whole active list", async () => {
    const lists = await activeLists(model);
    const sample = [...lists.keys()].sort((a, b) => a - b).filter((_, i) => i % 20 === 0 || i % 40 === 1);
    for (const h of sample) {
      const expected = lists.get(h)!.map(String);
      const rest = (await (
        await fetch(`${base}/api/similarity?user_handle=${h}&model=${model}&limit=10`)
      ).json()) as Array<{ similar: string }>;
      expect({ h, rest: rest.map((x) => x.similar) }).toEqual({ h, rest: expected });
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ user(handle: "${h}") { similarUsers(model: INTERESTS) { handle } } }` }),
      });
      const body = (await res.json()) as { data: { user: { similarUsers: Array<{ handle: string }> } } };
      expect({ h, gql: body.data.user.similarUsers.map((x) => x.handle) }).toEqual({ h, gql: expected });
    }
  });

  test('a run whose delta would pass the share of users stores a full set again', async () => {
    const handles = [...(await activeLists(model)).keys()].sort((a, b) => a - b);
    await change(handles.filter((_, i) => i % 60 === 5));
    const [run] = await runIncrementalJob(repo, { models: [model], threads: 1, graceMs: 0, log: quiet });
    const active = await repo.activeVersion(model);
    const params = JSON.parse(active!.params ?? '{}') as { incremental: { listsStored: unknown } };
    // The default share (half the users) is below the ~1,150 lists the delta would hold with this run's.
    expect(params.incremental.listsStored).toEqual({ full: true });
    const compact = await compactScored(model);
    expect(compact.base).toBeNull();
    expect(compact.versions).toEqual([run!.version]);
    const edges = await activeScored(model);
    expect(compact.lists?.size).toBe(edges.size);
    const differ = [...edges].filter(([h, l]) => JSON.stringify(compact.lists!.get(h)) !== JSON.stringify(l));
    expect(differ.slice(0, 3)).toEqual([]);
  });

  test('stored signal rows, with the users changed since read from the graph, are the rows the graph holds', async () => {
    expect(runs.map((r) => r.signalsFrom)).toEqual(['interests: stored', 'interests: stored']);
    const handles = [...(await activeLists(model)).keys()].sort((a, b) => a - b);
    await change(handles.filter((_, i) => i % 50 === 3));
    const stored = await SignalLoader.open(repo, { fromStored: true });
    const graphOnly = await SignalLoader.open(repo);
    const signals = ['interests', 'views', 'assessments'] as const;
    await stored.need([...signals]);
    await graphOnly.need([...signals]);
    // These runs refreshed interests alone, so they stored its rows alone (the first run's, of all four models, are
    // checked through its lists above): views and assessments come from the graph.
    expect(signals.map((n) => stored.source.get(n))).toEqual(['stored', 'graph', 'graph']);
    expect(signals.map((n) => graphOnly.source.get(n))).toEqual(['graph', 'graph', 'graph']);
    for (const n of signals) {
      // The same entries per user, by name (the columns may be numbered in another order).
      expect({ n, rows: rowsByName(stored.signals, n) }).toEqual({ n, rows: rowsByName(graphOnly.signals, n) });
    }
  });

  test('forget removes the user from lists of the full version and of the deltas', async () => {
    const lists = await activeLists(model);
    // A user named both by a list the deltas kept (full version) and by a list a delta wrote.
    const named = await graph.read<{ h: number; versions: number[] }>(
      `MATCH (m:SimilarityModel {name: $model}) MATCH (:User)-[s:SIMILAR_TO {model: $model}]->(b:User)
       WHERE m.floor <= s.version <= m.version AND (s.until IS NULL OR s.until > m.version)
       WITH b, collect(DISTINCT s.version) AS versions WHERE size(versions) > 1
       RETURN b.handle AS h, versions ORDER BY size(versions) DESC, h LIMIT 1`,
      { model },
    );
    const victim = Number(named[0]!.h);
    expect(named[0]!.versions.map(Number)).toContain(full);
    const holders = [...lists].filter(([, l]) => l.includes(victim)).map(([h]) => h);
    const result = await repo.forgetUser(victim);
    expect(result.found).toBe(true);
    const after = await activeLists(model);
    for (const h of holders) {
      expect(after.get(h)).toEqual(lists.get(h)!.filter((x) => x !== victim));
    }
    // Ranks are positions when read: the holder's list is numbered 1..n without the victim.
    const read = await repo.neighbours(model, holders[0]!);
    expect(read.map((x) => x.handle)).toEqual(after.get(holders[0]!));
    expect(read.map((x) => x.rank)).toEqual(read.map((_, i) => i + 1));
    const res = await fetch(`${base}/api/similarity?user_handle=${holders[0]}&model=${model}&limit=10`);
    expect(((await res.json()) as Array<{ similar: string }>).map((x) => x.similar)).not.toContain(String(victim));
  });

  test('after forget, the next incremental run reads the edges (no compact lists) and stores them again', async () => {
    // forget dropped every compact list (they held the forgotten user): the run falls back to the edges.
    expect((await compactScored(model)).versions).toEqual([]);
    const handles = [...(await activeLists(model)).keys()].sort((a, b) => a - b);
    await change(handles.filter((_, i) => i % 40 === 2));
    const [run] = await runIncrementalJob(repo, { models: [model], threads: 1, graceMs: 0, log: quiet });
    expect(run!.listsFrom).toBe('edges');
    // forget dropped the stored signal rows too (they held the user's).
    expect(run!.signalsFrom).toBe('interests: graph');
    expect(run!.changed).toBeGreaterThan(0);
    const compact = await compactScored(model);
    expect(compact.versions).toEqual([run!.version]);
    const edges = await activeScored(model);
    expect(compact.lists !== null && [...compact.lists.keys()].length).toBe(edges.size);
    const wrong = [...edges].filter(([h, l]) => JSON.stringify(compact.lists!.get(h)) !== JSON.stringify(l));
    expect(wrong.slice(0, 3)).toEqual([]);
  });

  test('a full run after them leaves only its own edges once the grace is over', async () => {
    await fullRun();
    const node = await modelNode(model);
    expect(node.floor).toBe(node.version);
    const edges = await edgesByVersion(model);
    expect(edges).toEqual({ [node.version]: { all: node.edges, ended: 0 } });
  });
});
