// Every .cypher file in the project must compile against the real database (EXPLAIN plans without running), and
// every statement of the registry returns exactly the columns its header declares, in that order.
import fs from 'node:fs';
import path from 'node:path';
import { CYPHER_DIR, CYPHER_NAMES, cypher, stripComments } from '../../src/graph/cypher';
import type { Graph } from '../../src/graph/executor';
import { CYPHER_REGISTRY } from '../../src/generated/cypher';
import { testGraph } from '../helpers/neo4j';

let graph: Graph;
beforeAll(() => {
  graph = testGraph();
});
afterAll(async () => {
  await graph.close();
});

test('the project has Cypher statements', () => {
  expect(CYPHER_NAMES.length).toBeGreaterThan(0);
});

test.each(CYPHER_NAMES.map((name) => [name]))('EXPLAIN cypher/%s.cypher: the declared columns', async (name) => {
  const statement = cypher(name);
  // Schema commands cannot be EXPLAINed; they are applied for real (idempotent, IF NOT EXISTS) and return nothing.
  if (name.startsWith('schema/')) {
    await expect(graph.autoCommit(statement, {})).resolves.toEqual([]);
    expect(CYPHER_REGISTRY[name].columns).toEqual([]);
    return;
  }
  await expect(graph.columns(statement)).resolves.toEqual(CYPHER_REGISTRY[name].columns);
});

// Browser's saved queries are not in the registry (they carry `:param` lines for Browser instead of a typed header).
const explore = fs
  .readdirSync(path.join(CYPHER_DIR, 'explore'))
  .filter((f) => f.endsWith('.cypher'))
  .sort();

test.each(explore.map((file) => [file]))('EXPLAIN cypher/explore/%s', async (file) => {
  const text = stripComments(fs.readFileSync(path.join(CYPHER_DIR, 'explore', file), 'utf8'));
  await expect(graph.autoCommit(`EXPLAIN ${text}`)).resolves.toBeDefined();
});
