// One model's similarity run in N shards against the same run in one process, on one machine: each shard's wall
// time and peak memory, the run's, and whether the shards wrote exactly the single process's edges (same pairs,
// scores within 1e-6). The shards run `parallel` at a time as child processes (`--shard I/N --run ID`, what
// `--shards N --parallel P` and a Kubernetes Indexed Job start), so each one is timed on its own.
//
//   npm run bench -- shards [--users 10000] [--model assessments] [--shards 8] [--parallel 2] [--reuse]
//
// `--reuse` runs on the graph `npm run bench -- end-to-end --users N --keep` left (an import of 1,000,000 users
// takes ~17 minutes); without it the generated data set is imported first (not timed).
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../src/config';
import { MODEL_NAMES, type ModelName } from '../src/jobs/models';
import type { Statement } from '../src/graph/cypher';
import type { Graph } from '../src/graph/executor';
import { emptyGraph, generatedDataSet, runCli, startBenchNeo4j } from './_local-neo4j';

const OUT = path.join(PROJECT_ROOT, 'bench', 'out', 'end-to-end');
/** The end-to-end bench's server, which `--reuse` starts on its kept data; a server of its own otherwise. */
const server = (reuse: boolean) =>
  reuse
    ? { name: 'end-to-end', password: 'bench-end-to-end-password' }
    : { name: 'shards', password: 'bench-shards-password' };

const n = (v: number) => Math.round(v).toLocaleString('en-US');

interface Timed {
  label: string;
  seconds: number;
  /** From the job's report: reading the signals, the search, the edges it computed. */
  readSeconds?: string | undefined;
  computeSeconds?: string | undefined;
  edges?: string | undefined;
  peakMiB?: number | undefined;
}

const ACTIVE_EDGES: Statement<{ model: string }, { a: number; b: number; s: number }> = {
  name: 'ad hoc',
  text:
    'MATCH (m:SimilarityModel {name: $model}) MATCH (a:User)-[s:SIMILAR_TO {model: $model}]->(b:User) ' +
    'WHERE s.version = m.version RETURN a.handle AS a, b.handle AS b, s.score AS s',
};

/** The model's active edges, keyed by the pair (handles below 2^26 each, so the key is an exact number). */
async function activeEdges(graph: Graph, model: ModelName): Promise<Map<number, number>> {
  const edges = new Map<number, number>();
  await graph.stream(ACTIVE_EDGES, { model }, (get) => {
    const a = Number(get('a'));
    const b = Number(get('b'));
    if (a >= 2 ** 26 || b >= 2 ** 26) throw new RangeError(`expected handles below 2^26, but got ${a} -> ${b}`);
    edges.set(a * 2 ** 26 + b, get('s'));
  });
  return edges;
}

