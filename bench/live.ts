// `npm run bench -- live`: on-demand (live) answers through the API, and how well they agree with the next full run.
// A generated data set is split: every user but a seeded hold-out is imported and computed (all models), then the
// hold-out users are imported (users "imported after the run"). `serve` (neighbour cache off, so every request is
// computed) answers each of them per model, timed one request at a time; then a full run includes them, and each
// live top-10 is compared with the run's stored top-10 for that user. The bench runs its own Neo4j.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { PROJECT_ROOT } from '../src/config';
import type { Graph } from '../src/graph/executor';
import { applySchema } from '../src/graph/schema';
import { freePort } from '../src/localdb/server';
import { seededRandom } from '../src/similarity/als';
import { generatedDataSet, runCli, startBenchNeo4j } from './_local-neo4j';

const OUT = path.join(PROJECT_ROOT, 'bench', 'out', 'live');
const PASSWORD = 'bench-live-password';
const MODELS = ['cosine', 'interests', 'course_views', 'assessments', 'als'] as const;
const TABLES = ['user_interests', 'user_course_views', 'user_assessment_scores'] as const;
const USAGE =
  'npm run bench -- live [--users 10000] [--holdout 200] [--rounds 3] [--fit] [--keep]\n' +
  '  --fit: both similarity runs fit their parameters (the default runs them with --no-fit, so the comparison\n' +
  '  measures the live computation, not the fit choosing other settings for the second run).';

const n = (v: number) => Math.round(v).toLocaleString('en-US');

function readTable(dir: string, table: string): { file: string; lines: string[] } {
  for (const file of [`${table}.csv`, `${table}.csv.gz`]) {
    const p = path.join(dir, file);
    if (!fs.existsSync(p)) continue;
    const raw = fs.readFileSync(p);
    const text = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
    return { file: `${table}.csv`, lines: text.split('\n').filter((l) => l.length > 0) };
  }
  throw new Error(`expected ${table}.csv or ${table}.csv.gz in ${dir}, found neither`);
}

/** Writes base/ (everyone but the hold-out) and late/ (the hold-out's rows only); returns the hold-out handles. */
function split(dir: string, holdout: number, seed: number): { base: string; late: string; handles: number[] } {
  const base = path.join(OUT, `split-${path.basename(dir)}-${holdout}-${seed}`, 'base');
  const late = path.join(path.dirname(base), 'late');
  for (const d of [base, late]) {
    fs.rmSync(d, { recursive: true, force: true });
    fs.mkdirSync(d, { recursive: true });
  }
  const tables = TABLES.map((t) => readTable(dir, t));
  // Users with views and interests both, so every model has something to compare them by.
  const withViews = new Set(tables[1]!.lines.slice(1).map((l) => Number(l.slice(0, l.indexOf(',')))));
  const candidates = [...new Set(tables[0]!.lines.slice(1).map((l) => Number(l.slice(0, l.indexOf(',')))))].filter(
    (h) => withViews.has(h),
  );
  candidates.sort((a, b) => a - b);
  const random = seededRandom(seed);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  const handles = candidates.slice(0, holdout).sort((a, b) => a - b);
  const held = new Set(handles);
  for (const { file, lines } of tables) {
    const [header, ...rows] = lines;
    const isHeld = (l: string) => held.has(Number(l.slice(0, l.indexOf(','))));
    fs.writeFileSync(path.join(base, file), [header, ...rows.filter((l) => !isHeld(l))].join('\n') + '\n');
    fs.writeFileSync(path.join(late, file), [header, ...rows.filter(isHeld)].join('\n') + '\n');
  }
  const tags = readTable(dir, 'course_tags');
  fs.writeFileSync(path.join(base, tags.file), tags.lines.join('\n') + '\n');
  fs.writeFileSync(path.join(late, tags.file), `${tags.lines[0]}\n`);
  return { base, late, handles };
}

/** Runs the CLI; resolves with its wall time in seconds. */
async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return (await runCli(args, env)).seconds;
}

