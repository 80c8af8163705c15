// /openapi.json against the routes it describes, over a real Neo4j: every case's status must be documented for its
// route and its body must match the documented schema (checked by ajv, JSON Schema 2020-12); every documented status
// of every route is answered by at least one case.
import http from 'node:http';
import net from 'node:net';
import Ajv2020 from 'ajv/dist/2020';
import { createApp, type ApiServer } from '../../src/api/server';
import { OPENAPI_DOCUMENT } from '../../src/api/rest/openapi';
import { openApiGraph } from '../../src/graph/connect';
import type { Graph } from '../../src/graph/executor';
import { quietLog, startApi } from '../helpers/api';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';
import { seedApiGraph } from './api-seed';

type Method = 'get' | 'post';
interface Answer {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  text: string;
}

let admin: Graph;
let server: ApiServer;
/** Closed Neo4j behind it: the 503 answers. */
let down: ApiServer;
/** Impatient with slow clients: the 408 answer. */
let strict: ApiServer;
const ajv = new Ajv2020({ strict: false, allErrors: true });
const covered = new Set<string>();

const boot = startApi;

/** One request through node:http, which (unlike fetch) also sends a body with GET, as older clients do. */
function send(
  s: ApiServer,
  method: Method,
  path: string,
  body?: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${s.url}${path}`,
      {
        method: method.toUpperCase(),
        // Node sends a GET body unframed unless told its length.
        headers: body !== undefined ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const header = (name: string) => {
            const v = res.headers[name];
            return typeof v === 'string' ? v : null;
          };
          resolve({
            status: res.statusCode ?? 0,
            contentType: header('content-type'),
            retryAfter: header('retry-after'),
            text,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The request stalls after part of its headers; the server's headers deadline answers it. */
function stalled(s: ApiServer, method: Method, path: string): Promise<Answer> {
  const url = new URL(s.url!);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(
        `${method.toUpperCase()} ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n`,
      );
    });
    let raw = '';
    socket.on('data', (chunk) => (raw += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
      const [head = '', text = ''] = raw.split('\r\n\r\n');
      const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1]?.trim() ?? null;
      resolve({ status, contentType: header('content-type'), retryAfter: header('retry-after'), text });
    });
  });
}

/** Resolves a local $ref of the document (#/components/...). */
function deref<T>(node: unknown): T {
  let n = node as { $ref?: string };
  while (typeof n === 'object' && n !== null && typeof n.$ref === 'string') {
    n = n.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], OPENAPI_DOCUMENT) as { $ref?: string };
  }
  return n as T;
}

interface ResponseObject {
  content?: Record<string, { schema: unknown }>;
  headers?: Record<string, unknown>;
}

/** Checks one answer against the document: status documented for the route, body valid against its schema. */
function conforms(path: string, method: Method, answer: Answer): void {
  const paths = OPENAPI_DOCUMENT.paths as unknown as Record<
    string,
    Record<string, { responses: Record<string, unknown> }>
  >;
  const responses = paths[path]?.[method]?.responses;
  expect(responses).toBeDefined();
  const documented = Object.keys(responses!);
  expect({ path, method, status: answer.status, documented: documented.includes(String(answer.status)) }).toEqual({
    path,
    method,
    status: answer.status,
    documented: true,
  });
  covered.add(`${method} ${path} ${answer.status}`);
  const response = deref<ResponseObject>(responses![String(answer.status)]);
  if (response.headers?.['Retry-After'] !== undefined) expect(answer.retryAfter).toMatch(/^\d+$/);
  const media = response.content?.['application/json'];
  if (media === undefined) {
    expect(answer.text).toBe('');
    return;
  }
  expect(answer.contentType).toMatch(/^application\/json/);
  // The schema is referenced inside the document, so its own $refs resolve there.
  const pointer = `openapi.json#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/responses/${answer.status}`;
  const schemaRef =
    (responses![String(answer.status)] as { $ref?: string }).$ref !== undefined
      ? `openapi.json${(responses![String(answer.status)] as { $ref: string }).$ref}/content/application~1json/schema`
      : `${pointer}/content/application~1json/schema`;
  const validate = ajv.getSchema(schemaRef) ?? ajv.compile({ $ref: schemaRef });
  const body: unknown = JSON.parse(answer.text);
  const valid = validate(body);
  expect({ path, method, status: answer.status, body, errors: validate.errors ?? [] }).toEqual({
    path,
    method,
    status: answer.status,
    body,
    errors: [],
  });
  expect(valid).toBe(true);
}

beforeAll(async () => {
  admin = testGraph();
  await resetGraph(admin);
  await seedApiGraph(admin);
  ajv.addSchema(OPENAPI_DOCUMENT, 'openapi.json');
  server = await boot(testConfig());
  // A server whose driver is closed under it: every Neo4j call fails as unavailable.
  const config = testConfig();
  const closed = openApiGraph(config);
  down = await createApp(config, closed, { log: quietLog, cache: false, closeGraph: false });
  await down.start(0, '127.0.0.1');
  await closed.close();
  strict = await boot(testConfig({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_BODY_TIMEOUT_MS: '1000' }));
});

