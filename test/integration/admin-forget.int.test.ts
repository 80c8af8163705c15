// The operators' forgetUser mutation over a real Neo4j: absent without ADMIN_TOKEN, refused without the token (401)
// or with another (403), and with it the user leaves every answer of the server that ran it (REST and GraphQL,
// cached and live) by the time the mutation has answered.
import { createApp, type ApiServer } from '../../src/api/server';
import { connectApiGraph } from '../../src/graph/api-connect';
import type { Graph } from '../../src/graph/executor';
import { testConfig, testGraph } from '../helpers/neo4j';
import { addNewcomer, seedSmallGraph } from '../helpers/seed';

const TOKEN = 'admin-token-for-the-forget-test';
const MODELS = ['COSINE', 'INTERESTS', 'COURSE_VIEWS', 'ALS'] as const;

let admin: Graph;
let withToken: ApiServer;
let withoutToken: ApiServer;
let url: string;
let plainUrl: string;
const quiet = { info: () => undefined, warn: () => undefined };

interface GqlResponse<T> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

async function gql<T>(base: string, query: string, authorization?: string): Promise<GqlResponse<T>> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization !== undefined ? { authorization } : {}),
    },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GqlResponse<T>['body'] };
}

type Sims = { user: { similarUsers: Array<{ handle: string; live: boolean }> } | null };
const similar = async (base: string, h: number, model: string) => {
  const r = await gql<Sims>(
    base,
    `{ user(handle: "${h}") { similarUsers(model: ${model}, limit: 100) { handle live } } }`,
  );
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.user?.similarUsers ?? [];
};

