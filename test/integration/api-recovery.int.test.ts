// Neo4j goes away and comes back: the API answers UNAVAILABLE / 503 meanwhile and recovers without a restart.
// It runs its own Neo4j (the run's shared one must stay up for the other files).
import { execute } from '../../src/api/client/request';
import { createApp, type ApiServer } from '../../src/api/server';
import { loadConfig } from '../../src/config';
import { openApiGraph, waitForQuery } from '../../src/graph/connect';
import { Graph } from '../../src/graph/executor';
import { applySchema } from '../../src/graph/schema';
import type { LocalNeo4jServer } from '../../src/localdb/server';
import { dedicatedNeo4j } from '../helpers/neo4j';
import { silentLogger } from '../../src/log';
import { SimilarUsersDocument } from '../../src/generated/client/graphql';
import { cosineNeighbours, seedApiGraph } from './api-seed';

const PASSWORD = 'recovery-password-1';

let neo4j: LocalNeo4jServer;
let dedicated: Awaited<ReturnType<typeof dedicatedNeo4j>> | undefined;
let api: ApiServer;
let base: string;

beforeAll(async () => {
  dedicated = await dedicatedNeo4j('api-recovery', PASSWORD);
  neo4j = dedicated.server;
  // Patient deadlines, as the other functional tests: a cold first query on a busy 2-core machine can take
  // seconds, and this test is about an outage (refused connections answer at once), not about deadlines.
  const config = loadConfig({
    NEO4J_URI: neo4j.boltUri,
    NEO4J_PASSWORD: PASSWORD,
    NODE_ENV: 'test',
    API_QUERY_TIMEOUT_MS: '15000',
    API_REQUEST_TIMEOUT_MS: '20000',
  });
  const admin = Graph.connect(config.neo4j, PASSWORD);
  try {
    await waitForQuery(admin, 120_000);
    await applySchema(admin);
    await seedApiGraph(admin);
  } finally {
    await admin.close();
  }
  api = await createApp(config, openApiGraph(config), {
    log: silentLogger,
    cache: { refreshMs: 200, staleMs: 1_000 },
  });
  base = await api.start(0, '127.0.0.1');
});

afterAll(async () => {
  await api?.stop();
  await dedicated?.remove();
});

const similar = () => execute(`${base}/graphql`, SimilarUsersDocument, { handle: '1', limit: 3, reasons: 1 });

test('UNAVAILABLE and 503 while Neo4j is down, then back to normal by itself', async () => {
  expect((await fetch(`${base}/readyz`)).status).toBe(200);
  expect((await similar()).data?.user?.similarUsers.map((s) => Number(s.handle))).toEqual(
    cosineNeighbours(1)
      .slice(0, 3)
      .map((n) => n.handle),
  );

  await neo4j.stop();
  // Cached lists outlive the outage by at most staleMs; after that every lookup meets it.
  await new Promise((r) => setTimeout(r, 1_500));

  const down = await similar();
  expect(down.status).toBe(503);
  expect(down.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
  expect(down.errors?.[0]?.message).toBe('The graph database is unavailable; retry shortly');
  const rest = await fetch(`${base}/similar-users/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"user_handle": 1}',
  });
  expect(rest.status).toBe(503);
  expect(await rest.json()).toEqual({
    error: { code: 'UNAVAILABLE', message: 'The graph database is unavailable; retry shortly' },
  });
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'Neo4j is unreachable' });
  expect((await fetch(`${base}/healthz`)).status).toBe(200);

  await neo4j.start(PASSWORD);
  // No restart of the API: the driver reconnects on its own once the database answers.
  const deadline = Date.now() + 120_000;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await fetch(`${base}/readyz`)).status;
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(status).toBe(200);
  // The restarted server's first queries (plans compiled, pages read) may pass the production deadline on a loaded
  // machine: a few UNAVAILABLE answers are allowed before the first whole one.
  let back = await similar();
  for (let attempt = 1; attempt < 5 && back.status === 503; attempt++) back = await similar();
  expect(back.errors).toBeUndefined();
  expect(back.data?.user?.similarUsers).toHaveLength(3);
});
