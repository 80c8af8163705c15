// Malformed and hostile requests against the server as configured by default (NODE_ENV unset) over a real Neo4j:
// never a 5xx, never internals in a body; client errors are 4xx saying what was expected.
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { createApp, type ApiServer } from '../../src/api/server';
import { loadConfig, type Config } from '../../src/config';
import { openApiGraph } from '../../src/graph/connect';
import type { Graph } from '../../src/graph/executor';
import { resetGraph, testGraph } from '../helpers/neo4j';
import { seedApiGraph } from './api-seed';

const LEAKS = ['stacktrace', 'node_modules', 'Neo.ClientError', 'Neo.TransientError', 'Neo.DatabaseError', '    at '];

/** The server's configuration with NODE_ENV unset and every limit at its default. */
function defaultConfig(extra: Record<string, string> = {}): Config {
  const uri = process.env.TEST_NEO4J_URI;
  const password = process.env.TEST_NEO4J_PASSWORD;
  if (uri === undefined || password === undefined) throw new Error('TEST_NEO4J_URI is not set: run through jest');
  return loadConfig({ NEO4J_URI: uri, NEO4J_PASSWORD: password, ...extra });
}

interface Answer {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

let admin: Graph;
let graph: Graph;
let server: ApiServer;
let port: number;
const warnings: string[] = [];

beforeAll(async () => {
  admin = testGraph();
  await resetGraph(admin);
  await seedApiGraph(admin);
  const config = defaultConfig();
  expect(config.env).toBe('production');
  graph = openApiGraph(config);
  // Uncached: every lookup meets Neo4j, so query counts show what a request costs.
  server = await createApp(config, graph, {
    cache: false,
    log: { info: () => undefined, warn: (m) => warnings.push(m) },
  });
  await server.start(0, '127.0.0.1');
  port = Number(new URL(server.url ?? '').port);
});

afterAll(async () => {
  await server?.stop();
  await admin?.close();
});

/** One request with exactly these headers and body bytes (fetch would add headers and refuse GET bodies). */
function send(
  method: string,
  path: string,
  body?: Buffer | string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...headers, ...(bytes !== undefined ? { 'content-length': String(bytes.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(bytes);
  });
}

const gql = (query: string, variables: Record<string, unknown> = {}) =>
  send('POST', '/graphql', JSON.stringify({ query, variables }));

interface Case {
  name: string;
  run: () => Promise<Answer>;
  /** Statuses this case must get, when it matters. */
  want?: number[];
}

const json = (v: unknown) => JSON.stringify(v);
const rest = (body: string | Buffer | undefined, headers?: Record<string, string>) => [
  {
    name: `POST /similar-users/ ${String(body).slice(0, 40)}`,
    run: () => send('POST', '/similar-users/', body, headers),
  },
  {
    name: `GET /api/similarity/ ${String(body).slice(0, 40)}`,
    run: () => send('GET', '/api/similarity/', body, headers),
  },
];

const handle = '1';
const userQuery = 'query($h: ID!) { user(handle: $h) { handle } }';
const limitQuery = 'query($h: ID!, $l: Int) { user(handle: $h) { similarUsers(limit: $l) { handle score } } }';

const corpus: Case[] = [
  // REST bodies, types and values
  ...[
    undefined,
    '',
    '{',
    'null',
    '[]',
    '"x"',
    '123',
    '{}',
    json({ user_handle: null }),
    Buffer.from([0xff, 0xfe, 0x00]),
    json({ user_handle: 'abc' }),
    json({ user_handle: -1 }),
    json({ user_handle: 1.5 }),
    '{"user_handle": 1e308}',
    '{"user_handle": 9223372036854775808}',
    json({ user_handle: [1] }),
    json({ user_handle: { $gt: 0 } }),
    json({ user_handle: true }),
    json({ user_handle: '1 OR 1=1' }),
    json({ user_handle: "x'}) MATCH (n) DETACH DELETE n //" }),
    json({ user_handle: '٣' }),
    json({ user_handle: '１２' }),
    json({ user_handle: '1'.repeat(5000) }),
    json({ user_handle: 1, model: "x' OR 1=1" }),
    json({ user_handle: 1, model: 'cosine\u0000' }),
    json({ user_handle: 1, limit: -5 }),
    json({ user_handle: 1, limit: 1e12 }),
    json({ user_handle: 1, limit: 'abc' }),
  ].flatMap((b) => rest(b)),
  ...[
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
    'application/xml',
  ].map((type) => ({
    name: `REST as ${type}`,
    run: () => send('POST', '/similar-users/', json({ user_handle: 1 }), { 'content-type': type }),
    want: [400, 415],
  })),
  // Bodies that do not decompress, unknown encodings, a bomb, too large a body
  ...['gzip', 'deflate', 'br', 'compress', 'identity, gzip'].flatMap((enc) => [
    {
      name: `REST garbage as ${enc}`,
      run: () =>
        send('POST', '/similar-users/', Buffer.from('\x1f\x8b\x08garbage-not-compressed', 'latin1'), {
          'content-type': 'application/json',
          'content-encoding': enc,
        }),
      want: [400, 415],
    },
    {
      name: `GraphQL garbage as ${enc}`,
      run: () =>
        send('POST', '/graphql', Buffer.from('\x00\x01garbage', 'latin1'), {
          'content-type': 'application/json',
          'content-encoding': enc,
        }),
      want: [400, 415],
    },
  ]),
  {
    name: 'gzip bomb',
    run: () =>
      send('POST', '/similar-users/', zlib.gzipSync(`{"user_handle": ${'1'.repeat(20 * 1024 * 1024)}}`), {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      }),
    want: [413],
  },
  {
    name: '3 MB body',
    run: () => send('POST', '/similar-users/', `{"user_handle": 1, "pad": "${'a'.repeat(3 * 1024 * 1024)}"}`),
    want: [413],
  },
  // Paths, methods, hosts
  ...[
    '/similar-users',
    '/similar-users/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/api/similarity/?user_handle=%00',
    '/api/similarity/?user_handle[]=1',
    '/graphql?query=%7B',
    '/nope',
    `/readyz?x=${'a'.repeat(4000)}`,
  ].map((p) => ({ name: `GET ${p.slice(0, 40)}`, run: () => send('GET', p, undefined, {}) })),
  ...['PUT', 'DELETE', 'PATCH', 'TRACE'].map((m) => ({
    name: `${m} /similar-users/`,
    run: () => send(m, '/similar-users/', json({ user_handle: 1 })),
  })),
  {
    name: 'foreign Host',
    run: () => send('GET', '/', undefined, { host: 'evil.example', 'x-forwarded-host': 'evil.example' }),
  },
  // GraphQL arguments out of range: 400, never 500
  ...[0, -1, 101, 1e9, 2 ** 31 - 1, 2 ** 31].map((l) => ({
    name: `similarUsers(limit: ${l})`,
    run: () => gql(limitQuery, { h: handle, l }),
    want: [400],
  })),
  ...[0, -1, 1e9].map((l) => ({
    name: `similarUsers(limit: ${l}) as a literal`,
    run: () => gql(`{ user(handle: "1") { similarUsers(limit: ${l}) { handle } } }`),
    want: [400],
  })),
  ...['abc', '-1', '1.5', '', ' ', '1'.repeat(400), "x'}) MATCH (n) DETACH DELETE n //"].map((h) => ({
    name: `user(handle: ${json(h.slice(0, 20))})`,
    run: () => gql(userQuery, { h }),
    want: [400],
  })),
  {
    name: 'reasons(limit: 51)',
    run: () => gql('{ user(handle: "1") { similarUsers { reasons(limit: 51) { item } } } }'),
    want: [400],
  },
  {
    name: 'reasons(limit: 0)',
    run: () => gql('{ user(handle: "1") { similarUsers { reasons(limit: 0) { item } } } }'),
    want: [400],
  },
  { name: 'users(first: 0)', run: () => gql('{ users(first: 0) { totalCount } }'), want: [400] },
  { name: 'users(first: 100000)', run: () => gql('{ users(first: 100000) { totalCount } }'), want: [400] },
  { name: 'bad cursor', run: () => gql('{ users(after: "!!not-a-cursor!!") { totalCount } }'), want: [400] },
  {
    name: 'introspection',
    run: () => gql('{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }'),
  },
  { name: 'deep nesting syntax', run: () => gql(`{ user(handle: ${'['.repeat(200)}) { handle } }`), want: [400] },
  {
    name: 'a misspelt field (no "Did you mean")',
    run: () => gql('{ user(handle: "1") { handel } }'),
    want: [400],
  },
  {
    name: '12 nested similarUsers',
    run: () =>
      gql(
        `{ user(handle: "1") { handle ${'similarUsers(limit: 10) { user { '.repeat(12)}handle${' } }'.repeat(12)} } }`,
      ),
    want: [400],
  },
  {
    name: 'too complex',
    run: () =>
      gql(
        '{ users(first: 100) { edges { node { similarUsers(limit: 100) { user { similarUsers(limit: 100) { handle } } } } } } }',
      ),
    want: [400],
  },
  {
    name: 'complexity bypass by fragment padding',
    run: () =>
      gql(
        `{ user(handle: "1") { similarUsers(limit: 100) { user { similarUsers(limit: 100) { user { similarUsers(limit: 100) { handle } } } } } ${'...F '.repeat(100)} } } ` +
          `fragment F on User { ${Array.from({ length: 100 }, (_x, i) => `h${i}: handle`).join(' ')} }`,
      ),
    want: [400],
  },
  {
    name: 'past the estimator node limit by fragments of fragments',
    run: () =>
      gql(
        `{ user(handle: "1") { ...A } } fragment A on User { ${'...B '.repeat(40)} } ` +
          `fragment B on User { ${'...C '.repeat(40)} } fragment C on User { handle interests { name } }`,
      ),
    want: [400],
  },
  {
    name: '2,000 aliases of models',
    run: () => gql(`{ ${Array.from({ length: 2000 }, (_x, i) => `a${i}: models { name }`).join(' ')} }`),
    want: [400],
  },
  {
    name: '300 aliases of similarUsers with reasons',
    run: () =>
      gql(
        `{ ${Array.from({ length: 300 }, (_x, i) => `a${i}: user(handle: "1") { similarUsers(limit: 100) { reasons(limit: 50) { item } } }`).join(' ')} }`,
      ),
    want: [400],
  },
  {
    name: '60 aliases of users',
    run: () =>
      gql(`{ ${Array.from({ length: 60 }, (_x, i) => `a${i}: users(first: ${i + 1}) { totalCount }`).join(' ')} }`),
    want: [400],
  },
  {
    name: 'batch of 100',
    run: () => send('POST', '/graphql', json(Array(100).fill({ query: '{ models { name } }' }))),
  },
  {
    name: 'subscription',
    run: () => send('POST', '/graphql', json({ query: 'subscription { models { name } }' })),
    want: [400],
  },
  { name: 'mutation', run: () => send('POST', '/graphql', json({ query: 'mutation { x }' })), want: [400] },
  { name: 'query not a string', run: () => send('POST', '/graphql', json({ query: 12 })), want: [400] },
  {
    name: 'variables not an object',
    run: () => send('POST', '/graphql', json({ query: '{ models { name } }', variables: 'x' })),
    want: [400],
  },
  {
    name: 'unknown persisted query',
    run: () =>
      send(
        'POST',
        '/graphql',
        json({
          query: '{ models { name } }',
          extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
        }),
      ),
  },
  { name: 'missing variable', run: () => gql(userQuery, {}), want: [400] },
  { name: 'variable of the wrong type', run: () => gql(limitQuery, { h: handle, l: 'ten' }), want: [400] },
  {
    name: 'unknown operation name',
    run: () => send('POST', '/graphql', json({ query: '{ models { name } }', operationName: 'X' })),
    want: [400],
  },
  { name: 'empty query', run: () => gql(''), want: [400] },
  {
    name: 'unknown model literal',
    run: () => gql('{ user(handle: "1") { similarUsers(model: PAGERANK) { handle } } }'),
    want: [400],
  },
  {
    name: 'GET without CSRF header',
    run: () => send('GET', `/graphql?query=${encodeURIComponent('{ models { name } }')}`, undefined, {}),
  },
  {
    name: 'text/plain CSRF',
    run: () => send('POST', '/graphql', 'query={ models { name } }', { 'content-type': 'text/plain' }),
    want: [400, 415],
  },
];

test('the corpus holds at least 80 requests', () => {
  expect(corpus.length).toBeGreaterThanOrEqual(80);
});

test('no hostile or malformed request gets a 5xx, a stack trace, a path or a Neo4j code', async () => {
  const problems: string[] = [];
  for (const c of corpus) {
    let a: Answer;
    try {
      a = await c.run();
    } catch (err) {
      problems.push(`${c.name}: no answer (${(err as Error).message})`);
      continue;
    }
    if (a.status >= 500) problems.push(`${c.name}: ${a.status} ${a.text.slice(0, 120)}`);
    if (c.want !== undefined && !c.want.includes(a.status))
      problems.push(`${c.name}: ${a.status}, want ${c.want.join(' or ')}`);
    const leak = LEAKS.find((l) => a.text.includes(l));
    if (leak !== undefined) problems.push(`${c.name}: body shows ${JSON.stringify(leak)}`);
    if (/Did you mean/.test(a.text)) problems.push(`${c.name}: body suggests schema names`);
  }
  expect(problems).toEqual([]);
  // Nothing a client sent was treated as the server's own failure.
  expect(warnings).toEqual([]);
});

test('client errors say what was expected and what arrived', async () => {
  const zero = await gql(limitQuery, { h: handle, l: 0 });
  expect(zero.status).toBe(400);
  expect(zero.text).toContain('limit: expected an integer 1..100, got 0');
  const big = await gql(limitQuery, { h: handle, l: 1e9 });
  expect(big.status).toBe(400);
  expect(big.text).toContain('limit: expected an integer 1..100, got 1000000000');
  const gz = await send('POST', '/similar-users/', 'not gzip', {
    'content-type': 'application/json',
    'content-encoding': 'gzip',
  });
  expect(gz.status).toBe(400);
  expect(JSON.parse(gz.text)).toEqual({
    error: {
      code: 'BAD_USER_INPUT',
      message: 'expected a body compressed with "gzip", got bytes that do not decompress',
    },
  });
  const complex = await gql(
    '{ users(first: 100) { edges { node { similarUsers(limit: 100) { user { similarUsers(limit: 100) { handle } } } } } } }',
  );
  expect(complex.status).toBe(400);
  expect(complex.text).toMatch(/expected a complexity of at most 20000, got \d+/);
  const aliases = await gql(`{ ${Array.from({ length: 51 }, (_x, i) => `a${i}: models { name }`).join(' ')} }`);
  expect(aliases.status).toBe(400);
  expect(aliases.text).toContain('Too many aliases: expected at most 50 aliased fields, got more than 50');
});

test('production masking: no stack traces, no schema hints', async () => {
  const res = await gql('{ user(handle: "1") { handel } }');
  expect(res.status).toBe(400);
  expect(res.text).not.toContain('Did you mean');
  expect(res.text).not.toContain('stacktrace');
  const bad = await gql(userQuery, { h: 'x' });
  expect(bad.text).not.toContain('stacktrace');
});

test('aliases of models, users and user cost one Neo4j query per root field (users: per distinct cursor)', async () => {
  let before = graph.queryCount;
  const models = await gql(`{ ${Array.from({ length: 40 }, (_x, i) => `a${i}: models { name version }`).join(' ')} }`);
  expect(models.status).toBe(200);
  expect(graph.queryCount - before).toBe(1);
  before = graph.queryCount;
  const users = await gql(
    `{ ${Array.from({ length: 40 }, (_x, i) => `a${i}: users(first: ${(i % 8) + 1}) { totalCount edges { node { handle } } }`).join(' ')} }`,
  );
  expect(users.status).toBe(200);
  const pages = (JSON.parse(users.text) as { data: Record<string, { edges: unknown[] }> }).data;
  expect(Object.values(pages).map((p) => p.edges.length)).toEqual(Array.from({ length: 40 }, (_x, i) => (i % 8) + 1));
  // One page and one count.
  expect(graph.queryCount - before).toBe(2);
  before = graph.queryCount;
  const limits = await gql(
    `{ ${Array.from({ length: 20 }, (_x, i) => `a${i}: user(handle: "${i + 1}") { similarUsers(limit: ${i + 1}) { handle } }`).join(' ')} }`,
  );
  expect(limits.status).toBe(200);
  // One neighbours query at the largest limit, each alias cut to its own, and the default model (no model named),
  // read once per request.
  expect(graph.queryCount - before).toBe(2);
  const data = (JSON.parse(limits.text) as { data: Record<string, { similarUsers: unknown[] }> }).data;
  expect(Object.values(data).map((u) => u.similarUsers.length)).toEqual(
    Array.from({ length: 20 }, (_x, i) => Math.min(i + 1, 10)),
  );
});

test('a client that aborts mid-body leaves the server well and no internal error behind', async () => {
  await new Promise<void>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        'POST /similar-users/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user_',
      );
      setTimeout(() => socket.destroy(), 50);
    });
    socket.on('close', () => resolve());
    socket.on('error', () => undefined);
  });
  expect((await send('GET', '/healthz', undefined, {})).status).toBe(200);
  expect(warnings).toEqual([]);
});

test('slow clients: headers or a body that do not arrive in time get 408', async () => {
  const s = await createApp(
    defaultConfig({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_BODY_TIMEOUT_MS: '1000' }),
    openApiGraph(defaultConfig()),
    {
      cache: false,
      log: { info: () => undefined, warn: () => undefined },
    },
  );
  await s.start(0, '127.0.0.1');
  const slowPort = Number(new URL(s.url ?? '').port);
  const answerOf = (first: string) =>
    new Promise<string>((resolve) => {
      let text = '';
      const socket = net.connect(slowPort, '127.0.0.1', () => socket.write(first));
      socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
  try {
    const [headers, body] = await Promise.all([
      answerOf('POST /similar-users/ HTTP/1.1\r\nHost: x\r\nContent-Type: applic'),
      answerOf(
        'POST /similar-users/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"u',
      ),
    ]);
    expect(headers).toMatch(/^HTTP\/1\.1 408/);
    expect(body).toMatch(/^HTTP\/1\.1 408/);
  } finally {
    await s.stop();
  }
});