/** Every answer naming neighbours of `h`: GraphQL per model, and both REST routes per model. */
async function everyAnswer(base: string, h: number): Promise<string[]> {
  const named: string[] = [];
  for (const model of MODELS) {
    named.push(...(await similar(base, h, model)).map((s) => s.handle));
    const m = model.toLowerCase();
    const post = await fetch(`${base}/similar-users/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_handle: h, model: m, limit: 100 }),
    });
    expect(post.status).toBe(200);
    const posted = (await post.json()) as { data: { similar_users: number[] } };
    named.push(...posted.data.similar_users.map(String));
    const get = await fetch(`${base}/api/similarity/?user_handle=${h}&model=${m}&limit=100`);
    expect(get.status).toBe(200);
    named.push(...((await get.json()) as Array<{ similar: string }>).map((s) => s.similar));
  }
  return named;
}

const FORGET = (h: number) => `mutation { forgetUser(handle: "${h}") { handle found edges lists } }`;
type Forgot = { forgetUser: { handle: string; found: boolean; edges: number; lists: number } };

beforeAll(async () => {
  admin = testGraph();
  await seedSmallGraph(admin);
  await addNewcomer(admin);
  const on = testConfig({ ADMIN_TOKEN: TOKEN });
  const off = testConfig();
  // The cache on, as served by default: the mutation must reach cached lists too.
  // Patient deadlines (testConfig's): a cold query on a busy two-core machine can take seconds.
  const connect = (c: typeof on) =>
    connectApiGraph(c.neo4j, c.neo4j.password ?? '', { queryTimeoutMs: c.limits.queryTimeoutMs });
  withToken = await createApp(on, connect(on), { log: quiet });
  url = await withToken.start(0, '127.0.0.1');
  withoutToken = await createApp(off, connect(off), { log: quiet });
  plainUrl = await withoutToken.start(0, '127.0.0.1');
});

afterAll(async () => {
  await withToken.stop();
  await withoutToken.stop();
  await admin.close();
});

test('without ADMIN_TOKEN the schema has no mutation, and a forgetUser mutation is refused as bad input', async () => {
  const schema = await gql<{ __schema: { mutationType: unknown } }>(plainUrl, '{ __schema { mutationType { name } } }');
  expect(schema.body.data?.__schema.mutationType).toBeNull();
  const r = await gql(plainUrl, FORGET(12), `Bearer ${TOKEN}`);
  expect(r.status).toBe(400);
  expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(await admin.read('MATCH (u:User {handle: 12}) RETURN u.handle AS h')).toEqual([{ h: 12 }]);
});

test('with ADMIN_TOKEN: 401 without a bearer token, 403 with another, and nothing is forgotten', async () => {
  const none = await gql(url, FORGET(12));
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
  expect(none.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(none.body.data ?? null).toBeNull();
  const basic = await gql(url, FORGET(12), `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`);
  expect(basic.status).toBe(401);
  const wrong = await gql(url, FORGET(12), `Bearer ${TOKEN}-not`);
  expect(wrong.status).toBe(403);
  expect(wrong.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(wrong.body.errors?.[0]?.message).toBe('expected the ADMIN_TOKEN bearer token, got another');
  // A bad handle is not even looked at without the token.
  expect((await gql(url, FORGET(-1))).status).toBe(401);
  expect(await admin.read('MATCH (u:User {handle: 12}) RETURN u.handle AS h')).toEqual([{ h: 12 }]);
  expect(await admin.read('MATCH (f:Forgotten) RETURN f')).toEqual([]);
});

test('with the token: a bad handle is bad input', async () => {
  const r = await gql(url, FORGET(-1), `Bearer ${TOKEN}`);
  expect(r.status).toBe(400);
  expect(r.body.errors?.[0]?.message).toMatch(/expected a non-negative integer user handle.*got "-1"/);
});

test('with the token: the user leaves every answer, REST and GraphQL, cached and live, as the mutation answers', async () => {
  const holders = (
    await admin.read<{ h: number }>(
      'MATCH (a:User)-[:SIMILAR_TO]->(:User {handle: 12}) RETURN DISTINCT a.handle AS h ORDER BY h LIMIT 6',
    )
  ).map((x) => x.h);
  expect(holders.length).toBeGreaterThan(0);
  // Warm the cache with lists that name user 12: stored lists of its holders, the newcomer's live lists.
  let before: string[] = [];
  for (const h of [...holders, 9001]) before = before.concat(await everyAnswer(url, h));
  expect(before).toContain('12');
  const live = await similar(url, 9001, 'COSINE');
  expect(live.every((s) => s.live)).toBe(true);
  expect(live.map((s) => s.handle)).toContain('12');

  const r = await gql<Forgot>(url, FORGET(12), `Bearer ${TOKEN}`);
  expect(r.status).toBe(200);
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data!.forgetUser).toMatchObject({ handle: '12', found: true });
  expect(r.body.data!.forgetUser.edges).toBeGreaterThan(0);
  expect(r.body.data!.forgetUser.lists).toBeGreaterThanOrEqual(holders.length);

  // No wait: the server that ran the mutation dropped its cached lists before answering it.
  for (const h of [...holders, 9001]) expect(await everyAnswer(url, h)).not.toContain('12');
  expect((await gql<{ user: unknown }>(url, '{ user(handle: "12") { handle } }')).body.data).toEqual({ user: null });
  const rest = await fetch(`${url}/similar-users/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_handle: 12 }),
  });
  expect(rest.status).toBe(404);
  // The same records as `npm run forget`: the handle is kept, the edges are gone (lists are numbered when read).
  expect(await admin.read('MATCH (f:Forgotten {handle: 12}) RETURN f.handle AS h')).toEqual([{ h: 12 }]);
  expect(await admin.read('MATCH (:User)-[s:SIMILAR_TO]-(:User {handle: 12}) RETURN s')).toEqual([]);
});

test('forgetting a handle that is not in the graph records it, and says it was not found', async () => {
  const r = await gql<Forgot>(url, FORGET(777777), `Bearer ${TOKEN}`);
  expect(r.status).toBe(200);
  expect(r.body.data!.forgetUser).toEqual({ handle: '777777', found: false, edges: 0, lists: 0 });
  expect(await admin.read('MATCH (f:Forgotten {handle: 777777}) RETURN f.handle AS h')).toEqual([{ h: 777777 }]);
});
