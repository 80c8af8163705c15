// Starts the real Neo4j servers of an integration run: one per jest worker (integration test files reset their
// database, so two files may share a server only one after the other), on free ports, each with its own data folder.
// Workers find theirs by JEST_WORKER_ID (test/setup/worker-neo4j.ts).
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_NEO4J_VERSION, PROJECT_ROOT } from '../../src/config';
import { Graph } from '../../src/graph/executor';
import { waitForQuery } from '../../src/graph/connect';
import { freePort, LocalNeo4jServer } from '../../src/localdb/server';
import { consoleLogger } from '../../src/log';

export default async function globalSetup(globalConfig: { maxWorkers: number }): Promise<void> {
  if (process.env.TEST_NEO4J_URI !== undefined && process.env.TEST_NEO4J_PASSWORD !== undefined) return;
  const workers = Math.max(1, globalConfig.maxWorkers);
  const password = 'test-password-123';
  // Distinct free ports, taken one after the other; the jars are assembled once (install) before the servers start.
  const ports = new Set<number>();
  while (ports.size < 2 * workers) ports.add(await freePort());
  const [...free] = ports;
  const servers = Array.from({ length: workers }, (_x, i) => server(i + 1, free[2 * i]!, free[2 * i + 1]!));
  servers[0]!.install();
  const started = Date.now();
  const starting = await Promise.allSettled(servers.map((srv, i) => startOne(srv, password, free[2 * i + 1]!)));
  const failed = starting.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    // No JVM outlives a failed start (a slow one would come up later and hold its ports and memory).
    await Promise.allSettled(servers.map((srv) => srv.stop(10_000)));
    throw failed.reason;
  }
  const up = starting.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof startOne>>>).value);
  process.stderr.write(
    `\nTest Neo4j up for ${workers} worker(s) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${up.map((s) => s.uri).join(', ')}\n`,
  );
  process.env.TEST_NEO4J_PASSWORD = password;
  process.env.TEST_NEO4J_WORKERS = String(workers);
  for (const [i, s] of up.entries()) {
    process.env[`TEST_NEO4J_URI_${i + 1}`] = s.uri;
    process.env[`TEST_NEO4J_HTTP_PORT_${i + 1}`] = String(s.httpPort);
    process.env[`TEST_NEO4J_HOME_${i + 1}`] = s.home;
  }
  process.env.TEST_NEO4J_OWNED = '1';
}

/** Worker `n`'s server, in .neo4j/test-<pid>-<n>. */
function server(n: number, boltPort: number, httpPort: number): LocalNeo4jServer {
  const version = DEFAULT_NEO4J_VERSION;
  // One folder per run and worker, so that parallel runs (several checkouts, CI) never share a data folder.
  const home = path.join(PROJECT_ROOT, '.neo4j', `test-${process.pid}-${n}`);
  fs.rmSync(home, { recursive: true, force: true });
  return new LocalNeo4jServer(
    {
      home,
      version,
      boltPort,
      httpPort,
      heap: '1g',
      pagecache: '256m',
      javaHome: process.env.JAVA_HOME,
      libDir: path.join(PROJECT_ROOT, '.neo4j', `lib-${version}`),
    },
    consoleLogger,
  );
}

/** Starts a server and waits until it answers a query. */
async function startOne(
  server: LocalNeo4jServer,
  password: string,
  httpPort: number,
): Promise<{ uri: string; httpPort: number; home: string }> {
  await server.start(password);
  const graph = Graph.connect({ uri: server.boltUri, user: 'neo4j', database: 'neo4j' }, password);
  try {
    await waitForQuery(graph, 120_000);
  } finally {
    await graph.close();
  }
  return { uri: server.boltUri, httpPort, home: server.home };
}
