// Starts one real Neo4j for the whole integration run, on free ports, with its own data folder.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_NEO4J_VERSION, PROJECT_ROOT } from '../../src/config';
import { Graph } from '../../src/graph/executor';
import { waitForQuery } from '../../src/graph/connect';
import { freePort, LocalNeo4jServer } from '../../src/localdb/server';
import { consoleLogger } from '../../src/log';

export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_NEO4J_URI !== undefined && process.env.TEST_NEO4J_PASSWORD !== undefined) return;
  const version = DEFAULT_NEO4J_VERSION;
  // One folder per run, so that parallel runs (several checkouts, CI) never share a data folder.
  const TEST_HOME = path.join(PROJECT_ROOT, '.neo4j', `test-${process.pid}`);
  fs.rmSync(TEST_HOME, { recursive: true, force: true });
  const [boltPort, httpPort] = [await freePort(), await freePort()];
  const server = new LocalNeo4jServer(
    {
      home: TEST_HOME,
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
  const password = 'test-password-123';
  const started = Date.now();
  await server.start(password);
  const graph = Graph.connect({ uri: server.boltUri, user: 'neo4j', database: 'neo4j' }, password);
  try {
    await waitForQuery(graph, 120_000);
  } finally {
    await graph.close();
  }
  process.stderr.write(
    `\nTest Neo4j up on ${server.boltUri} (Browser ${server.browserUrl}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  process.env.TEST_NEO4J_URI = server.boltUri;
  process.env.TEST_NEO4J_HTTP_PORT = String(httpPort);
  process.env.TEST_NEO4J_PASSWORD = password;
  process.env.TEST_NEO4J_HOME = TEST_HOME;
  process.env.TEST_NEO4J_OWNED = '1';
}
