// Every .cypher file in the project must compile against the real database (EXPLAIN plans without running), and
// every statement of the registry returns exactly the columns its header declares, in that order.
import fs from 'node:fs';
import path from 'node:path';
import { CYPHER_DIR, CYPHER_NAMES, cypher, stripComments } from '../../src/graph/cypher';
import type { Graph } from '../../src/graph/executor';
import { CYPHER_REGISTRY } from '../../src/generated/cypher';
import { resetGraph, testGraph } from '../helpers/neo4j';

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

/**
 * The operators of a statement's plan, each with its details (EXPLAIN: nothing runs): a registry statement by name,
 * or a Browser query by its file in cypher/explore.
 */
async function planOf(name: Parameters<typeof cypher>[0] | `explore/${string}`): Promise<string[]> {
  const text = name.startsWith('explore/')
    ? stripComments(fs.readFileSync(path.join(CYPHER_DIR, `${name}.cypher`), 'utf8'))
    : cypher(name as Parameters<typeof cypher>[0]).text;
  const session = graph.driver.session();
  try {
    const result = await session.run(`EXPLAIN ${text}`, {});
    const out: string[] = [];
    const walk = (p: { operatorType: string; arguments: Record<string, unknown>; children: unknown[] }): void => {
      const details = p.arguments.Details;
      out.push(`${p.operatorType.replace(/@.*/, '')} ${typeof details === 'string' ? details : ''}`);
      for (const c of p.children) walk(c as typeof p);
    };
    walk(result.summary.plan as unknown as Parameters<typeof walk>[0]);
    return out;
  } finally {
    await session.close();
  }
}

describe('the active lists of incremental versions (floor..version, not ended) keep their index seeks', () => {
  beforeAll(async () => {
    // The statistics that once planned whole-range seeks for one user's edges: many users, no SIMILAR_TO edge yet
    // (a graph just imported, before its first run).
    await resetGraph(graph);
    await graph.autoCommit('UNWIND range(1, 20000) AS h CREATE (:User {handle: h})');
    // On a new database the EXPLAINs above planned these statements while the indexes were still populating, and
    // Neo4j may keep those plans: plan them again now that the indexes are online and the users counted.
    await graph.autoCommit('CALL db.clearQueryCaches()');
  });

  test.each([
    [
      'similarity/read-version-lists',
      /SIMILAR_TO\(model, version\)\]->.* WHERE model = \$model AND version >= \$floor AND version <= \$version/,
    ],
    [
      'similarity/count-version-edges',
      /SIMILAR_TO\(model, version\)\]->.* WHERE model = \$model AND version >= \$floor AND version <= \$version/,
    ],
    ['similarity/delete-superseded', /SIMILAR_TO\(model, version\)\]->.* WHERE model = \$model AND version < \$floor/],
    // The (model, until) index holds only ended edges: a seek, or with statistics a scan of that small index.
    ['similarity/delete-ended', /SIMILAR_TO\(model, until\)\]->/, /^DirectedRelationshipIndex(Seek|Scan)/],
    ['similarity/reopen-ended', /SIMILAR_TO\(model, until\)\]->/, /^DirectedRelationshipIndex(Seek|Scan)/],
  ] as const)(
    '%s: a range seek on the relationship index',
    async (name, seek, operator = /^DirectedRelationshipIndexSeek/) => {
      const plan = await planOf(name);
      expect(plan.some((op) => operator.test(op) && seek.test(op))).toBe(true);
      expect(plan.some((op) => /RelationshipTypeScan|AllNodesScan|AllRelationshipsScan/.test(op))).toBe(false);
    },
  );

  // A graph whose statistics count no SIMILAR_TO edge yet (users imported, no run) plans a seek of the model's whole
  // range on the (model, version) index for these, once per user: hints or unseekable predicates rule that out.
  test.each([
    ['api/similar-users'],
    ['similarity/read-neighbours'],
    ['similarity/write-edges-delta'],
    ['similarity/write-edges-replace'],
    ['explore/neighbourhood'],
  ] as const)(
    '%s: one user at a time, expanded from the user or into its neighbours (about 50 edges), never a scan',
    async (name) => {
      const plan = await planOf(name);
      expect(plan.some((op) => op.startsWith('NodeUniqueIndexSeek') && op.includes('User(handle)'))).toBe(true);
      expect(plan.some((op) => /^(Optional)?Expand\((All|Into)\)/.test(op) && op.includes('SIMILAR_TO'))).toBe(true);
      expect(plan.some((op) => /Scan|RelationshipIndexSeek/.test(op))).toBe(false);
    },
  );
});
