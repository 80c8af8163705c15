// Integration-test access to the run's real Neo4j (started by test/setup/global-setup.ts).
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_NEO4J_VERSION, loadConfig, PROJECT_ROOT, type Config } from '../../src/config';
import { Graph } from '../../src/graph/executor';
import { applySchema } from '../../src/graph/schema';
import { freePort, LocalNeo4jServer } from '../../src/localdb/server';
import { silentLogger } from '../../src/log';

export function testConfig(extra: Record<string, string> = {}): Config {
  const uri = process.env.TEST_NEO4J_URI;
  const password = process.env.TEST_NEO4J_PASSWORD;
  if (uri === undefined || password === undefined) {
    throw new Error('TEST_NEO4J_URI is not set: integration tests run through jest, whose global setup starts Neo4j');
  }
  // Functional tests get patient deadlines (a cold query on a busy 2-core machine can take seconds); the tests of
  // deadlines themselves pass the production values explicitly.
  return loadConfig({
    NEO4J_URI: uri,
    NEO4J_PASSWORD: password,
    NODE_ENV: 'test',
    API_QUERY_TIMEOUT_MS: '15000',
    API_REQUEST_TIMEOUT_MS: '20000',
    ...extra,
  });
}

export function testGraph(): Graph {
  const cfg = testConfig();
  return Graph.connect(cfg.neo4j, cfg.neo4j.password ?? '');
}

/** Empties the database and applies the schema: integration test files call it in beforeAll. */
export async function resetGraph(graph: Graph): Promise<void> {
  await graph.autoCommit('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  await applySchema(graph);
}

/**
 * A Neo4j of the test file's own (for tests that stop, freeze or restart it), small, in .neo4j/<name>-<pid>;
 * started with `password`. `remove()` stops it and deletes its folder.
 */
export async function dedicatedNeo4j(
  name: string,
  password: string,
): Promise<{ server: LocalNeo4jServer; remove(): Promise<void> }> {
  const home = path.join(PROJECT_ROOT, '.neo4j', `${name}-${process.pid}`);
  fs.rmSync(home, { recursive: true, force: true });
  const server = new LocalNeo4jServer(
    {
      home,
      version: DEFAULT_NEO4J_VERSION,
      boltPort: await freePort(),
      httpPort: await freePort(),
      heap: '512m',
      pagecache: '64m',
      javaHome: process.env.JAVA_HOME,
      libDir: path.join(PROJECT_ROOT, '.neo4j', `lib-${DEFAULT_NEO4J_VERSION}`),
    },
    silentLogger,
  );
  await server.start(password);
  return {
    server,
    remove: async () => {
      await server.stop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
