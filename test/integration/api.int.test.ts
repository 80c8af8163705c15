// The API over a real Neo4j: typed GraphQL operations over HTTP, REST shapes byte for byte, errors, limits, batching.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execute, request, GraphQLRequestError } from '../../src/api/client/request';
import { createApp, type ApiServer } from '../../src/api/server';
import { openApiGraph } from '../../src/graph/connect';
import type { Graph } from '../../src/graph/executor';
import {
  ModelsDocument,
  NeighbourhoodDocument,
  SimilarUsersDocument,
  UserProfileDocument,
  UsersPageDocument,
  UsersWithNeighboursDocument,
  type UsersPageQuery,
} from '../../src/generated/client/graphql';
import { startApi } from '../helpers/api';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';
import { cosineNeighbours, dropModels, seedApiGraph, USERS } from './api-seed';

let admin: Graph;
let graph: Graph;
let server: ApiServer;
let base: string;
let endpoint: string;

const boot = startApi;

beforeAll(async () => {
  admin = testGraph();
  await resetGraph(admin);
  await seedApiGraph(admin);
  const config = testConfig();
  graph = openApiGraph(config);
  // The shared server reads Neo4j on every request, so query counts show the loaders alone.
  server = await createApp(config, graph, { log: { info: () => undefined, warn: () => undefined }, cache: false });
  base = await server.start(0, '127.0.0.1');
  endpoint = `${base}/graphql`;
});

afterAll(async () => {
  await server.stop();
  await admin.close();
});

