// `npm run bench -- incremental [--users 10000]`: an incremental refresh against a full run on the same data.
// A generated set is split (bench/_incremental-split.ts): 1% of the users are new and as many are changed (every
// other row of theirs), imported after a first full run. Then `similarity --incremental` and a full run on the same
// data are timed, and every user's incremental top-10 is compared with the full run's. Both full runs are --no-fit,
// so the comparison measures the incremental computation, not the fit choosing other settings. Its own Neo4j.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, PROJECT_ROOT } from '../src/config';
import { localServer } from '../src/graph/connect';
import { Graph } from '../src/graph/executor';
import { applySchema } from '../src/graph/schema';
import { freePort } from '../src/localdb/server';
import { silentLogger } from '../src/log';
import { table } from '../src/text-table';
import { meanOverlap, splitForIncremental } from './_incremental-split';
import { generatedDataSet, runCli } from './_local-neo4j';
import { warmWrites } from './_warm-writes';

const OUT = path.join(PROJECT_ROOT, 'bench', 'out', 'incremental');
const PASSWORD = 'bench-incremental-password';
const MODELS = ['interests', 'course_views', 'assessments', 'cosine'] as const;
const USAGE =
  'npm run bench -- incremental [--users 10000] [--share 0.01] [--seed 3] [--keep] [--exact] [--snapshot | --from-snapshot [--reference]] [--cold]';

