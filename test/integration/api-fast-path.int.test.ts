// The GraphQL fast path answers byte for byte as Apollo does: the same requests sent to a server with it and to
// one without it (over the same graph) get the same status, headers, body text, metrics and request-log fields;
// repeated queries are answered by the fast path, their errors by Apollo with the fast path's result.
import { print } from 'graphql';
import type { ApiServer } from '../../src/api/server';
import type { Graph } from '../../src/graph/executor';
import {
  ModelsDocument,
  NeighbourhoodDocument,
  UserProfileDocument,
  UsersWithNeighboursDocument,
} from '../../src/generated/client/graphql';
import { startApi } from '../helpers/api';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';
import { seedApiGraph } from './api-seed';

const TOKEN = 'admin-token-for-the-fast-path-test';

let admin: Graph;
let fast: ApiServer;
let normal: ApiServer;
/** A production server (introspection off, errors masked), with and without the fast path. */
let fastProd: ApiServer;
let normalProd: ApiServer;

// Without the fast path through the configuration, as operators turn it off: GRAPHQL_FAST_PATH, or APOLLO_KEY (Apollo's
// usage reporting sees only what Apollo's pipeline runs); the key is only read here, Apollo itself never sees it.
const boot = (extra: Record<string, string>): Promise<ApiServer> => startApi(testConfig(extra));

beforeAll(async () => {
  admin = testGraph();
  await resetGraph(admin);
  await seedApiGraph(admin);
  [fast, normal, fastProd, normalProd] = await Promise.all([
    boot({ ADMIN_TOKEN: TOKEN }),
    boot({ ADMIN_TOKEN: TOKEN, GRAPHQL_FAST_PATH: 'false' }),
    boot({ NODE_ENV: 'production' }),
    boot({ NODE_ENV: 'production', APOLLO_KEY: 'service:example:not-a-key' }),
  ]);
  expect([fast, normal, fastProd, normalProd].map((s) => s.graphqlFastPath !== undefined)).toEqual([
    true,
    false,
    true,
    false,
  ]);
});

afterAll(async () => {
  await Promise.all([fast, normal, fastProd, normalProd].map((s) => s?.stop()));
  await admin.close();
});

/** Headers Apollo or express set that a client can see (the date aside). */
const HEADERS = ['content-type', 'content-length', 'etag', 'retry-after', 'www-authenticate', 'x-request-id'];

async function send(server: ApiServer, body: string, headers: Record<string, string>) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'fast-path-test', ...headers },
    body,
  });
  return {
    status: res.status,
    headers: Object.fromEntries(HEADERS.map((h) => [h, res.headers.get(h)])),
    text: await res.text(),
  };
}

/** Who answers a request the third time it is sent to the fast server. */
type Via = 'fast' | 'handed over' | 'apollo';

interface Case {
  name: string;
  body: Record<string, unknown>;
  via: Via;
  headers?: Record<string, string>;
  production?: boolean;
}

const q = (query: string, variables: Record<string, unknown> = {}) => ({ query, variables });