async function post(pathname: string, body: string | object, contentType = 'application/json') {
  const res = await fetch(`${base}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

async function graphqlRaw(query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    },
  };
}

describe('GraphQL through the generated typed client', () => {
  test('similarUsers answers the active version only, best first, with reasons', async () => {
    const data = await request(endpoint, SimilarUsersDocument, { handle: '1', limit: 10, reasons: 3 });
    const sims = data.user?.similarUsers ?? [];
    expect(sims.map((s) => Number(s.handle))).toEqual(cosineNeighbours(1).map((n) => n.handle));
    expect(sims.map((s) => s.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(sims.every((s) => s.model === 'COSINE')).toBe(true);
    const scores = sims.map((s) => s.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // The stale version 1 (score 0.99) must never show.
    expect(scores).not.toContain(0.99);
    // Users 2, 3 and 4 share a tag or a course with user 1; nothing is shared with user 5.
    expect(sims.slice(0, 3).map((s) => s.reasons.map((r) => `${r.kind}:${r.item}`))).toEqual([
      ['INTEREST:sql'],
      ['COURSE:react-hooks'],
      ['COURSE:java-core'],
    ]);
    expect(sims[3]!.reasons).toEqual([]);
    for (const s of sims) {
      const shares = s.reasons.map((r) => r.share);
      expect([...shares].sort((a, b) => b - a)).toEqual(shares);
      for (const r of s.reasons) expect(r.contribution).toBeCloseTo(r.share * s.score, 10);
    }
  });

  test('reasons name the items both users share, with shares summing to 1', async () => {
    // Interests model: user 1 follows java and sql; user 7 follows java and sql too; user 13 the same.
    const data = await request(endpoint, SimilarUsersDocument, {
      handle: '1',
      model: 'INTERESTS',
      limit: 3,
      reasons: 10,
    });
    const sims = data.user?.similarUsers ?? [];
    expect(sims.map((s) => s.handle)).toEqual(['7', '13', '2']);
    const first = sims[0]!;
    expect(first.reasons.map((r) => r.item).sort()).toEqual(['java', 'sql']);
    expect(first.reasons.every((r) => r.kind === 'INTEREST')).toBe(true);
    expect(first.reasons.reduce((a, r) => a + r.share, 0)).toBeCloseTo(1, 10);
    // User 2 follows sql and react: only sql is shared.
    expect(sims[2]!.reasons).toEqual([{ kind: 'INTEREST', item: 'sql', share: 1, contribution: 0.5 }]);
  });

  test('limit caps the neighbours', async () => {
    const data = await request(endpoint, SimilarUsersDocument, { handle: '5', limit: 3, reasons: 1 });
    expect(data.user?.similarUsers.map((s) => s.handle)).toEqual(['6', '7', '8']);
  });

  test('a model without an active version has no neighbours (edges being written stay invisible)', async () => {
    const data = await request(endpoint, SimilarUsersDocument, { handle: '1', model: 'ALS', limit: 10, reasons: 1 });
    expect(data.user?.similarUsers).toEqual([]);
  });

  test('user profile: interests, viewed courses, assessments', async () => {
    const data = await request(endpoint, UserProfileDocument, { handle: '7' });
    expect(data.user).toEqual({
      handle: '7',
      interests: [{ name: 'java' }, { name: 'sql' }],
      viewedCourses: [
        { courseId: 'sql-joins', level: 'Advanced', seconds: 700, days: 2 },
        { courseId: 'docker-intro', level: 'Intermediate', seconds: 60, days: 1 },
      ],
      assessments: [{ tag: { name: 'java' }, score: 107, takenAt: '2021-03-04T05:06:07' }],
    });
  });

  test('an unknown user is null, not an error', async () => {
    const result = await execute(endpoint, UserProfileDocument, { handle: '99999999' });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ user: null });
  });

  test('models: active version, time, params, metrics and counts in enum order', async () => {
    const data = await request(endpoint, ModelsDocument, {});
    expect(data.models.map((m) => m.name)).toEqual(['INTERESTS', 'COSINE', 'ALS']);
    const cosine = data.models.find((m) => m.name === 'COSINE')!;
    expect(cosine).toEqual({
      name: 'COSINE',
      version: 2,
      trainedAt: '2026-11-21T12:00:00Z',
      writing: null,
      params: { k: 10, blocks: ['interests', 'course_views', 'assessments'] },
      metrics: { precisionAt10: 0.42 },
      users: USERS,
      edges: USERS * 10,
      validation: 0.19,
      default: true,
    });
    expect(data.models.find((m) => m.name === 'INTERESTS')).toMatchObject({ validation: 0.07, default: false });
    expect(data.models.find((m) => m.name === 'ALS')).toMatchObject({ version: null, writing: 1, default: false });
  });

  test('users: cursor pages cover every user once, in handle order', async () => {
    const seen: number[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const data: UsersPageQuery = await request(endpoint, UsersPageDocument, { first: 25, after });
      pages++;
      expect(data.users.totalCount).toBe(USERS);
      seen.push(...data.users.edges.map((e) => Number(e.node.handle)));
      if (!data.users.pageInfo.hasNextPage) break;
      after = data.users.pageInfo.endCursor ?? null;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: USERS }, (_x, i) => i + 1));
  });

  test('two levels of neighbours (the page query)', async () => {
    const data = await request(endpoint, NeighbourhoodDocument, { handle: '1', limit: 3 });
    expect(data.user?.similarUsers.map((s) => s.user.similarUsers.map((n) => n.handle))).toEqual([
      ['3', '4', '5'],
      ['4', '5', '6'],
      ['5', '6', '7'],
    ]);
  });
});

describe('DataLoader batching', () => {
  test('50 users x 10 neighbours x their interests run a bounded number of Cypher queries', async () => {
    const before = graph.queryCount;
    const data = await request(endpoint, UsersWithNeighboursDocument, { first: 50, limit: 10 });
    const queries = graph.queryCount - before;
    const edges = data.users.edges;
    expect(edges).toHaveLength(50);
    for (const e of edges) {
      expect(e.node.similarUsers).toHaveLength(10);
      for (const s of e.node.similarUsers) expect(s.user.interests).toHaveLength(2);
    }
    // users page + the default model (read once per request) + one neighbours batch + one interests batch.
    expect(queries).toBeLessThanOrEqual(4);
  });

  test('user(handle) { similarUsers } is one query: the neighbours query also tells whether the user exists', async () => {
    const before = graph.queryCount;
    const res = await graphqlRaw(
      '{ user(handle: "9") { handle similarUsers(model: COSINE, limit: 10) { handle score } } }',
    );
    expect((res.body.data as { user: { similarUsers: unknown[] } }).user.similarUsers).toHaveLength(10);
    expect(graph.queryCount - before).toBe(1);
    // Without a model, the default model is read once more (uncached server), then the same one query.
    const b0 = graph.queryCount;
    const res2 = await graphqlRaw('{ user(handle: "9") { handle similarUsers(limit: 10) { handle score model } } }');
    const sims = (res2.body.data as { user: { similarUsers: Array<{ model: string }> } }).user.similarUsers;
    expect(sims).toHaveLength(10);
    expect(sims.every((x) => x.model === 'COSINE')).toBe(true);
    expect(graph.queryCount - b0).toBe(2);
    // Two levels with interests: each level is one batch, whatever the number of users.
    const b1 = graph.queryCount;
    const data = await request(endpoint, NeighbourhoodDocument, { handle: '9', model: 'COSINE', limit: 10 });
    expect(data.user?.similarUsers).toHaveLength(10);
    expect(graph.queryCount - b1).toBeLessThanOrEqual(4);
    const b2 = graph.queryCount;
    const missing = await execute(endpoint, SimilarUsersDocument, { handle: '424242', model: 'COSINE', limit: 10 });
    expect(missing.data).toEqual({ user: null });
    expect(graph.queryCount - b2).toBe(1);
  });

  test('loaders are per request: a second identical request queries again', async () => {
    const before = graph.queryCount;
    await request(endpoint, SimilarUsersDocument, { handle: '2', limit: 2, reasons: 1 });
    const once = graph.queryCount - before;
    await request(endpoint, SimilarUsersDocument, { handle: '2', limit: 2, reasons: 1 });
    expect(graph.queryCount - before).toBe(2 * once);
  });
});

describe('neighbour cache', () => {
  test('serves repeated lookups from memory and follows the active version when it changes', async () => {
    const s = await boot(testConfig(), { cache: { refreshMs: 100, staleMs: 5_000 } });
    const g = s.repo.graph;
    const url = `${s.url}/graphql`;
    const q = '{ user(handle: "4") { similarUsers(limit: 3) { handle } } }';
    const run = async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: q }),
      });
      const body = (await res.json()) as { data: { user: { similarUsers: { handle: string }[] } } };
      return body.data.user.similarUsers.map((x) => Number(x.handle));
    };
    try {
      const v2 = cosineNeighbours(4)
        .slice(0, 3)
        .map((n) => n.handle);
      expect(await run()).toEqual(v2);
      const before = g.queryCount;
      expect(await run()).toEqual(v2);
      expect(await run()).toEqual(v2);
      // Only the periodic version refresh may have run meanwhile, no neighbour query.
      const refreshes = g.queryCount - before;
      expect(s.cache?.hits).toBeGreaterThanOrEqual(2);
      expect(refreshes).toBeLessThanOrEqual(2);
      // The similarity job switches the active version: the cache must follow within a refresh.
      await admin.write("MATCH (m:SimilarityModel {name: 'cosine'}) SET m.version = 1");
      await new Promise((r) => setTimeout(r, 400));
      expect(await run()).toEqual([34, 35, 36]);
    } finally {
      await admin.write("MATCH (m:SimilarityModel {name: 'cosine'}) SET m.version = 2");
      await s.stop();
    }
  });
});

describe('GraphQL errors and limits', () => {
  const codeOf = (e: unknown) => (e as GraphQLRequestError).errors[0]?.extensions?.code;

  test('a non-numeric handle is BAD_USER_INPUT saying what was expected and what arrived', async () => {
    const err = await request(endpoint, UserProfileDocument, { handle: 'abc' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphQLRequestError);
    expect(codeOf(err)).toBe('BAD_USER_INPUT');
    expect((err as Error).message).toMatch(/expected .*integer.*got "abc"/);
  });

  test.each([0, 101, 100000])('limit %p is BAD_USER_INPUT', async (limit) => {
    const err = await request(endpoint, SimilarUsersDocument, { handle: '1', limit }).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('BAD_USER_INPUT');
    expect((err as Error).message).toContain(`limit: expected an integer 1..100, got ${limit}`);
  });

  test('an unknown model is BAD_USER_INPUT, as a variable or a literal', async () => {
    const asVariable = await graphqlRaw(
      'query($m: SimilarityModel) { user(handle: "1") { similarUsers(model: $m) { handle } } }',
      { m: 'PAGERANK' },
    );
    expect(asVariable.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(asVariable.body.errors?.[0]?.message).toContain('PAGERANK');
    const asLiteral = await graphqlRaw('{ user(handle: "1") { similarUsers(model: PAGERANK) { handle } } }');
    expect(asLiteral.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('a bad cursor is BAD_USER_INPUT', async () => {
    const err = await request(endpoint, UsersPageDocument, { first: 2, after: 'not-a-cursor' }).catch(
      (e: unknown) => e,
    );
    expect(codeOf(err)).toBe('BAD_USER_INPUT');
  });

  test('too deep a query is refused at validation', async () => {
    let q = 'handle';
    for (let i = 0; i < 11; i++) q = `similarUsers(limit: 1) { user { ${q} } }`;
    const res = await graphqlRaw(`{ user(handle: "1") { ${q} } }`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/exceeds maximum operation depth/);
  });

  test('too complex a query is refused before it runs', async () => {
    const before = graph.queryCount;
    const res = await graphqlRaw(
      '{ users(first: 100) { edges { node { similarUsers(limit: 100) { user { similarUsers(limit: 100) { handle } } } } } } }',
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(/complexity of at most 20000, got \d+/);
    expect(graph.queryCount).toBe(before);
  });

  test('no stack traces outside development', async () => {
    const res = await graphqlRaw('{ user(handle: "x") { handle } }');
    expect(res.body.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
  });

  test('a malformed JSON body on /graphql is 400', async () => {
    const res = await post('/graphql', '{"query": ');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });
});

describe('REST routes for older clients', () => {
  const expectedIds = (h: number, n = 10) =>
    cosineNeighbours(h)
      .slice(0, n)
      .map((x) => x.handle);

  test('POST /similar-users/ with a number, byte for byte', async () => {
    const res = await post('/similar-users/', { user_handle: 1 });
    expect(res.status).toBe(200);
    expect(res.text).toBe(
      `{"request_data":1,"data":{"model_handle":"cosine","similar_users":[${expectedIds(1).join(',')}]}}`,
    );
  });

  test('without a model, REST and GraphQL serve the model the graph marks default, and follow it when it moves', async () => {
    try {
      await graph.write("MATCH (m:SimilarityModel) SET m.default = (m.name = 'interests')");
      const res = await post('/similar-users/', { user_handle: 1 });
      expect(res.text).toBe('{"request_data":1,"data":{"model_handle":"interests","similar_users":[7,13,2]}}');
      const data = await request(endpoint, SimilarUsersDocument, { handle: '1', limit: 10, reasons: 1 });
      expect(data.user?.similarUsers.map((x) => [x.handle, x.model])).toEqual([
        ['7', 'INTERESTS'],
        ['13', 'INTERESTS'],
        ['2', 'INTERESTS'],
      ]);
    } finally {
      await graph.write("MATCH (m:SimilarityModel) SET m.default = (m.name = 'cosine')");
    }
  });

  test('POST /similar-users/ with a numeric string echoes the string; model and limit are optional', async () => {
    const res = await post('/similar-users/', { user_handle: '1', model: 'interests', limit: 2 });
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"request_data":"1","data":{"model_handle":"interests","similar_users":[7,13]}}');
  });

  test('GET /api/similarity/ with a JSON body, byte for byte, scores rounded to 4 places', async () => {
    const res = await fetch(`${base}/api/similarity/`, {
      method: 'GET',
      headers: { 'content-type': 'application/json' },
      // fetch refuses a GET body; a raw request shows the old clients' style below.
    }).catch(() => undefined);
    expect(res === undefined || res.status === 400).toBe(true);
    const raw = await rawGet('/api/similarity/', '{"user_handle": "110"}'.replace('110', '3'));
    expect(raw.status).toBe(200);
    const expected = cosineNeighbours(3)
      .map((n) => `{"similar":"${n.handle}","score":${Math.round(n.score * 1e4) / 1e4}}`)
      .join(',');
    expect(raw.text).toBe(`[${expected}]`);
    expect(raw.text.startsWith('[{"similar":"4","score":0.95},')).toBe(true);
  });

  test('GET /api/similarity/?user_handle= and POST give the same answer', async () => {
    const viaQuery = await fetch(`${base}/api/similarity/?user_handle=3`);
    const viaPost = await post('/api/similarity/', { user_handle: '3' });
    const viaBody = await rawGet('/api/similarity/', '{"user_handle": "3"}');
    expect(viaQuery.status).toBe(200);
    const text = await viaQuery.text();
    expect(viaPost.text).toBe(text);
    expect(viaBody.text).toBe(text);
  });

  test('an unknown user is 404 naming the handle', async () => {
    const res = await post('/similar-users/', { user_handle: 99999999 });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toEqual({
      error: { code: 'NOT_FOUND', message: 'no user with handle 99999999', user_handle: 99999999 },
    });
    const res2 = await fetch(`${base}/api/similarity/?user_handle=99999999`);
    expect(res2.status).toBe(404);
    expect(await res2.text()).toContain('99999999');
  });

  test.each([
    ['a non-numeric handle', { user_handle: 'abc' }, /user_handle: expected .* got "abc"/],
    ['a missing handle', {}, /user_handle: expected .* got nothing/],
    ['limit 0', { user_handle: 1, limit: 0 }, /limit: expected an integer 1..100, got 0/],
    ['limit 101', { user_handle: 1, limit: 101 }, /limit: expected an integer 1..100, got 101/],
    ['an unknown model', { user_handle: 1, model: 'pagerank' }, /model: expected one of .*cosine.*got "pagerank"/],
    ['an array body', [1], /expected a JSON object/],
  ])('%s is 400 with a message', async (_name, body, message) => {
    const res = await post('/similar-users/', body);
    expect(res.status).toBe(400);
    const json = JSON.parse(res.text) as { error: { code: string; message: string } };
    expect(json.error.code).toBe('BAD_USER_INPUT');
    expect(json.error.message).toMatch(message);
  });

  test('malformed JSON is 400', async () => {
    const res = await post('/similar-users/', '{not json');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'BAD_USER_INPUT' } });
    expect(res.text).toContain('malformed JSON');
  });

  test('a body in another content type is 400 naming both types', async () => {
    const res = await post('/similar-users/', 'user_handle=1', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(400);
    expect(res.text).toContain('expected Content-Type application/json, got \\"application/x-www-form-urlencoded\\"');
  });

  test('a body over the size limit is 413', async () => {
    const res = await post('/similar-users/', { user_handle: 1, padding: 'x'.repeat(200_000) });
    expect(res.status).toBe(413);
  });
});

describe('probes, playground, page', () => {
  test('healthz and readyz', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', models: { cosine: 2, interests: 1 }, live: 'ready' });
  });

  test('GraphiQL is served from local files to browsers at /graphql, and /playground redirects there', async () => {
    const redirect = await fetch(`${base}/playground`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/graphql');
    const res = await fetch(`${base}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('GraphiQL');
    // Offline: nothing loaded from another origin, and every asset the page names is served here.
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
    const assets = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) expect((await fetch(`${base}${asset}`)).status).toBe(200);
    // API clients still reach Apollo.
    const api = await fetch(`${base}/graphql?query=%7B__typename%7D`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
  });

  test('playground off and introspection off when configured', async () => {
    const s = await boot(testConfig({ GRAPHQL_PLAYGROUND: 'false', GRAPHQL_INTROSPECTION: 'false' }));
    try {
      expect((await fetch(`${s.url}/playground`, { redirect: 'manual' })).status).toBe(404);
      expect((await fetch(`${s.url}/graphql`, { headers: { accept: 'text/html' } })).status).not.toBe(200);
      const res = await fetch(`${s.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __schema { types { name } } }' }),
      });
      const body = (await res.json()) as { errors?: { message: string }[] };
      expect(body.errors?.[0]?.message).toMatch(/introspection/i);
    } finally {
      await s.stop();
    }
  });

  test('the web page is served from its dist folder at /', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-web-'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>page under test</title>');
    const s = await boot(testConfig(), { webDir: dir });
    try {
      const res = await fetch(`${s.url}/`);
      expect(await res.text()).toContain('page under test');
    } finally {
      await s.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('readyz fails with a reason while no model has an active version', async () => {
    await dropModels(admin);
    try {
      const res = await fetch(`${base}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; reason: string };
      expect(body.status).toBe('unavailable');
      expect(body.reason).toMatch(/no similarity model has an active version/);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      await resetGraph(admin);
      await seedApiGraph(admin);
    }
  });
});

describe('lifecycle', () => {
  test('stop() lets in-flight requests finish, refuses new ones, then closes the driver', async () => {
    const s = await boot(testConfig());
    // Stop as the 20th request arrives: it, and any not yet answered, are in flight and must still succeed.
    let received = 0;
    let stopping: Promise<void> | undefined;
    s.httpServer.on('request', () => {
      if (++received === 20) stopping = s.stop();
    });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_x, i) =>
        fetch(`${s.url}/api/similarity/?user_handle=${i + 1}`).then((r) => r.status),
      ),
    );
    expect(stopping).toBeDefined();
    expect(statuses).toEqual(Array(20).fill(200));
    await stopping;
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
    await expect(s.repo.ping()).rejects.toThrow();
    // Idempotent.
    await expect(s.stop()).resolves.toBeUndefined();
  });
});

/** A GET with a body, as the older clients send it (fetch refuses bodies on GET). */
async function rawGet(pathname: string, body: string): Promise<{ status: number; text: string }> {
  const url = new URL(pathname, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'GET', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
