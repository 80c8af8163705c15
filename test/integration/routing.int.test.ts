// The job and the API through a `neo4j://` (routing) URI against the test server, as they run against a cluster:
// the driver asks the server for its routing table and sends READ work to readers, WRITE work to the writer.
// A single Neo4j 5 Community server routes to itself, so this proves the routed code paths without a cluster.
import { createApp, type ApiServer } from '../../src/api/server';
import { openApiGraph } from '../../src/graph/connect';
import { Graph } from '../../src/graph/executor';
import { SimilarityRepository } from '../../src/graph/similarity-repository';
import { defaultParams } from '../../src/jobs/models';
import { runSimilarityJob } from '../../src/jobs/similarity-job';
import { resetGraph, testConfig } from '../helpers/neo4j';
import { seedApiGraph } from './api-seed';

const config = testConfig({ NEO4J_URI: (process.env.TEST_NEO4J_URI ?? '').replace(/^bolt:\/\//, 'neo4j://') });
let job: Graph;
let server: ApiServer | undefined;

beforeAll(async () => {
  expect(config.neo4j.uri).toMatch(/^neo4j:\/\/127\.0\.0\.1:\d+$/);
  job = Graph.connect(config.neo4j, config.neo4j.password ?? '');
  await resetGraph(job);
  await seedApiGraph(job);
});

afterAll(async () => {
  await server?.stop();
  await job.close();
});

test('a job graph chains its units of work by bookmarks: a read after a write waits for that write', async () => {
  const before = await job.lastBookmarks();
  await job.write('CREATE (:RoutingProbe {at: $at})', { at: 1 });
  const after = await job.lastBookmarks();
  expect(after.length).toBeGreaterThan(0);
  expect(after).not.toEqual(before);
  // A READ unit (routed to a reader on a cluster) carries the write's bookmark, so it sees the node.
  expect(await job.read<{ n: number }>('MATCH (p:RoutingProbe) RETURN count(p) AS n')).toEqual([{ n: 1 }]);
  await job.write('MATCH (p:RoutingProbe) DELETE p');
});

test('the similarity job runs over neo4j:// and the API serves what it wrote, reading with routing READ', async () => {
  const p = defaultParams();
  p.threads = 1;
  p.fit.enabled = false;
  const [report] = await runSimilarityJob(new SimilarityRepository(job), {
    models: ['interests'],
    params: p,
    graceMs: 0,
  });
  expect(report!.edges).toBeGreaterThan(0);
  // The count the job stored was read (READ) right after its writes: the bookmarks made it see all of them.
  const [stored] = await job.read<{ edges: number }>(
    `MATCH (m:SimilarityModel {name: 'interests'}) RETURN m.edges AS edges`,
  );
  expect(stored!.edges).toBe(report!.edges);
  const expected = await job.read<{ handle: number; score: number }>(
    `MATCH (m:SimilarityModel {name: 'interests'})
     MATCH (:User {handle: 1})-[s:SIMILAR_TO {model: 'interests'}]->(b:User) WHERE s.version = m.version
     RETURN b.handle AS handle, s.score AS score ORDER BY s.score DESC, b.handle`,
  );
  expect(expected.length).toBeGreaterThan(0);

  const api = openApiGraph(config);
  // The API only reads, one query per answer: it does not wait for bookmarks.
  expect(api.profile.causal).toBe(false);
  const modes: string[] = [];
  api.observe((o) => modes.push(o.mode));
  server = await createApp(config, api, { log: { info: () => undefined, warn: () => undefined }, cache: false });
  const base = await server.start(0, '127.0.0.1');
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: '{ user(handle: "1") { similarUsers(model: INTERESTS, limit: 10) { handle score } } }',
    }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data: { user: { similarUsers: { handle: string; score: number }[] } } };
  expect(body.data.user.similarUsers.map((n) => Number(n.handle))).toEqual(expected.map((e) => e.handle));
  for (const [i, n] of body.data.user.similarUsers.entries()) expect(n.score).toBeCloseTo(expected[i]!.score, 6);
  // Every query the request made was a READ unit of work (routed to a reader on a cluster).
  expect(modes.length).toBeGreaterThan(0);
  expect(new Set(modes)).toEqual(new Set(['read']));
});
