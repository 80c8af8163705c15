// What the end-to-end, import and live benchmarks share: a dedicated local Neo4j of their own (its home under
// .neo4j/bench-<name>, free ports, an emptied data folder), a generated data set kept between runs, and the CLI run
// as a child process against that Neo4j.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT, type Config } from '../src/config';
import { localServer } from '../src/graph/connect';
import { applySchema } from '../src/graph/schema';
import { Graph } from '../src/graph/executor';
import { generate } from '../src/generate/generate';
import { freePort, type LocalNeo4jServer } from '../src/localdb/server';
import { silentLogger } from '../src/log';

/** The real data set's folder (its course tags and assessments are reused where they fit). */
export const REAL = path.resolve(PROJECT_ROOT, '..', 'shared', 'data', 'pluralsight');

export interface BenchNeo4j {
  config: Config;
  server: LocalNeo4jServer;
  /** A job-profile driver on it. */
  graph: Graph;
  /** The environment of CLI children: this server as NEO4J_URI. */
  env: NodeJS.ProcessEnv;
  /** Closes the driver and stops the server; its data is deleted unless `keep`. */
  stop: (keep: boolean) => Promise<void>;
}

/**
 * Starts a fresh local Neo4j for benchmark `name` with `password` and the memory given (with `reuse`, on the data
 * a previous run of that benchmark kept); BENCH_NEO4J_HEAP and
 * BENCH_NEO4J_PAGECACHE override it. Not NEO4J_HEAP and NEO4J_PAGECACHE: `.env` sets those for the everyday server
 * (`.env.example` does), and they would silently replace what a benchmark asks for.
 */
export async function startBenchNeo4j(
  name: string,
  password: string,
  memory: { heap: string; pagecache: string },
  opts: { reuse?: boolean } = {},
): Promise<BenchNeo4j> {
  const config = loadConfig({
    NEO4J_HOME: path.join('.neo4j', `bench-${name}`),
    NEO4J_BOLT_PORT: String(await freePort()),
    NEO4J_HTTP_PORT: String(await freePort()),
    NEO4J_PASSWORD: password,
    NEO4J_HEAP: process.env.BENCH_NEO4J_HEAP ?? memory.heap,
    NEO4J_PAGECACHE: process.env.BENCH_NEO4J_PAGECACHE ?? memory.pagecache,
  });
  const server = localServer(config, silentLogger);
  if (server === undefined) throw new Error('expected a local server configuration');
  const data = path.join(server.home, 'data');
  if (opts.reuse === true) {
    if (!fs.existsSync(data))
      throw new Error(`expected the graph a previous bench kept in ${data} (run it with --keep), but found none`);
  } else {
    fs.rmSync(data, { recursive: true, force: true });
  }
  const { pid } = await server.start(password);
  // `--priority` (bench/run.ts): Neo4j runs detached, in a session and so an autogroup of its own, raised the same.
  const priority = process.env.BENCH_PRIORITY;
  if (priority !== undefined) {
    try {
      fs.writeFileSync(`/proc/${pid}/autogroup`, priority);
    } catch (err) {
      process.stdout.write(
        `priority: Neo4j's autogroup unchanged (${err instanceof Error ? err.message : String(err)})\n`,
      );
    }
  }
  const env = { ...process.env, NEO4J_URI: config.neo4j.uri, NEO4J_USER: 'neo4j', NEO4J_PASSWORD: password };
  const graph = Graph.connect(config.neo4j, password);
  return {
    config,
    server,
    graph,
    env,
    stop: async (keep) => {
      await graph.close();
      await server.stop();
      if (!keep) fs.rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * Deletes everything in the graph and applies the schema again: relationships first, then nodes, each in
 * transactions of bounded size. (A DETACH DELETE of 20,000 nodes at a time holds every relationship of a course
 * viewed by tens of thousands of users in one transaction, past Neo4j's transaction memory at 100,000 users.)
 */
export async function emptyGraph(graph: Graph): Promise<void> {
  await graph.autoCommit('MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS');
  await graph.autoCommit('MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 50000 ROWS');
  await applySchema(graph);
}

/**
 * `users` generated users (seed 1) in `out`/generated-<users>, made once and kept (a `.complete` marker); with the
 * real course tags and assessments where they fit (10,000 users or fewer).
 */
export async function generatedDataSet(out: string, users: number): Promise<string> {
  const dir = path.join(out, `generated-${users}`);
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const withReal = users <= 10_000 && fs.existsSync(path.join(REAL, 'course_tags.csv.gz'));
  if (withReal) {
    for (const f of ['course_tags.csv.gz', 'user_assessment_scores.csv.gz']) {
      fs.copyFileSync(path.join(REAL, f), path.join(dir, f));
    }
  }
  process.stderr.write(`generating ${Math.round(users).toLocaleString('en-US')} users into ${dir} (not timed)\n`);
  await generate({ users, seed: 1, out: dir, withReal: withReal ? dir : undefined, logger: silentLogger });
  fs.writeFileSync(path.join(dir, '.complete'), '');
  return dir;
}

/**
 * Runs the CLI in a child process; resolves with its wall time and what it printed on stdout (with `keepStderr`,
 * stderr too, where the job's progress lines go; it is passed through either way), rejects when it fails.
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { keepStderr?: boolean } = {},
): Promise<{ seconds: number; out: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'similar-users.js'), ...args], {
      env,
      stdio: ['ignore', 'pipe', opts.keepStderr === true ? 'pipe' : 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr?.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      process.stderr.write(b);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited with ${code}:\n${out.slice(-2000)}`));
      resolve({ seconds: (performance.now() - started) / 1000, out });
    });
  });
}
