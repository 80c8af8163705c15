// Request ids and the one structured line per request, over the real server and Neo4j.
import { PassThrough } from 'node:stream';
import { createApp, type ApiServer } from '../../src/api/server';
import { openApiGraph } from '../../src/graph/connect';
import type { Graph } from '../../src/graph/executor';
import { structuredLog } from '../../src/log';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';
import { seedApiGraph } from './api-seed';

interface Line {
  level: number;
  msg: string;
  reqId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  operation?: string;
}

let admin: Graph;
let server: ApiServer;
const lines: Line[] = [];

beforeAll(async () => {
  admin = testGraph();
  await resetGraph(admin);
  await seedApiGraph(admin);
  const stream = new PassThrough();
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) if (p !== '') lines.push(JSON.parse(p) as Line);
  });
  const config = testConfig();
  server = await createApp(config, openApiGraph(config), {
    log: { info: () => undefined, warn: () => undefined },
    requestLog: structuredLog({ pretty: false, stream }),
  });
  await server.start(0, '127.0.0.1');
});

afterAll(async () => {
  await server.stop();
  await admin.close();
});

/** The line of the request with this id: written on the answer's 'finish', which the client may see first. */
async function lineOf(id: string): Promise<Line | undefined> {
  for (let i = 0; i < 500 && !lines.some((l) => l.reqId === id); i++) await new Promise((r) => setTimeout(r, 10));
  return lines.find((l) => l.reqId === id);
}

test('a sane X-Request-Id is kept, returned and logged with status and duration', async () => {
  const res = await fetch(`${server.url}/similar-users/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'client-id-42' },
    body: JSON.stringify({ user_handle: 1 }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('x-request-id')).toBe('client-id-42');
  await res.text();
  expect(await lineOf('client-id-42')).toMatchObject({
    msg: 'request',
    method: 'POST',
    path: '/similar-users/',
    status: 200,
    level: 30,
  });
  expect((await lineOf('client-id-42'))?.durationMs).toBeGreaterThanOrEqual(0);
});

test('an id that does not look sane is replaced by a new one; none given, one is made', async () => {
  for (const given of ['has spaces in it', 'x'.repeat(300), '<script>', undefined]) {
    const res = await fetch(`${server.url}/api/similarity/?user_handle=987654`, {
      headers: given === undefined ? {} : { 'x-request-id': given },
    });
    expect(res.status).toBe(404);
    await res.text();
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await lineOf(id!)).toMatchObject({ method: 'GET', path: '/api/similarity/', status: 404 });
  }
});

test('GraphQL requests are logged with their operation name; ids differ per request', async () => {
  const ids = new Set<string>();
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query Models { models { name } }' }),
    });
    expect(res.status).toBe(200);
    await res.text();
    ids.add(res.headers.get('x-request-id')!);
  }
  expect(ids.size).toBe(2);
  for (const id of ids) expect(await lineOf(id)).toMatchObject({ path: '/graphql', status: 200, operation: 'Models' });
});