async function serve(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [path.join(PROJECT_ROOT, 'bin', 'similar-users.js'), 'serve', '--port', String(port), '--cache', 'off'],
    {
      env: { ...env, NODE_ENV: 'production', GRAPHQL_PLAYGROUND: 'false', HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode} before /readyz answered`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`serve did not answer /readyz within 120 s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const QUERY =
  'query($h: ID!, $m: SimilarityModel) { user(handle: $h) { similarUsers(model: $m, limit: 10) { handle live } } }';

async function ask(
  url: string,
  handle: number,
  model: string,
): Promise<{ ms: number; handles: number[]; live: boolean }> {
  const t = performance.now();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY, variables: { h: String(handle), m: model.toUpperCase() } }),
  });
  const body = (await res.json()) as {
    data?: { user: { similarUsers: Array<{ handle: string; live: boolean }> } | null };
    errors?: unknown;
  };
  const ms = performance.now() - t;
  if (res.status !== 200 || body.errors !== undefined || body.data?.user == null) {
    throw new Error(`user ${handle}, ${model}: expected a list, got HTTP ${res.status} ${JSON.stringify(body)}`);
  }
  const sims = body.data.user.similarUsers;
  return { ms, handles: sims.map((s) => Number(s.handle)), live: sims.length > 0 && sims.every((s) => s.live) };
}

/** Each user's stored list in the model's active version, best first (users without one are absent). */
async function storedLists(graph: Graph, model: string, handles: number[]): Promise<Map<number, number[]>> {
  const rows = await graph.read<{ h: number; n: number[] }>(
    `MATCH (m:SimilarityModel {name: $model})
     UNWIND $handles AS h
     MATCH (u:User {handle: h})-[s:SIMILAR_TO]->(v:User)
     WHERE s.model = $model AND coalesce(m.floor, m.version) <= s.version <= m.version
       AND (s.until IS NULL OR s.until > m.version)
     WITH h, s, v ORDER BY s.score DESC, v.handle
     RETURN h, collect(v.handle) AS n`,
    { model, handles },
  );
  return new Map(rows.map((r) => [r.h, r.n]));
}

