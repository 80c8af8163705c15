// `npm run bench -- api`: the API under load on loopback (autocannon): GraphQL similarUsers and POST /similar-users/.
// The server runs as a child process (`serve`), so that the load generator does not share its event loop.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadConfig, PROJECT_ROOT } from '../src/config';
import { openGraph } from '../src/graph/connect';
import type { Graph } from '../src/graph/executor';
import { freePort } from '../src/localdb/server';
import type { startServer as startServerType } from '../src/api/server';
import { median } from './_stats';

const USAGE =
  'npm run bench -- api [--duration 10] [--runs 3] [--rate 2000] [--connections 16] [--warmup 2] [--model cosine] [--cache both|on|off] [--synthetic 10000]\n' +
  '  Each scenario runs --runs times (medians reported): as fast as --connections allow, then at --rate req/s\n' +
  "  (0: no fixed-rate phase). cpu us/req is the server process's CPU time (user + system) per answered request.\n" +
  '  --cache on: the neighbour cache is filled first (every user once), so requests measure the steady state;\n' +
  '  --cache off: every request reads Neo4j. both (default) runs the two.\n' +
  '  --in-process: instead, the server in this process and a keep-alive client: CPU per request of each route.\n' +
  '  Uses the graph NEO4J_* points at. Without an active version of --model, pass --synthetic N to write N users\n' +
  '  with 10 SIMILAR_TO edges each (model "bench", removed afterwards) instead of running import + similarity.';

/** One measured phase of one scenario in one run. */
interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuUs: number;
  errors: number;
  non2xx: number;
  requests: number;
}

interface Row {
  scenario: string;
  mode: string;
  max: Sample[];
  rate: Sample[];
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far; NaN where /proc is not available. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is [0], utime [11], stime [12].
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'} x ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

async function sampleHandles(graph: Graph, model: string): Promise<number[]> {
  const rows = await graph.read<{ h: number }>(
    `MATCH (m:SimilarityModel {name: $model})
     MATCH (u:User)
     WHERE EXISTS {
       (u)-[s:SIMILAR_TO {model: $model}]->()
       WHERE coalesce(m.floor, m.version) <= s.version <= m.version AND (s.until IS NULL OR s.until > m.version)
     }
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
       CREATE (u)-[:SIMILAR_TO {model: 'bench', version: 1, score: 1.0 - r * 0.05}]->(v)`,
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
  opts: { duration: number; connections: number; body: () => string; path: string; rate?: number },
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}${opts.path}`,
        method: 'POST',
        connections: opts.connections,
        duration: opts.duration,
        ...(opts.rate !== undefined ? { overallRate: opts.rate } : {}),
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

function table(rows: Row[], rate: number): string {
  const head = [
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'cpu us/req',
    ...(rate > 0 ? [`p99 ms at ${rate}/s`, 'achieved req/s'] : []),
    'errors',
    'non-2xx',
    'requests',
  ];
  const m = (xs: Sample[], f: (s: Sample) => number, digits: number) => median(xs.map(f)).toFixed(digits);
  const sum = (xs: Sample[], f: (s: Sample) => number) => String(xs.reduce((a, x) => a + f(x), 0));
  const body = rows.map((r) => [
    `${r.scenario}, cache ${r.mode}`,
    m(r.max, (x) => x.rps, 0),
    m(r.max, (x) => x.p50, 1),
    m(r.max, (x) => x.p99, 1),
    m(r.max, (x) => x.cpuUs, 0),
    ...(rate > 0 ? [m(r.rate, (x) => x.p99, 1), m(r.rate, (x) => x.rps, 0)] : []),
    sum([...r.max, ...r.rate], (x) => x.errors),
    sum([...r.max, ...r.rate], (x) => x.non2xx),
    sum([...r.max, ...r.rate], (x) => x.requests),
  ]);
  const all = [head, ...body];
  const widths = head.map((_h, j) => Math.max(...all.map((row) => row[j]!.length)));
  return all
    .map((row) => row.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  '))
    .join('\n');
}

/** GraphQL's median req/s (and cpu per request) against REST's, per cache mode. */
function ratios(rows: Row[]): string[] {
  const out: string[] = [];
  for (const mode of [...new Set(rows.map((r) => r.mode))]) {
    const rest = rows.find((r) => r.mode === mode && r.scenario.startsWith('POST'));
    if (rest === undefined) continue;
    for (const r of rows.filter((x) => x.mode === mode && x !== rest)) {
      const rps = median(r.max.map((x) => x.rps)) / median(rest.max.map((x) => x.rps));
      const cpu = median(r.max.map((x) => x.cpuUs)) / median(rest.max.map((x) => x.cpuUs));
      out.push(`${r.scenario}, cache ${mode}: ${rps.toFixed(2)}x REST's req/s, ${cpu.toFixed(2)}x its cpu per request`);
    }
  }
  return out;
}

