// Every .cypher file in the project must compile against the real database (EXPLAIN plans without running).
import { cypher, listCypher } from '../../src/graph/cypher';
import type { Graph } from '../../src/graph/executor';
import { testGraph } from '../helpers/neo4j';

let graph: Graph;
beforeAll(() => {
  graph = testGraph();
});
afterAll(async () => {
  await graph.close();
});

const names = listCypher();

test('the project has Cypher files', () => {
  expect(names.length).toBeGreaterThan(0);
});

test.each(names)('EXPLAIN cypher/%s.cypher', async (name) => {
  const text = cypher(name);
  // Schema commands cannot be EXPLAINed; they are applied for real by resetGraph in other tests.
  if (/^\s*(CREATE|DROP)\s+(CONSTRAINT|INDEX|RANGE|TEXT|POINT|VECTOR|FULLTEXT)/i.test(text)) {
    await expect(graph.autoCommit(text)).resolves.toBeDefined();
    return;
  }
  if (/^\s*(CALL\s+db\.awaitIndexes)/i.test(text)) return;
  await expect(graph.autoCommit(`EXPLAIN ${text}`)).resolves.toBeDefined();
});