/** Mean share of each reference top-10 found in the other list, over users with a reference list. */
function agreement(
  reference: Map<number, number[]>,
  other: Map<number, number[]>,
): { overlap: number; compared: number } {
  let sum = 0;
  let compared = 0;
  for (const [h, list] of reference) {
    const top = list.slice(0, 10);
    if (top.length === 0) continue;
    const got = new Set(other.get(h) ?? []);
    sum += top.filter((x) => got.has(x)).length / top.length;
    compared++;
  }
  return { overlap: compared > 0 ? sum / compared : 0, compared };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? 0;
};

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '10000' },
      holdout: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '3' },
      seed: { type: 'string', default: '7' },
      fit: { type: 'boolean' },
      keep: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const users = Number(values.users);
  const holdout = Number(values.holdout);
  const rounds = Number(values.rounds);
  const seed = Number(values.seed);
  if (![users, holdout, rounds, seed].every((v) => Number.isInteger(v) && v >= 1) || holdout >= users) {
    process.stderr.write(
      `expected integers --users > --holdout >= 1, --rounds >= 1, --seed; got ${argv.join(' ')}\n${USAGE}\n`,
    );
    return 2;
  }
  const dir = await generatedDataSet(OUT, users);
  const { base, late, handles } = split(dir, holdout, seed);
  const {
    config,
    graph,
    env,
    stop: stopNeo4j,
  } = await startBenchNeo4j('live', PASSWORD, { heap: '2g', pagecache: '1g' });
  const fit = values.fit === true ? [] : ['--no-fit'];
  const rejects = path.join(os.tmpdir(), `live-bench-rejects-${process.pid}.csv`);
  let child: ChildProcess | undefined;
  const rows: string[][] = [];
  let loadAvg: number | undefined;
  try {
    await applySchema(graph);
    process.stderr.write(`import of ${n(users - holdout)} users, then similarity --model all ${fit.join(' ')}\n`);
    await cli(['import', '--data', base, '--rejects', rejects], env);
    const first = await cli(['similarity', '--model', 'all', ...fit], env);
    process.stderr.write(`first run: ${first.toFixed(0)} s; import of the ${n(holdout)} hold-out users\n`);
    await cli(['import', '--data', late, '--rejects', rejects], env);
    const port = await freePort();
    child = await serve(env, port);
    const url = `http://127.0.0.1:${port}`;
    // One untimed pass: the live indexes finish building, code paths and Neo4j's caches warm up (a cold first
    // query on a busy machine can pass the request deadline: retried here, counted as an error when timed).
    for (const model of MODELS) {
      for (const h of handles.slice(0, 20)) {
        for (let attempt = 1; ; attempt++) {
          try {
            await ask(url, h, model);
            break;
          } catch (err) {
            if (attempt >= 5) throw err;
          }
        }
      }
    }
    const times = new Map<string, number[]>(MODELS.map((m) => [m, []]));
    const lists = new Map<string, Map<number, number[]>>(MODELS.map((m) => [m, new Map()]));
    const liveShare = new Map<string, number>(MODELS.map((m) => [m, 0]));
    const errors = new Map<string, number>(MODELS.map((m) => [m, 0]));
    const random = seededRandom(seed + 1);
    for (let round = 0; round < rounds; round++) {
      // Models interleaved and users shuffled, so no model meets a quieter or busier moment of the machine alone.
      const order = handles.flatMap((h) => MODELS.map((m) => [h, m] as const));
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const [h, model] of order) {
        let r: Awaited<ReturnType<typeof ask>>;
        try {
          r = await ask(url, h, model);
        } catch (err) {
          errors.set(model, errors.get(model)! + 1);
          process.stderr.write(`${(err as Error).message.slice(0, 200)}\n`);
          continue;
        }
        times.get(model)!.push(r.ms);
        if (round === 0) {
          lists.get(model)!.set(h, r.handles);
          if (r.live) liveShare.set(model, liveShare.get(model)! + 1);
        }
      }
    }
    loadAvg = os.loadavg()[0] ?? 0;
    await stop(child);
    child = undefined;
    // The baseline: how far the next run moves the stored lists of users who were there all along.
    const held = new Set(handles);
    const stayers = (await graph.read<{ h: number }>('MATCH (u:User) RETURN u.handle AS h ORDER BY h'))
      .map((r) => r.h)
      .filter((h) => !held.has(h));
    const pickStayer = seededRandom(seed + 2);
    const baseline = Array.from({ length: holdout }, () => stayers[Math.floor(pickStayer() * stayers.length)]!);
    const before = new Map<string, Map<number, number[]>>();
    for (const model of MODELS) before.set(model, await storedLists(graph, model, baseline));
    process.stderr.write('the next full run, hold-out users included\n');
    const second = await cli(['similarity', '--model', 'all', ...fit], env);
    process.stderr.write(`second run: ${second.toFixed(0)} s\n`);
    for (const model of MODELS) {
      const { overlap, compared } = agreement(await storedLists(graph, model, handles), lists.get(model)!);
      const stay = agreement(await storedLists(graph, model, baseline), before.get(model)!);
      const ms = times.get(model)!;
      rows.push([
        model,
        String(ms.length),
        quantile(ms, 0.5).toFixed(1),
        quantile(ms, 0.9).toFixed(1),
        quantile(ms, 0.99).toFixed(1),
        Math.max(...ms).toFixed(1),
        `${((100 * liveShare.get(model)!) / handles.length).toFixed(0)}%`,
        compared > 0 ? overlap.toFixed(3) : '-',
        String(compared),
        stay.compared > 0 ? stay.overlap.toFixed(3) : '-',
        String(errors.get(model)),
      ]);
    }
  } finally {
    if (child !== undefined) await stop(child);
    await stopNeo4j(values.keep === true);
  }
  const cpus = os.cpus();
  const head = [
    'model',
    'requests',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'live',
    'top-10 overlap',
    'users',
    'run-to-run',
    'errors',
  ];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join('  ');
  process.stdout.write(
    [
      `machine: ${cpus[0]?.model.trim() ?? '?'} x ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average ${loadAvg?.toFixed(1) ?? '?'} after the timed requests (shared machine: timings are noisy)`,
      `neo4j: ${config.neo4j.local?.version ?? '?'} on this machine (heap ${config.neo4j.local?.heap ?? '?'}, page cache ${config.neo4j.local?.pagecache ?? '?'})`,
      `data: ${n(users)} generated users (seed 1${users <= 10_000 ? ', real course tags and assessments' : ''}); ${n(holdout)} hold-out users (seed ${seed}, with views and interests) imported after the first run`,
      `runs: similarity --model all${fit.length > 0 ? ' --no-fit' : ' (fitted)'}, before and after the hold-out's import`,
      `requests: GraphQL similarUsers(model, limit: 10) to serve --cache off (every answer computed), one at a time, ${rounds} round(s) over the hold-out x 5 models, shuffled, after an untimed warm-up`,
      `live: share of hold-out users answered with a live list; top-10 overlap: share of the next run's stored top-10 in the live top-10 (mean over users with a stored list)`,
      `run-to-run: the same share between the two runs' stored lists of ${n(holdout)} seeded users present in both (how far the next run moves lists anyway)`,
      '',
      line(head),
      line(w.map((x) => '-'.repeat(x))),
      ...rows.map(line),
      '',
      'targets: p99 <= 50 ms at 10,000 users on 2 cores; overlap >= 0.9 for the cosine-family models',
      '',
    ].join('\n'),
  );
  return 0;
}