afterAll(async () => {
  await server?.stop();
  await down?.stop();
  await strict?.stop();
  await admin.close();
});

test('/openapi.json serves the OpenAPI 3.1 document of the REST routes', async () => {
  const res = await fetch(`${server.url}/openapi.json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
  expect(doc).toEqual(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths).sort()).toEqual(['/api/similarity/', '/healthz', '/readyz', '/similar-users/']);
});

test('the checker refuses bodies off the schema (so a passing check means something)', () => {
  const similarUsers = ajv.compile({ $ref: 'openapi.json#/components/schemas/SimilarUsers' });
  expect(similarUsers({ request_data: 1, data: { model_handle: 'als', similar_users: [2, 3] } })).toBe(true);
  expect(similarUsers({ request_data: 1, data: { model_handle: 'als', similar_users: ['2'] } })).toBe(false);
  expect(similarUsers({ request_data: 1, data: { model_handle: 'nope', similar_users: [] } })).toBe(false);
  const error = ajv.compile({ $ref: 'openapi.json#/components/schemas/Error' });
  expect(error({ error: { code: 'NOT_FOUND', message: 'x', user_handle: 5 } })).toBe(true);
  expect(error({ error: { code: 'NOPE', message: 'x' } })).toBe(false);
  expect(error({ message: 'x' })).toBe(false);
});

describe('every answer is documented, and matches its schema', () => {
  const lookups: [string, Method, (b: string) => [string, string | undefined]][] = [
    ['/similar-users/', 'post', (b) => ['/similar-users/', b]],
    ['/api/similarity/', 'post', (b) => ['/api/similarity/', b]],
    [
      '/api/similarity/',
      'get',
      (b) => [`/api/similarity/?${new URLSearchParams(JSON.parse(b) as Record<string, string>).toString()}`, undefined],
    ],
  ];

  test.each(lookups)('%s %s: 200, 400, 404', async (path, method, request) => {
    const cases: [string, number][] = [
      ['{"user_handle": 1}', 200],
      ['{"user_handle": "2", "model": "interests", "limit": "3"}', 200],
      ['{"user_handle": "3", "model": "cosine", "limit": 100}', 200],
      ['{"user_handle": "abc"}', 400],
      ['{"user_handle": 1, "model": "nope"}', 400],
      ['{"user_handle": 1, "limit": 0}', 400],
      ['{"user_handle": 987654}', 404],
    ];
    for (const [body, status] of cases) {
      const [url, sent] = request(body);
      const answer = await send(server, method, url, sent);
      expect({ body, status: answer.status }).toEqual({ body, status });
      conforms(path, method, answer);
    }
  });

  test.each(lookups)(
    '%s %s: malformed JSON, missing handle, other content types, charsets, encodings and sizes',
    async (path, method) => {
      const cases: [string | undefined, Record<string, string>, number][] = [
        ['{"user_handle": ', { 'content-type': 'application/json' }, 400],
        ['{}', { 'content-type': 'application/json' }, 400],
        ['user_handle=1', { 'content-type': 'application/x-www-form-urlencoded' }, 400],
        ['{"user_handle": 1}', { 'content-type': 'application/json; charset=latin1' }, 415],
        ['{"user_handle": 1}', { 'content-type': 'application/json', 'content-encoding': 'compress' }, 415],
        [JSON.stringify({ user_handle: 1, pad: 'x'.repeat(200_000) }), { 'content-type': 'application/json' }, 413],
      ];
      for (const [body, headers, status] of cases) {
        const answer = await send(server, method, path, body, headers);
        expect({ headers, status: answer.status }).toEqual({ headers, status });
        conforms(path, method, answer);
      }
    },
  );

  test.each(lookups)('%s %s: 503 with Retry-After while Neo4j is unavailable', async (path, method, request) => {
    const [url, sent] = request('{"user_handle": 1}');
    const answer = await send(down, method, url, sent);
    expect(answer.status).toBe(503);
    conforms(path, method, answer);
  });

  test.each(lookups)('%s %s: 408 for a client that does not finish its headers', async (path, method) => {
    const answer = await stalled(strict, method, path);
    expect(answer.status).toBe(408);
    conforms(path, method, answer);
  });

  test('/healthz and /readyz, up and down', async () => {
    conforms('/healthz', 'get', await send(server, 'get', '/healthz'));
    const ready = await send(server, 'get', '/readyz');
    expect(ready.status).toBe(200);
    // The sample graph's live indexes are built within the 20 s startup waits for them.
    expect((JSON.parse(ready.text) as { live: string }).live).toBe('ready');
    conforms('/readyz', 'get', ready);
    const notReady = await send(down, 'get', '/readyz');
    expect(notReady.status).toBe(503);
    conforms('/readyz', 'get', notReady);
  });
});

test('every documented status of every route was answered by some case above', () => {
  const documented = Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, { responses: Record<string, unknown> }>).flatMap(([method, op]) =>
      Object.keys(op.responses).map((status) => `${method} ${path} ${status}`),
    ),
  );
  expect(documented.filter((d) => !covered.has(d))).toEqual([]);
});