/**
 * --in-process: the server in this process (cache on, filled), a keep-alive client sending 8 requests at a time;
 * CPU time of the process (server and client) per request, median of the runs. Load from other programs slows
 * it less than it slows req/s, so it is the steadier figure for comparing the routes' own cost.
 */
async function inProcess(
  config: ReturnType<typeof loadConfig>,
  graph: Graph,
  handles: number[],
  model: string,
  scenarios: ReadonlyArray<{ name: string; path: string; body: () => string }>,
  runs: number,
): Promise<string> {
  // graphql-js reads NODE_ENV when it loads (production skips its development checks), as the served process does.
  process.env.NODE_ENV ??= 'production';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startServer } = require('../src/api/server') as { startServer: typeof startServerType };
  const server = await startServer(config, graph, { port: 0, host: '127.0.0.1', closeGraph: false });
  // The same app without the GraphQL fast path, for the last scenario: Apollo's whole pipeline on every request.
  const apollo = await startServer(config, graph, {
    port: 0,
    host: '127.0.0.1',
    closeGraph: false,
    graphqlFastPath: false,
  });
  const all = [...scenarios, { ...scenarios[1]!, name: `${scenarios[1]!.name}, no fast path`, apollo: true }];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const post = (target: URL, pathname: string, body: string) =>
    new Promise<number>((resolve, reject) => {
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = http.request(
        { host: target.hostname, port: target.port, path: pathname, method: 'POST', agent, headers },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const requests = 8000;
  const cpu: number[][] = all.map(() => []);
  const wall: number[][] = all.map(() => []);
  const urls = { fast: new URL(server.url!), apollo: new URL(apollo.url!) };
  try {
    await fillCache(server.url!, handles, model);
    await fillCache(apollo.url!, handles, model);
    const send = async (sc: (typeof all)[number], n: number) => {
      const target = 'apollo' in sc ? urls.apollo : urls.fast;
      for (let i = 0; i < n; i += 8) {
        const statuses = await Promise.all(Array.from({ length: 8 }, () => post(target, sc.path, sc.body())));
        if (statuses.some((st) => st !== 200)) throw new Error(`${sc.name}: expected 200, got ${statuses.join(' ')}`);
      }
    };
    for (let run = 0; run < runs; run++) {
      for (const [i, sc] of all.entries()) {
        await send(sc, 1000);
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await send(sc, requests);
        const c = process.cpuUsage(c0);
        cpu[i]!.push((c.user + c.system) / requests);
        wall[i]!.push(((performance.now() - t0) * 1000) / requests);
      }
    }
  } finally {
    agent.destroy();
    await server.stop();
    await apollo.stop();
  }
  const lines = all.map(
    (sc, i) =>
      `${sc.name.padEnd(46)}  ${median(cpu[i]!).toFixed(0).padStart(10)}  ${median(wall[i]!).toFixed(0).padStart(11)}  ${(median(cpu[i]!) / median(cpu[0]!)).toFixed(2).padStart(12)}`,
  );
  return [
    `in process, cache on: ${runs} runs x ${requests} requests per scenario, 8 in flight; medians; CPU of server and client together`,
    `load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (on ${os.cpus().length} cores)`,
    '',
    `${'scenario'.padEnd(46)}  cpu us/req  wall us/req  cpu vs REST`,
    ...lines,
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '10' },
      runs: { type: 'string', default: '3' },
      rate: { type: 'string', default: '2000' },
      connections: { type: 'string', default: '16' },
      warmup: { type: 'string', default: '2' },
      model: { type: 'string', default: 'cosine' },
      synthetic: { type: 'string' },
      cache: { type: 'string', default: 'both' },
      'in-process': { type: 'boolean' },
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
  const runs = Number(values.runs);
  const rate = Number(values.rate);
  if (
    ![duration, connections, warmup, runs, rate].every((n) => Number.isInteger(n) && n >= 0) ||
    duration < 1 ||
    runs < 1
  ) {
    process.stderr.write(
      `expected integer --duration >= 1, --runs >= 1, --rate, --connections, --warmup; got ${argv.join(' ')}\n${USAGE}\n`,
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
    if (values['in-process'] === true) {
      process.stdout.write(
        `machine: ${machine()}\ndata: ${data}\n${await inProcess(config, graph, handles, model, scenarios, runs)}`,
      );
      return 0;
    }
    const rows: Row[] = [];
    const measure = async (url: string, sc: (typeof scenarios)[number], phase: { rate?: number }): Promise<Sample> => {
      const before = cpuSeconds(child?.pid);
      const r = await load(url, { duration, connections, body: sc.body, path: sc.path, ...phase });
      const cpu = cpuSeconds(child?.pid) - before;
      return {
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        cpuUs: (cpu * 1e6) / Math.max(1, r.requests.total),
        errors: r.errors + r.timeouts,
        non2xx: r.non2xx,
        requests: r.requests.total,
      };
    };
    for (const mode of modes) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      child = spawn(
        process.execPath,
        [path.join(PROJECT_ROOT, 'bin', 'similar-users.js'), 'serve', '--port', String(port), '--cache', mode],
        {
          env: { ...process.env, NODE_ENV: 'production', GRAPHQL_PLAYGROUND: 'false' },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      // The server logs a line per request (part of what it costs); only warnings and other output are shown.
      readline.createInterface({ input: child.stderr! }).on('line', (line) => {
        if (!line.startsWith('{"level":30,')) process.stderr.write(`${line}\n`);
      });
      await waitReady(url, child);
      if (mode === 'on') await fillCache(url, handles, model);
      const modeRows = scenarios.map((sc) => ({ scenario: sc.name, mode, max: [] as Sample[], rate: [] as Sample[] }));
      // Runs interleave the scenarios, so that a burst of load from elsewhere hits all of them alike.
      for (let run = 0; run < runs; run++) {
        for (const [i, sc] of scenarios.entries()) {
          if (warmup > 0) await load(url, { duration: warmup, connections, body: sc.body, path: sc.path });
          modeRows[i]!.max.push(await measure(url, sc, {}));
          if (rate > 0) modeRows[i]!.rate.push(await measure(url, sc, { rate }));
        }
      }
      rows.push(...modeRows);
      await stopChild(child);
      child = undefined;
    }
    process.stdout.write(
      [
        `machine: ${machine()}`,
        `neo4j: ${config.neo4j.uri} (same machine); server: serve in a child process, NODE_ENV=production`,
        `data: ${data}`,
        `load: autocannon, ${connections} connections, ${duration} s per phase after ${warmup} s warm-up, random handles; cache on = every sampled user's list loaded first`,
        `runs: ${runs}, scenarios interleaved; req/s, p50, p99 and cpu are medians of the runs as fast as the connections allow${rate > 0 ? `; then a phase at ${rate} req/s (autocannon overallRate; its p99 and the rate achieved)` : ''}`,
        `load average at the end: ${os
          .loadavg()
          .map((x) => x.toFixed(1))
          .join(' ')} (on ${os.cpus().length} cores)`,
        '',
        table(rows, rate),
        '',
        ...ratios(rows),
        `target: GraphQL >= 0.6x REST's req/s (cache on), p99 <= 20 ms at 2,000 req/s, 0 errors`,
        '',
      ].join('\n'),
    );
    const samples = rows.flatMap((r) => [...r.max, ...r.rate]);
    return samples.every((x) => x.errors === 0 && x.non2xx === 0) ? 0 : 1;
  } finally {
    if (child !== undefined) await stopChild(child);
    if (synthetic) await removeSynthetic(graph);
    await graph.close();
  }
}