/** What a --snapshot bench keeps beside the database copy, for --from-snapshot benches. */
interface Reference {
  measuredAt: string;
  loadAverage: number;
  times: { first: number; late: number; full: number };
  /** CPU seconds of the reference full run: the CLI process and Neo4j (absent in snapshots made before). */
  fullCpu?: Cpu;
  lists: Record<string, Array<[number, number[]]>>;
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** CPU seconds of one step: the CLI child process and the Neo4j server, each user + system. */
interface Cpu {
  cli: number;
  neo4j: number;
}

/** Fields of /proc/<pid>/stat after the command name (field 3 first); empty where /proc is missing. */
function procStat(pid: number | 'self'): number[] {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text
      .slice(text.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
  } catch {
    return [];
  }
}

const TICKS = 100; // USER_HZ, 100 on Linux

/** Cumulative CPU of waited-for children of this process, and of the Neo4j server: read before and after a step. */
function cpuNow(neo4jPid: number): Cpu {
  const self = procStat('self');
  const server = procStat(neo4jPid);
  // Fields 16, 17 (cutime, cstime) of this process; 14, 15 (utime, stime) of the server: index = field - 3.
  return {
    cli: ((self[13] ?? NaN) + (self[14] ?? NaN)) / TICKS,
    neo4j: ((server[11] ?? NaN) + (server[12] ?? NaN)) / TICKS,
  };
}

const cpuSince = (before: Cpu, after: Cpu): Cpu => ({ cli: after.cli - before.cli, neo4j: after.neo4j - before.neo4j });

/** Every user's top-10 in the model's active version (the active-lists pattern of cypher/explore/README.md). */
async function activeLists(graph: Graph, model: string): Promise<Map<number, number[]>> {
  const rows = await graph.read<{ h: number; n: number[] }>(
    `MATCH (m:SimilarityModel {name: $model})
     MATCH (a:User)-[s:SIMILAR_TO]->(b:User)
     WHERE s.model = $model AND m.floor <= s.version <= m.version AND (s.until IS NULL OR s.until > m.version)
     WITH a, b, s ORDER BY s.score DESC, b.handle
     RETURN a.handle AS h, collect(b.handle) AS n`,
    { model },
  );
  return new Map(rows.map((r) => [Number(r.h), r.n.map(Number)]));
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '10000' },
      share: { type: 'string', default: '0.01' },
      seed: { type: 'string', default: '3' },
      keep: { type: 'boolean' },
      exact: { type: 'boolean' },
      snapshot: { type: 'boolean' },
      'from-snapshot': { type: 'boolean' },
      reference: { type: 'boolean' },
      cold: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const users = Number(values.users);
  const share = Number(values.share);
  const seed = Number(values.seed);
  if (!Number.isInteger(users) || users < 100 || !(share > 0 && share < 0.5) || !Number.isInteger(seed)) {
    process.stderr.write(`expected --users >= 100, 0 < --share < 0.5, an integer --seed; got ${argv.join(' ')}\n`);
    return 2;
  }
  const saving = values.snapshot === true;
  const restoring = values['from-snapshot'] === true;
  const snapshot = path.join(OUT, `snapshot-${users}-${share}-${seed}${values.exact === true ? '-exact' : ''}`);
  const referenceFile = path.join(snapshot, 'reference.json');
  if (values.reference === true && !restoring) {
    process.stderr.write(
      '--reference: expected with --from-snapshot (a bench without it always times its own reference full run)\n',
    );
    return 2;
  }
  if (restoring && !fs.existsSync(referenceFile)) {
    process.stderr.write(
      `--from-snapshot: expected ${referenceFile} from an earlier --snapshot bench, but it is missing\n`,
    );
    return 2;
  }
  const dir = await generatedDataSet(OUT, users);
  const split = splitForIncremental(dir, path.join(OUT, `split-${users}-${share}-${seed}`), share, seed);
  const config = loadConfig({
    NEO4J_HOME: path.join('.neo4j', 'bench-incremental'),
    NEO4J_BOLT_PORT: String(await freePort()),
    NEO4J_HTTP_PORT: String(await freePort()),
    NEO4J_PASSWORD: PASSWORD,
    NEO4J_HEAP: process.env.BENCH_NEO4J_HEAP ?? '2g',
    NEO4J_PAGECACHE: process.env.BENCH_NEO4J_PAGECACHE ?? '1g',
  });
  const server = localServer(config, silentLogger);
  if (server === undefined) throw new Error('expected a local server configuration');
  const data = path.join(server.home, 'data');
  fs.rmSync(data, { recursive: true, force: true });
  // The graph just before the incremental run (base set, first full run, late rows), copied while the server is down.
  if (restoring) fs.cpSync(path.join(snapshot, 'data'), data, { recursive: true });
  let neo4jPid = (await server.start(PASSWORD)).pid;
  const env = { ...process.env, NEO4J_URI: config.neo4j.uri, NEO4J_USER: 'neo4j', NEO4J_PASSWORD: PASSWORD };
  let graph = Graph.connect(config.neo4j, PASSWORD);
  const rejects = path.join(os.tmpdir(), `incremental-bench-rejects-${process.pid}.csv`);
  const models = ['--model', MODELS.join(',')];
  // --exact: both full runs search exactly, so the kept lists and the reference are the exact top-10 (at 100,000
  // users a default run may search a model approximately, and then two approximate runs are compared).
  const fullArgs = values.exact === true ? ['--no-fit', '--exact'] : ['--no-fit'];
  const rows: string[][] = [];
  let times: { first: number; late: number; incremental: number; full: number } | undefined;
  let cpu: { incremental: Cpu; full: Cpu | undefined } | undefined;
  let incrementalOut: string | undefined;
  let saved: Reference | undefined;
  let warm: { seconds: number; neo4j: number; writes: { seconds: number; edges: number } } | undefined;
  try {
    let first = 0;
    let late = 0;
    if (!restoring) {
      await applySchema(graph);
      process.stderr.write(`import of the base set, then similarity ${models.join(' ')} --no-fit\n`);
      await runCli(['import', '--data', split.base, '--rejects', rejects], env);
      first = (await runCli(['similarity', ...models, ...fullArgs], env)).seconds;
      process.stderr.write(`first run ${first.toFixed(1)} s; import of the late rows\n`);
      late = (await runCli(['import', '--data', split.late, '--rejects', rejects], env)).seconds;
      if (saving) {
        await graph.close();
        await server.stop();
        fs.rmSync(snapshot, { recursive: true, force: true });
        fs.cpSync(data, path.join(snapshot, 'data'), { recursive: true });
        neo4jPid = (await server.start(PASSWORD)).pid;
        graph = Graph.connect(config.neo4j, PASSWORD);
      }
    } else {
      saved = JSON.parse(fs.readFileSync(referenceFile, 'utf8')) as Reference;
    }
    // The server was just (re)started: a serving Neo4j has its JIT compiled (reads and writes) and the lists in its
    // page cache, and the reference full run below also runs on a warm server. Unless --cold, read every active list
    // first, then write and delete a throw-away model's lists (untimed): on a server started cold the JVM's
    // compiler threads took about a core during the incremental run and Neo4j's CPU was 60 s instead of 34 s.
    if (values.cold !== true) {
      const t = performance.now();
      const before = cpuNow(neo4jPid);
      for (const m of MODELS) await activeLists(graph, m);
      const writes = await warmWrites(graph);
      warm = { seconds: (performance.now() - t) / 1000, neo4j: cpuSince(before, cpuNow(neo4jPid)).neo4j, writes };
    }
    const cpuBefore = cpuNow(neo4jPid);
    const inc = await runCli(['similarity', ...models, '--incremental'], env);
    const incCpu = cpuSince(cpuBefore, cpuNow(neo4jPid));
    incrementalOut = inc.out;
    process.stderr.write(`incremental ${inc.seconds.toFixed(1)} s; the full run on the same data\n`);
    const incremental = new Map<string, Map<number, number[]>>();
    for (const m of MODELS) incremental.set(m, await activeLists(graph, m));
    const references = new Map<string, Map<number, number[]>>();
    if (saved !== undefined && values.reference === true) {
      // The reference full run again, beside the incremental run: the stored one was timed at another moment, and
      // the host's speed moves a full run (mostly search) more than an incremental one (mostly Neo4j's writes).
      const fullBefore = cpuNow(neo4jPid);
      const full = await runCli(['similarity', ...models, ...fullArgs], env);
      cpu = { incremental: incCpu, full: cpuSince(fullBefore, cpuNow(neo4jPid)) };
      for (const m of MODELS) references.set(m, await activeLists(graph, m));
      times = { ...saved.times, incremental: inc.seconds, full: full.seconds };
    } else if (saved !== undefined) {
      for (const m of MODELS) references.set(m, new Map(saved.lists[m] ?? []));
      times = { ...saved.times, incremental: inc.seconds };
      cpu = { incremental: incCpu, full: saved.fullCpu };
    } else {
      const fullBefore = cpuNow(neo4jPid);
      const full = await runCli(['similarity', ...models, ...fullArgs], env);
      const fullCpu = cpuSince(fullBefore, cpuNow(neo4jPid));
      cpu = { incremental: incCpu, full: fullCpu };
      for (const m of MODELS) references.set(m, await activeLists(graph, m));
      times = { first, late, incremental: inc.seconds, full: full.seconds };
      if (saving) {
        const reference: Reference = {
          measuredAt: new Date().toISOString(),
          loadAverage: os.loadavg()[0] ?? 0,
          times: { first, late, full: full.seconds },
          fullCpu,
          lists: Object.fromEntries([...references].map(([m, lists]) => [m, [...lists]])),
        };
        fs.writeFileSync(referenceFile, JSON.stringify(reference));
      }
    }
    const stamped = new Set([...split.added, ...split.changed]);
    for (const m of MODELS) {
      const reference = references.get(m)!;
      const changed = meanOverlap(incremental.get(m)!, reference, (h) => stamped.has(h));
      const rest = meanOverlap(incremental.get(m)!, reference, (h) => !stamped.has(h));
      rows.push([m, n(changed.users), changed.overlap.toFixed(4), n(rest.users), rest.overlap.toFixed(4)]);
    }
  } finally {
    await graph.close();
    await server.stop();
    if (values.keep !== true) fs.rmSync(data, { recursive: true, force: true });
  }
  const cpus = os.cpus();
  process.stdout.write(
    [
      `machine: ${cpus[0]?.model.trim() ?? '?'} x ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average ${os.loadavg()[0]?.toFixed(1) ?? '?'} at the end (shared machine: timings are noisy)`,
      `neo4j: ${config.neo4j.local?.version ?? '?'} on this machine (heap ${config.neo4j.local?.heap ?? '?'}, page cache ${config.neo4j.local?.pagecache ?? '?'})`,
      `data: ${n(users)} generated users (seed 1${users <= 10_000 ? ', real course tags and assessments' : ''}); ${n(split.added.length)} new and ${n(split.changed.length)} changed users (share ${share}, seed ${seed}) imported after the first run`,
      `runs: similarity ${models.join(' ')} ${fullArgs.join(' ')} (first), then --incremental, then ${fullArgs.join(' ')} again on the same data (the reference); wall times of the CLI, one run each`,
      warm !== undefined
        ? `warm-up (not timed): every model's active lists read once and a throw-away model's ${n(warm.writes.edges)} edges written and deleted before --incremental, ${warm.seconds.toFixed(1)} s, Neo4j CPU ${warm.neo4j.toFixed(1)} s (--cold: none)`
        : '--cold: --incremental ran first on the just started server',
      ...(saved !== undefined
        ? [
            values.reference === true
              ? `from the snapshot of ${saved.measuredAt}: the first run and the late import; --incremental and the reference full run ran now (the snapshot's reference took ${saved.times.full.toFixed(1)} s then)`
              : `from the snapshot of ${saved.measuredAt} (load average ${saved.loadAverage.toFixed(1)} then): the first run, the late import, the reference full run and its lists; only --incremental ran now`,
          ]
        : []),
      '',
      table(
        ['run', 'seconds'],
        [
          ['first full run (base set)', times.first.toFixed(1)],
          ['import of the late rows', times.late.toFixed(1)],
          ['--incremental', times.incremental.toFixed(1)],
          ['full run, same data', times.full.toFixed(1)],
          ['incremental / full', `${((100 * times.incremental) / times.full).toFixed(1)}%`],
        ],
      ),
      '',
      ...(cpu !== undefined
        ? [
            'CPU seconds (user + system) of the CLI process and of Neo4j during each run: less moved by the load than wall time',
            table(
              ['run', 'CLI CPU s', 'Neo4j CPU s', 'both'],
              [
                ['--incremental', cpu.incremental],
                ['full run, same data', cpu.full],
              ].map(([name, c]) => {
                const x = c as Cpu | undefined;
                return x === undefined
                  ? [name as string, '-', '-', '-']
                  : [name as string, x.cli.toFixed(1), x.neo4j.toFixed(1), (x.cli + x.neo4j).toFixed(1)];
              }),
            ),
            cpu.full !== undefined
              ? `incremental / full, CPU: ${((100 * (cpu.incremental.cli + cpu.incremental.neo4j)) / (cpu.full.cli + cpu.full.neo4j)).toFixed(1)}%`
              : 'incremental / full, CPU: - (the snapshot has no CPU figure for the full run)',
            '',
          ]
        : []),
      table(['model', 'changed users', 'top-10 overlap', 'other users', 'top-10 overlap '], rows),
      '',
      "overlap: share of the full run's top-10 found in the incremental top-10, mean over users with a list in the full run",
      'targets: incremental <= 10% of the full run at 100,000 users with 1% changed; overlap >= 0.95 changed, >= 0.99 others',
      '',
      'the incremental run said:',
      incrementalOut?.trim() ?? '',
      '',
    ].join('\n'),
  );
  return 0;
}
