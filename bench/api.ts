// `npm run bench -- api`: the API under load on loopback (autocannon): GraphQL similarUsers and POST /similar-users/.
// The server runs as a child process (`serve`), so that the load generator does not share its event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadConfig, PROJECT_ROOT } from '../src/config';
import { openGraph } from '../src/graph/connect';
import type { Graph } from '../src/graph/executor';
import { freePort } from '../src/localdb/server';

const USAGE =
  'npm run bench -- api [--duration 30] [--connections 16] [--warmup 3] [--model cosine] [--cache both|on|off] [--synthetic 10000]\n' +
  '  --cache on: the neighbour cache is filled first (every user once), so requests measure the steady state;\n' +
  '  --cache off: every request reads Neo4j. both (default) runs the two.\n' +
  '  Uses the graph NEO4J_* points at. Without an active version of --model, pass --synthetic N to write N users\n' +
  '  with 10 SIMILAR_TO edges each (model "bench", removed afterwards) instead of running import + similarity.';

interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'} x ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

async function sampleHandles(graph: Graph, model: string): Promise<number[]> {
  const rows = await graph.read<{ h: number }>(
    `MATCH (m:SimilarityModel {name: $model})
     MATCH (u:User)-[s:SIMILAR_TO {rank: 1}]->()
     WHERE s.model = $model AND s.version = m.version
     RETURN u.handle AS h LIMIT 20000`,
    { model },
  );
  return rows.map((r) => r.h);
}

async function writeSynthetic(graph: Graph, users: number): Promise<void> {
  await graph.write('MERGE (m:SimilarityModel {name: "bench"}) SET m.version = 1');
  const batch = 2000;
  for (let start = 0; start < users; start += batch) {
    await graph.write(
      `UNWIND range($start, $end - 1) AS i
       MERGE (u:User {handle: 900000000 + i})
       WITH u, i
       UNWIND range(1, 10) AS r
       MERGE (v:User {handle: 900000000 + (i * 7 + r * 13) % $users})
       CREATE (u)-[:SIMILAR_TO {model: 'bench', version: 1, rank: r, score: 1.0 - r * 0.05}]->(v)`,
      { start, end: Math.min(users, start + batch), users },
    );
  }
}

