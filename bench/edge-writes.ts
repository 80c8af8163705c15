// How fast Neo4j takes a model's SIMILAR_TO edges, and gives them back: `users` users (created here, each with
// `signals` INTERESTED_IN edges to 1,000 tags so that the nodes have some degree), then per run a version of k
// seeded random neighbours per user written through the job's own write path (SimilarityRepository.writeEdges,
// `writers` transactions at a time of `batch` edges each, as the similarity job writes), and deleted the way a run
// deletes the version it superseded (delete-superseded, batches of `batch`). Prints the machine, the inputs and the
// median of the runs.
//
//   npm run bench -- edge-writes [--users 1000000] [--k 10] [--runs 1] [--writers 4] [--batch 10000] [--signals 0]
import os from 'node:os';
import { parseArgs } from 'node:util';
import neo4j from 'neo4j-driver';
import type { Graph } from '../src/graph/executor';
import { applySchema } from '../src/graph/schema';
import { SimilarityRepository, type EdgeRow } from '../src/graph/similarity-repository';
import { Rng } from '../src/generate/prng';
import { median } from './_stats';
import { startBenchNeo4j } from './_local-neo4j';

const PASSWORD = 'bench-edge-writes-password';
/** A model name no model of the engine has. */
const MODEL = 'bench-edge-writes';
const TAGS = 1_000;

const n = (v: number) => Math.round(v).toLocaleString('en-US');

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name}: expected an integer >= ${min}, but got "${raw}"`);
  return v;
}

/** Creates users 1..users, each following `signals` seeded random tags of TAGS; prints progress on stderr. */
async function createUsers(
  repo: SimilarityRepository,
  graph: Graph,
  users: number,
  signals: number,
): Promise<Float64Array> {
  await graph.write('UNWIND range(1, $tags) AS t CREATE (:Tag {name: "tag-" + t})', { tags: neo4j.int(TAGS) });
  const rng = new Rng(11);
  const per = 10_000;
  for (let from = 1; from <= users; from += per) {
    const rows: { h: number; t: string[] }[] = [];
    for (let h = from; h < Math.min(users + 1, from + per); h++) {
      rows.push({ h, t: Array.from({ length: signals }, () => `tag-${1 + rng.int(TAGS)}`) });
    }
    await graph.write(
      `UNWIND $rows AS row CREATE (u:User {handle: row.h})
       WITH u, row UNWIND row.t AS name MATCH (t:Tag {name: name}) MERGE (u)-[:INTERESTED_IN]->(t)`,
      { rows },
    );
    if ((from - 1) % 100_000 === 0) process.stderr.write(`users: ${n(from - 1 + rows.length)} / ${n(users)}\n`);
  }
  return repo.userHandles();
}

/** Writes one version: k seeded random neighbours per user, `writers` at a time, `batch` edges per transaction. */
async function writeVersion(
  repo: SimilarityRepository,
  handles: Float64Array,
  o: { k: number; batch: number; writers: number; version: number; seed: number },
): Promise<number> {
  const rng = new Rng(o.seed);
  const usersPerBatch = Math.max(1, Math.floor(o.batch / o.k));
  let next = 0;
  let written = 0;
  let lastLog = performance.now();
  const worker = async () => {
    while (next < handles.length) {
      const start = next;
      const end = Math.min(handles.length, start + usersPerBatch);
      next = end;
      const rows: EdgeRow[] = [];
      for (let u = start; u < end; u++) {
        const neighbours: number[] = [];
        const scores: number[] = [];
        for (let j = 0; j < o.k; j++) {
          let v = rng.int(handles.length);
          if (v === u) v = (v + 1) % handles.length;
          neighbours.push(handles[v]!);
          scores.push(1 - j / (2 * o.k));
        }
        rows.push({ h: handles[u]!, n: neighbours, s: scores });
      }
      const created = await repo.writeEdges(MODEL, o.version, rows);
      written += created;
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        process.stderr.write(`  ${n(written)} / ${n(handles.length * o.k)} edges written\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: o.writers }, worker));
  return written;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string' },
      k: { type: 'string' },
      runs: { type: 'string' },
      writers: { type: 'string' },
      batch: { type: 'string' },
      signals: { type: 'string' },
      keep: { type: 'boolean' },
    },
    strict: true,
  });
  const users = positiveInt('users', values.users, 1_000_000, 2);
  const k = positiveInt('k', values.k, 10);
  const runs = positiveInt('runs', values.runs, 1);
  const writers = positiveInt('writers', values.writers, 4);
  const batch = positiveInt('batch', values.batch, 10_000);
  const signals = positiveInt('signals', values.signals, 0, 0);

  const { config, graph, stop } = await startBenchNeo4j('edge-writes', PASSWORD, { heap: '2g', pagecache: '2g' });
  const rows: { write: number; edges: number; del: number; deleted: number }[] = [];
  const timing = { setup: NaN };
  try {
    await applySchema(graph);
    const repo = new SimilarityRepository(graph);
    const t0 = performance.now();
    const handles = await createUsers(repo, graph, users, signals);
    timing.setup = (performance.now() - t0) / 1000;
    if (handles.length !== users) throw new Error(`expected ${users} users in the graph, but found ${handles.length}`);
    for (let run = 1; run <= runs; run++) {
      process.stderr.write(`run ${run} of ${runs}: write ${n(users * k)} edges\n`);
      let t = performance.now();
      const edges = await writeVersion(repo, handles, { k, batch, writers, version: run, seed: run });
      const write = (performance.now() - t) / 1000;
      if (edges !== users * k) throw new Error(`expected ${users * k} edges written, but the writes created ${edges}`);
      process.stderr.write(`run ${run} of ${runs}: delete them\n`);
      t = performance.now();
      const deleted = await repo.deleteSuperseded(MODEL, run + 1, batch);
      const del = (performance.now() - t) / 1000;
      if (deleted !== edges) throw new Error(`expected ${edges} edges deleted, but deleted ${deleted}`);
      rows.push({ write, edges, del, deleted });
    }
  } finally {
    await stop(values.keep === true);
  }
  const cpus = os.cpus();
  const local = config.neo4j.local;
  process.stdout.write(
    `\nEdge writes: ${n(users)} users (${signals} INTERESTED_IN each, created in ${timing.setup.toFixed(1)} s), ` +
      `k = ${k}, ${writers} writers, ${n(batch)} edges per transaction; ${cpus.length} x ${cpus[0]?.model ?? '?'}, ` +
      `${n(os.totalmem() / 2 ** 30)} GiB RAM, load average ${os.loadavg()[0]?.toFixed(1) ?? '?'} at the end, ` +
      `node ${process.version}, Neo4j ${local?.version ?? '?'} (heap ${local?.heap ?? '?'}, page cache ` +
      `${local?.pagecache ?? '?'}); ${runs} run(s), medians.\n\n`,
  );
  const w = median(rows.map((r) => r.write));
  const d = median(rows.map((r) => r.del));
  const edges = rows[0]?.edges ?? 0;
  const table = [
    ['step', 'edges', 'seconds', 'edges/s'],
    ['write a version', n(edges), w.toFixed(1), n(edges / w)],
    ['delete it', n(edges), d.toFixed(1), n(edges / d)],
  ];
  const width = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table) {
    process.stdout.write(`${r.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ')}\n`);
  }
  return 0;
}
