// Reasons that add up, through the API over a real Neo4j: for every cosine-family model the contributions of all
// shared items sum to the stored score, also after an import changed the graph's document frequencies; ALS says
// its reasons are indicative.
import { createApp, type ApiServer } from '../../src/api/server';
import { connectApiGraph } from '../../src/graph/api-connect';
import type { Graph } from '../../src/graph/executor';
import { SimilarityRepository } from '../../src/graph/similarity-repository';
import { defaultParams, MODEL_NAMES, type ModelName } from '../../src/jobs/models';
import { runSimilarityJob } from '../../src/jobs/similarity-job';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';

// 90 users over 4 tags, 8 courses (tagged) and assessments: every block of every model has input.
const DATA = `
UNWIND ['a', 'b', 'c', 'd'] AS name CREATE (:Tag {name: name})
WITH count(*) AS _
UNWIND range(1, 8) AS i CREATE (:Course {id: 'c' + i})
WITH count(*) AS _
MATCH (c:Course), (t:Tag)
WHERE toInteger(right(c.id, 1)) % 4 = CASE t.name WHEN 'a' THEN 0 WHEN 'b' THEN 1 WHEN 'c' THEN 2 ELSE 3 END
   OR (c.id = 'c1' AND t.name = 'b')
CREATE (c)-[:TAGGED]->(t)
WITH count(*) AS _
UNWIND range($from, $to) AS h
CREATE (u:User {handle: h})
WITH u, h
MATCH (c:Course) WHERE c.id IN ['c' + (1 + h % 8), 'c' + (1 + (h * 3) % 7), 'c' + (1 + (h * 5) % 8)]
CREATE (u)-[:VIEWED {seconds: 30 * (1 + (h * 7) % 17)}]->(c)
WITH DISTINCT u, h
MATCH (t:Tag) WHERE t.name IN ['a', 'b', 'c', 'd'][h % 4 .. h % 4 + 1 + h % 2]
CREATE (u)-[:INTERESTED_IN]->(t)
WITH DISTINCT u, h WHERE h % 3 = 0
MATCH (t:Tag {name: ['a', 'b', 'c'][h % 3 + (h / 3) % 2]})
CREATE (u)-[:ASSESSED {score: 40 + (h * 11) % 200}]->(t)
`;
// More users later (an import after the run): new views and follows change every document frequency.
const LATER = `
UNWIND range(500, 579) AS h
CREATE (u:User {handle: h})
WITH u, h
MATCH (c:Course) WHERE c.id IN ['c1', 'c2', 'c' + (1 + h % 8)]
CREATE (u)-[:VIEWED {seconds: 1000}]->(c)
WITH DISTINCT u
MATCH (t:Tag {name: 'a'})
CREATE (u)-[:INTERESTED_IN]->(t)
`;

let admin: Graph;
let server: ApiServer;
let endpoint: string;

interface Sim {
  handle: string;
  score: number;
  reasonsExact: boolean;
  reasons: Array<{ kind: string; contribution: number; share: number }>;
}

async function neighbours(handle: number, model: ModelName): Promise<Sim[]> {
  const query = `query($h: ID!, $m: SimilarityModel) { user(handle: $h) { similarUsers(model: $m, limit: 10) {
    handle score reasonsExact reasons(limit: 50) { kind contribution share } } } }`;
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: { h: String(handle), m: model.toUpperCase() } }),
  });
  const body = (await res.json()) as { data?: { user: { similarUsers: Sim[] } | null }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data?.user?.similarUsers ?? [];
}

beforeAll(async () => {
  admin = testGraph();
  await resetGraph(admin);
  await admin.write(DATA, { from: 1, to: 90 });
  const p = defaultParams();
  p.threads = 1;
  p.fit.enabled = false;
  p.weights = { interests: 1, views: 1, courseTags: 0.5, assessments: 0.5 };
  p.als.factors = 8;
  p.als.iterations = 4;
  await runSimilarityJob(new SimilarityRepository(admin), { models: [...MODEL_NAMES], params: p, graceMs: 0 });
  const config = testConfig();
  const graph = connectApiGraph(config.neo4j, config.neo4j.password ?? '');
  server = await createApp(config, graph, { log: { info: () => undefined, warn: () => undefined } });
  endpoint = `${await server.start(0, '127.0.0.1')}/graphql`;
});

afterAll(async () => {
  await server.stop();
  await admin.close();
});

async function expectSumsToScores(model: ModelName): Promise<number> {
  let checked = 0;
  for (const h of [3, 12, 27, 40, 61, 88]) {
    for (const s of await neighbours(h, model)) {
      expect(s.reasonsExact).toBe(true);
      const sum = s.reasons.reduce((a, r) => a + r.contribution, 0);
      expect(Math.abs(sum - s.score)).toBeLessThan(1e-6);
      checked++;
    }
  }
  return checked;
}

const cosineFamily: ModelName[] = ['interests', 'course_views', 'assessments', 'cosine'];

test.each(cosineFamily)('%s: the contributions of all shared items sum to the score', async (model) => {
  expect(await expectSumsToScores(model)).toBeGreaterThan(0);
});

test('cosine: all four kinds of reasons appear', async () => {
  const kinds = new Set<string>();
  for (const h of [3, 12, 27, 40, 61, 88])
    for (const s of await neighbours(h, 'cosine')) for (const r of s.reasons) kinds.add(r.kind);
  expect([...kinds].sort()).toEqual(['ASSESSMENT', 'COURSE', 'COURSE_TAG', 'INTEREST']);
});

test('als: reasons are indicative, and say so', async () => {
  const sims = await neighbours(12, 'als');
  expect(sims.length).toBeGreaterThan(0);
  for (const s of sims) expect(s.reasonsExact).toBe(false);
});

test('after an import changed the document frequencies, the contributions still sum to the stored scores', async () => {
  await admin.write(LATER);
  for (const model of cosineFamily) expect(await expectSumsToScores(model)).toBeGreaterThan(0);
});