function summarise(out: string, label: string, seconds: number): Timed {
  const peak = /peak memory (\d+) MiB/.exec(out);
  const work = /: read ([\d.]+) s, computed ([\d,]+) edges in ([\d.]+) s/.exec(out);
  return {
    label,
    seconds,
    readSeconds: work?.[1],
    edges: work?.[2],
    computeSeconds: work?.[3],
    peakMiB: peak !== null ? Number(peak[1]) : undefined,
  };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string' },
      model: { type: 'string' },
      shards: { type: 'string' },
      parallel: { type: 'string' },
      reuse: { type: 'boolean' },
      keep: { type: 'boolean' },
    },
  });
  const users = Number(values.users ?? 10_000);
  const count = Number(values.shards ?? 8);
  const parallel = Number(values.parallel ?? 2);
  const model = (values.model ?? 'assessments') as ModelName;
  if (!Number.isInteger(users) || users < 100)
    throw new Error(`--users: expected an integer >= 100, got ${values.users}`);
  if (!Number.isInteger(count) || count < 2)
    throw new Error(`--shards: expected an integer >= 2, got ${values.shards}`);
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new Error(`--parallel: expected an integer >= 1, got ${values.parallel}`);
  if (!MODEL_NAMES.includes(model))
    throw new Error(`--model: expected one of ${MODEL_NAMES.join(', ')}, got ${values.model}`);

  const reuse = values.reuse === true;
  const { name, password } = server(reuse);
  const { config, graph, env, stop } = await startBenchNeo4j(
    name,
    password,
    { heap: '4g', pagecache: '2g' },
    { reuse },
  );
  const steps: Timed[] = [];
  let verdict: string;
  let ok: boolean;
  try {
    if (!reuse) {
      await emptyGraph(graph);
      process.stderr.write('import (not timed)\n');
      await runCli(['import', '--data', await generatedDataSet(OUT, users)], env);
    }
    const found = await graph.read<{ n: unknown }>('MATCH (u:User) RETURN count(u) AS n');
    if (Number(found[0]?.n) !== users)
      throw new Error(`expected a graph of ${n(users)} users, but the graph holds ${n(Number(found[0]?.n))}`);

    process.stderr.write(`${model}: one process\n`);
    const single = await runCli(['similarity', '--model', model], env, { keepStderr: true });
    steps.push(summarise(single.out, 'one process', single.seconds));
    const expected = await activeEdges(graph, model);

    const run = `bench-shards-${Date.now()}`;
    process.stderr.write(`${model}: ${count} shards of run ${run}, ${parallel} at a time\n`);
    const started = performance.now();
    let next = 0;
    const shardSteps: Timed[] = [];
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const r = await runCli(['similarity', '--model', model, '--shard', `${i}/${count}`, '--run', run], env, {
          keepStderr: true,
        });
        shardSteps[i] = summarise(r.out, `shard ${i}/${count}`, r.seconds);
        process.stderr.write(`shard ${i}/${count}: ${r.seconds.toFixed(1)} s\n`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
    const wall = (performance.now() - started) / 1000;
    steps.push(...shardSteps);
    const sum = shardSteps.reduce((t, s) => t + s.seconds, 0);
    steps.push({ label: `${count} shards, ${parallel} at a time`, seconds: wall });
    steps.push({ label: 'sum of the shards', seconds: sum });

    const sharded = await activeEdges(graph, model);
    let missing = 0;
    let apart = 0;
    for (const [pair, score] of expected) {
      const got = sharded.get(pair);
      if (got === undefined) missing++;
      else if (Math.abs(got - score) > 1e-6) apart++;
    }
    const extra = [...sharded.keys()].filter((pair) => !expected.has(pair)).length;
    ok = expected.size > 0 && missing === 0 && extra === 0 && apart === 0;
    verdict =
      `${count} shards vs one process: ${n(sharded.size)} vs ${n(expected.size)} edges, ${n(missing)} missing, ` +
      `${n(extra)} extra, ${n(apart)} scores more than 1e-6 apart: ${ok ? 'the same edges' : 'DIFFERENT'}`;
  } finally {
    await stop(reuse || values.keep === true);
  }

  const cpus = os.cpus();
  process.stdout.write(
    `\nShards: ${model}, ${n(users)} generated users (seed 1), ${cpus.length} x ${cpus[0]?.model ?? '?'}, ` +
      `${n(os.totalmem() / 2 ** 30)} GiB RAM, load average ${os.loadavg()[0]?.toFixed(1) ?? '?'} at the end, ` +
      `node ${process.version}, Neo4j ${config.neo4j.local?.version ?? '?'} (heap ${config.neo4j.local?.heap ?? '?'}, ` +
      `page cache ${config.neo4j.local?.pagecache ?? '?'}); one run each.\n\n`,
  );
  const header = ['run', 'wall s', 'read s', 'search s', 'edges computed', 'peak MiB'];
  const body = steps.map((s) => [
    s.label,
    s.seconds.toFixed(1),
    s.readSeconds ?? '',
    s.computeSeconds ?? '',
    s.edges ?? '',
    s.peakMiB !== undefined ? n(s.peakMiB) : '',
  ]);
  const w = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(header), line(w.map((x) => '-'.repeat(x))), ...body.map(line)].join('\n')}\n\n`);
  process.stdout.write(`${verdict}\n`);
  return ok ? 0 : 1;
}