async function removeSynthetic(graph: Graph): Promise<void> {
  await graph.autoCommit(
    'MATCH (u:User) WHERE u.handle >= 900000000 CALL (u) { DETACH DELETE u } IN TRANSACTIONS OF 2000 ROWS',
  );
  await graph.write('MATCH (m:SimilarityModel {name: "bench"}) DELETE m');
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server at ${url} did not answer /healthz within 60 s`);
}

function load(
  url: string,
  opts: { duration: number; connections: number; body: () => string; path: string },
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}${opts.path}`,
        method: 'POST',
        connections: opts.connections,
        duration: opts.duration,
        headers: { 'content-type': 'application/json' },
        requests: [{ setupRequest: (req) => ({ ...req, body: opts.body() }) }],
      },
      (err: unknown, result) =>
        err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(result),
    );
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Every sampled user's list requested once (32 at a time), so that cache-on runs measure the steady state. */
async function fillCache(url: string, handles: number[], model: string): Promise<void> {
  for (let i = 0; i < handles.length; i += 32) {
    await Promise.all(
      handles.slice(i, i + 32).map((h) =>
        fetch(`${url}/similar-users/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user_handle: h, model, limit: 10 }),
        }).then((r) => r.arrayBuffer()),
      ),
    );
  }
}

function table(rows: Row[]): string {
  const head = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'requests'];
  const body = rows.map((r) => [
    r.scenario,
    r.rps.toFixed(0),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    String(r.errors),
    String(r.non2xx),
    String(r.requests),
  ]);
  const all = [head, ...body];
  const widths = head.map((_h, j) => Math.max(...all.map((row) => row[j]!.length)));
  return all
    .map((row) => row.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  '))
    .join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '30' },
      connections: { type: 'string', default: '16' },
      warmup: { type: 'string', default: '3' },
      model: { type: 'string', default: 'cosine' },
      synthetic: { type: 'string' },
      cache: { type: 'string', default: 'both' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const warmup = Number(values.warmup);
  if (![duration, connections, warmup].every((n) => Number.isInteger(n) && n >= 0) || duration < 1) {
    process.stderr.write(
      `expected integer --duration >= 1, --connections, --warmup; got ${argv.join(' ')}\n${USAGE}\n`,
    );
    return 2;
  }
  const modes = values.cache === 'both' ? ['off', 'on'] : [values.cache];
  if (!modes.every((m) => m === 'on' || m === 'off')) {
    process.stderr.write(`expected --cache both, on or off; got "${values.cache}"\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const graph = await openGraph(config);
  let model = values.model;
  let synthetic = false;
  let child: ChildProcess | undefined;
  try {
    let handles = await sampleHandles(graph, model);
    let data: string;
    if (handles.length === 0) {
      if (values.synthetic === undefined) {
        process.stderr.write(`No active version of model "${model}" in ${config.neo4j.uri}.\n${USAGE}\n`);
        return 2;
      }
      const n = Number(values.synthetic);
      await writeSynthetic(graph, n);
      synthetic = true;
      model = 'bench';
      handles = await sampleHandles(graph, model);
      data = `synthetic: ${n} users x 10 SIMILAR_TO edges written directly (no import, no similarity job)`;
    } else {
      const [c] = await graph.read<{ users: number; edges: number }>(
        `MATCH (u:User) WITH count(u) AS users
         MATCH (m:SimilarityModel {name: $model}) RETURN users, m.edges AS edges`,
        { model },
      );
      data = `the graph as imported: ${c?.users ?? '?'} users, ${c?.edges ?? '?'} ${model} edges; ${handles.length} handles with neighbours sampled`;
    }
    const pick = () => handles[Math.floor(Math.random() * handles.length)]!;
    const gqlModel = model === 'bench' ? 'COSINE' : model.toUpperCase();
    if (model === 'bench') {
      process.stderr.write(
        'note: synthetic edges use model "bench", which GraphQL does not name: its rows use COSINE\n',
      );
    }
    const query =
      'query($h: ID!, $m: SimilarityModel) { user(handle: $h) { similarUsers(model: $m, limit: 10) { handle score } } }';
    const scenarios = [
      {
        name: 'POST /similar-users/',
        path: '/similar-users/',
        body: () => JSON.stringify({ user_handle: pick(), model, limit: 10 }),
      },
      {
        name: 'GraphQL similarUsers(limit: 10)',
        path: '/graphql',
        body: () => JSON.stringify({ query, variables: { h: String(pick()), m: gqlModel } }),
      },
    ];
    const rows: Row[] = [];
    for (const mode of modes) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      child = spawn(
        process.execPath,
        [path.join(PROJECT_ROOT, 'bin', 'similar-users.js'), 'serve', '--port', String(port), '--cache', mode],
        {
          env: { ...process.env, NODE_ENV: 'production', GRAPHQL_PLAYGROUND: 'false' },
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      await waitReady(url, child);
      if (mode === 'on') await fillCache(url, handles, model);
      for (const sc of scenarios) {
        if (warmup > 0) await load(url, { duration: warmup, connections, body: sc.body, path: sc.path });
        const r = await load(url, { duration, connections, body: sc.body, path: sc.path });
        rows.push({
          scenario: `${sc.name}, cache ${mode}`,
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          errors: r.errors + r.timeouts,
          non2xx: r.non2xx,
          requests: r.requests.total,
        });
      }
      await stopChild(child);
      child = undefined;
    }
    process.stdout.write(
      [
        `machine: ${machine()}`,
        `neo4j: ${config.neo4j.uri} (same machine); server: serve in a child process, NODE_ENV=production`,
        `data: ${data}`,
        `load: autocannon, ${connections} connections, ${duration} s per scenario after ${warmup} s warm-up, random handles; cache on = every sampled user's list loaded first`,
        '',
        table(rows),
        '',
        `target: >= 2,000 req/s with p99 <= 20 ms and 0 errors`,
        '',
      ].join('\n'),
    );
    return rows.every((r) => r.errors === 0 && r.non2xx === 0) ? 0 : 1;
  } finally {
    if (child !== undefined) await stopChild(child);
    if (synthetic) await removeSynthetic(graph);
    await graph.close();
  }
}
