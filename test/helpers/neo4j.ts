// Integration-test access to the run's real Neo4j (started by test/setup/global-setup.ts).
import { loadConfig, type Config } from '../../src/config';
import { Graph } from '../../src/graph/executor';
import { applySchema } from '../../src/graph/schema';

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
