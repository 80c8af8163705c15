// How fast Neo4j takes a model's SIMILAR_TO edges, and gives them back: `users` users (created here, each with
// `signals` INTERESTED_IN edges to 1,000 tags so that the nodes have some degree), then per run a version of k
// seeded random neighbours per user written through the job's own write path (SimilarityRepository.writeEdges,
// `writers` transactions at a time of `batch` edges each, as the similarity job writes), and deleted the way a run
// deletes the version it superseded (delete-superseded, batches of `batch`). Prints the machine, the inputs, each
// run's seconds and the median of the runs.
//
//   npm run bench -- edge-writes [--users 1000000] [--k 10] [--runs 1] [--writers 4] [--batch 10000] [--signals 0]
//                                [--variant job|by-id|no-version-index[,...]]
//
// --variant measures a change to the write path before it is made. `by-id`: both ends found by element id (read
// once) instead of a seek of the unique handle index, the handle checked on the node found (ad-hoc Cypher below);
// `no-version-index`: the job's path with the (model, version) index on SIMILAR_TO dropped for its turn (created
// again after it), for what that index's upkeep costs the writes. Variants given together (`--variant
// job,by-id,no-version-index`) take turns within each run on the same server, in alternating order.
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
const VARIANTS = ['job', 'by-id', 'no-version-index'] as const;
type Variant = (typeof VARIANTS)[number];

/**
 * write-edges.cypher with both ends found by element id and their handles checked (an id is reused after a delete).
 * The check cannot be seeked (no label, coalesce): with `b:User` and `b.handle = ...` the planner seeks the unique
 * handle index and filters by id, the job's plan plus a filter.
 */
const WRITE_BY_ID = `UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row.a AND coalesce(a.handle, -1) = row.h
UNWIND range(0, size(row.n) - 1) AS j
MATCH (b) WHERE elementId(b) = row.b[j] AND coalesce(b.handle, -1) = row.n[j]
CREATE (a)-[:SIMILAR_TO {model: $model, version: $version, score: row.s[j]}]->(b)
RETURN count(*) AS edges`;

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
  byId: { graph: Graph; ids: Map<number, string> } | undefined,
): Promise<number> {
  const id = (h: number) => {
    const e = byId?.ids.get(h);
    if (e === undefined) throw new Error(`expected an element id for user ${h}, but found none`);
    return e;
  };
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
      let created: number;
      if (byId === undefined) created = await repo.writeEdges(MODEL, o.version, rows);
      else {
        const [row] = await byId.graph.write(WRITE_BY_ID, {
          model: MODEL,
          version: neo4j.int(o.version),
          rows: rows.map((r) => ({ a: id(r.h), h: r.h, b: r.n.map(id), n: r.n, s: r.s })),
        });
        const e = (row as { edges?: unknown } | undefined)?.edges;
        created = neo4j.isInt(e) ? e.toNumber() : Number(e ?? 0);
      }
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
      variant: { type: 'string' },
    },
    strict: true,
  });
  const users = positiveInt('users', values.users, 1_000_000, 2);
  const k = positiveInt('k', values.k, 10);
  const runs = positiveInt('runs', values.runs, 1);
  const writers = positiveInt('writers', values.writers, 4);
  const batch = positiveInt('batch', values.batch, 10_000);
  const signals = positiveInt('signals', values.signals, 0, 0);
  const variants = (values.variant ?? 'job').split(',') as Variant[];
  for (const v of variants) {
    if (!VARIANTS.includes(v)) throw new Error(`--variant: expected one of ${VARIANTS.join(', ')}, but got "${v}"`);
  }

  const { config, graph, stop } = await startBenchNeo4j('edge-writes', PASSWORD, { heap: '2g', pagecache: '2g' });
  const rows = new Map<Variant, { write: number; edges: number; del: number; deleted: number }[]>(
    variants.map((v) => [v, []]),
  );
  const timing = { setup: NaN };
  try {
    await applySchema(graph);
    const repo = new SimilarityRepository(graph);
    const t0 = performance.now();
    const handles = await createUsers(repo, graph, users, signals);
    timing.setup = (performance.now() - t0) / 1000;
    if (handles.length !== users) throw new Error(`expected ${users} users in the graph, but found ${handles.length}`);
    const ids = new Map<number, string>();
    if (variants.includes('by-id')) {
      for (const r of await graph.read('MATCH (u:User) RETURN u.handle AS h, elementId(u) AS e', {})) {
        const { h, e } = r as { h: unknown; e: string };
        ids.set(neo4j.isInt(h) ? h.toNumber() : Number(h), e);
      }
    }
    let version = 0;
    // Several variants take turns within each run, on the same server: the host's speed drifts by 10-20% over
    // minutes, more than what a variant changes, so variants measured minutes apart are not comparable.
    for (let run = 1; run <= runs; run++) {
      for (const variant of run % 2 === 1 ? variants : [...variants].reverse()) {
        version++;
        process.stderr.write(`run ${run} of ${runs}, ${variant}: write ${n(users * k)} edges\n`);
        if (variant === 'no-version-index') await graph.write('DROP INDEX similar_to_model_version IF EXISTS');
        let t = performance.now();
        const edges = await writeVersion(
          repo,
          handles,
          { k, batch, writers, version, seed: run },
          variant === 'by-id' ? { graph, ids } : undefined,
        );
        const write = (performance.now() - t) / 1000;
        if (edges !== users * k)
          throw new Error(`expected ${users * k} edges written, but the writes created ${edges}`);
        t = performance.now();
        const deleted = await repo.deleteSuperseded(MODEL, version + 1, batch);
        const del = (performance.now() - t) / 1000;
        if (deleted !== edges) throw new Error(`expected ${edges} edges deleted, but deleted ${deleted}`);
        if (variant === 'no-version-index') {
          // Back for the other variants' turns: no SIMILAR_TO edge is left, so it is online at once.
          await applySchema(graph);
          await graph.autoCommit('CALL db.awaitIndexes(300)');
        }
        rows.get(variant)!.push({ write, edges, del, deleted });
        process.stderr.write(
          `run ${run} of ${runs}, ${variant}: written in ${write.toFixed(1)} s, deleted in ${del.toFixed(1)} s\n`,
        );
      }
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
      `${local?.pagecache ?? '?'}); ${runs} run(s) of each variant (taking turns), medians.\n\n`,
  );
  const table = [['variant', 'step', 'edges', 'seconds', 'edges/s', 'each run s']];
  for (const [variant, r] of rows) {
    const edges = r[0]?.edges ?? 0;
    const w = median(r.map((x) => x.write));
    const d = median(r.map((x) => x.del));
    const each = (f: (x: { write: number; del: number }) => number) => r.map((x) => f(x).toFixed(1)).join(' ');
    table.push([variant, 'write a version', n(edges), w.toFixed(1), n(edges / w), each((x) => x.write)]);
    table.push(['', 'delete it', n(edges), d.toFixed(1), n(edges / d), each((x) => x.del)]);
  }
  const width = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table) {
    process.stdout.write(`${r.map((c, i) => (i < 2 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ')}\n`);
  }
  return 0;
}