const cases: Case[] = [
  {
    name: 'similar users',
    body: q(
      'query($h: ID!, $l: Int) { user(handle: $h) { handle similarUsers(limit: $l) { handle score rank model live } } }',
      { h: '2', l: 3 },
    ),
    via: 'fast',
  },
  {
    name: 'the bench query, with cached neighbours',
    body: q(
      'query($h: ID!, $m: SimilarityModel) { user(handle: $h) { similarUsers(model: $m, limit: 10) { handle score } } }',
      { h: '7', m: 'COSINE' },
    ),
    via: 'fast',
  },
  {
    name: 'an unknown user is null',
    body: q('query($h: ID!) { user(handle: $h) { handle similarUsers { handle } } }', { h: '99' }),
    via: 'fast',
  },
  {
    name: 'a non-numeric handle is a resolver error',
    body: q(print(UserProfileDocument), { handle: 'abc' }),
    via: 'handed over',
  },
  {
    name: 'a limit out of range is refused by the limits',
    body: q('query($h: ID!, $l: Int) { user(handle: $h) { similarUsers(limit: $l) { handle } } }', { h: '1', l: 500 }),
    via: 'apollo',
  },
  {
    name: 'a variable of the wrong type',
    body: q('query($h: ID!, $l: Int) { user(handle: $h) { handle similarUsers(limit: $l) { handle } } }', {
      h: '1',
      l: 'ten',
    }),
    via: 'apollo',
  },
  { name: 'a missing variable', body: q('query($h: ID!) { user(handle: $h) { handle } }'), via: 'apollo' },
  {
    name: 'an enum variable',
    body: q('query($h: ID!, $m: SimilarityModel) { user(handle: $h) { similarUsers(model: $m) { handle model } } }', {
      h: '1',
      m: 'INTERESTS',
    }),
    via: 'fast',
  },
  {
    name: 'a bad enum variable',
    body: q('query($h: ID!, $m: SimilarityModel) { user(handle: $h) { similarUsers(model: $m) { handle } } }', {
      h: '1',
      m: 'cosine',
    }),
    via: 'apollo',
  },
  { name: 'profile', body: q(print(UserProfileDocument), { handle: '3' }), via: 'fast' },
  { name: 'neighbourhood', body: q(print(NeighbourhoodDocument), { handle: '1', limit: 2 }), via: 'fast' },
  {
    name: 'users with neighbours',
    body: q(print(UsersWithNeighboursDocument), { first: 3, limit: 2 }),
    via: 'fast',
  },
  { name: 'models (JSON scalars)', body: q(print(ModelsDocument)), via: 'fast' },
  {
    name: 'introspection',
    body: q('{ __typename __schema { queryType { name } } __type(name: "User") { fields { name } } }'),
    via: 'fast',
  },
  {
    name: 'introspection refused in production',
    body: q('{ __schema { queryType { name } } }'),
    via: 'apollo',
    production: true,
  },
  {
    name: 'a resolver error masked in production',
    body: q(print(UserProfileDocument), { handle: 'abc' }),
    via: 'handed over',
    production: true,
  },
  {
    name: 'aliases, fragments and @include',
    body: q(
      'query($h: ID!, $yes: Boolean!) { a: user(handle: $h) { ...F } b: user(handle: "5") { handle @include(if: $yes) } } fragment F on User { handle n: similarUsers(limit: 2) { handle } }',
      { h: '4', yes: false },
    ),
    via: 'fast',
  },
  {
    name: 'an operation picked by name',
    body: {
      query: 'query A { models { name } } query B($h: ID!) { user(handle: $h) { handle } }',
      operationName: 'B',
      variables: { h: '9' },
    },
    via: 'fast',
  },
  {
    name: 'no variables at all',
    body: { query: '{ user(handle: "12") { handle similarUsers(limit: 2) { handle } } }' },
    via: 'fast',
  },
  {
    name: 'variables: null',
    body: { query: '{ user(handle: "13") { handle } }', variables: null },
    via: 'fast',
  },
  {
    name: 'a mutation without the token (never fast)',
    body: q('mutation($h: ID!) { forgetUser(handle: $h) { handle } }', { h: '60' }),
    via: 'apollo',
  },
  {
    name: 'another Accept goes to Apollo',
    body: q('query($h: ID!) { user(handle: $h) { handle } }', { h: '14' }),
    headers: { accept: 'application/graphql-response+json, application/json' },
    via: 'apollo',
  },
  {
    name: 'an unknown body field goes to Apollo',
    body: { ...q('query($h: ID!) { user(handle: $h) { handle } }', { h: '15' }), extensions: {} },
    via: 'apollo',
  },
];

test.each(cases)('$name: the same answer with and without the fast path ($via)', async (c) => {
  const [withFast, without] = c.production === true ? [fastProd, normalProd] : [fast, normal];
  const counts = withFast.graphqlFastPath!;
  const body = JSON.stringify(c.body);
  const headers = c.headers ?? {};
  const expected = await send(without, body, headers);
  // The first time Apollo answers (and records the query); the second and third go the way `via` says.
  await send(withFast, body, headers);
  const before = { ...counts };
  for (let run = 2; run <= 3; run++) {
    expect({ run, ...(await send(withFast, body, headers)) }).toEqual({ run, ...expected });
  }
  const fastAnswered = counts.answered - before.answered;
  const handedOver = counts.handedOver - before.handedOver;
  expect({ fastAnswered, handedOver }).toEqual({
    fastAnswered: c.via === 'fast' ? 2 : 0,
    handedOver: c.via === 'handed over' ? 2 : 0,
  });
});

test('metrics count the same requests, operations and errors with and without the fast path', async () => {
  const lines = async (server: ApiServer) =>
    (await (await fetch(`${server.url}/metrics`)).text())
      .split('\n')
      .filter(
        (l) => l.startsWith('api_errors_total') || (l.startsWith('http_requests_total') && l.includes('/graphql')),
      );
  const [withFast, without] = await Promise.all([lines(fast), lines(normal)]);
  // The fast server got each request three times, the other once.
  const times = (l: string, k: number) => l.replace(/ (\d+)$/, (_m, n: string) => ` ${Number(n) * k}`);
  expect(withFast.length).toBeGreaterThan(0);
  expect(withFast).toEqual(without.map((l) => times(l, 3)));
});
