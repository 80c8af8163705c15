// /metrics over a real Neo4j: what requests, errors, Neo4j queries, the cache and the models put into the Prometheus
// text, and who may read it in production.
import type { ApiServer } from '../../src/api/server';
import type { Config } from '../../src/config';
import type { Graph, QueryObservation } from '../../src/graph/executor';
import { startApi } from '../helpers/api';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';
import { seedApiGraph } from './api-seed';

let admin: Graph;

const boot = (config: Config): Promise<ApiServer> => startApi(config);

/** The value of one sample line, e.g. sample(text, 'http_requests_total{...}'); undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

beforeAll(async () => {
  admin = testGraph();
  await resetGraph(admin);
  await seedApiGraph(admin);
});

afterAll(async () => {
  await admin.close();
});

test('requests, GraphQL operations, errors, Neo4j queries, the cache, the models and the process are measured', async () => {
  const s = await boot(testConfig());
  try {
    const json = { 'content-type': 'application/json' };
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${s.url}/similar-users/`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ user_handle: 1 }),
      });
      expect(res.status).toBe(200);
    }
    expect((await fetch(`${s.url}/api/similarity/?user_handle=abc`)).status).toBe(400);
    expect((await fetch(`${s.url}/api/similarity/?user_handle=987654`)).status).toBe(404);
    const gql = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        query: 'query SimilarUsers { user(handle: "1") { handle similarUsers(limit: 3) { handle } } }',
      }),
    });
    expect(gql.status).toBe(200);
    const bad = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ query: 'query Broken { user(handle: "x") { handle } }' }),
    });
    expect(bad.status).toBe(400);

    const res = await fetch(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'http_requests_total{method="POST",route="/similar-users",operation="",status="200"}')).toBe(2);
    expect(sample(text, 'http_requests_total{method="GET",route="/api/similarity",operation="",status="400"}')).toBe(1);
    expect(
      sample(text, 'http_requests_total{method="POST",route="/graphql",operation="SimilarUsers",status="200"}'),
    ).toBe(1);
    expect(text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    expect(
      sample(
        text,
        'http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/graphql",operation="SimilarUsers",status="200"}',
      ),
    ).toBe(1);
    expect(sample(text, 'api_errors_total{code="BAD_USER_INPUT",surface="rest"}')).toBe(1);
    expect(sample(text, 'api_errors_total{code="NOT_FOUND",surface="rest"}')).toBe(1);
    expect(sample(text, 'api_errors_total{code="BAD_USER_INPUT",surface="graphql"}')).toBe(1);
    expect(sample(text, 'neo4j_query_duration_seconds_count{mode="read",outcome="ok"}')).toBeGreaterThan(0);
    expect(sample(text, 'neighbour_cache_lookups_total{result="miss"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'neighbour_cache_lookups_total{result="hit"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'similarity_model_active_version{model="cosine"}')).toBe(2);
    expect(sample(text, 'similarity_model_active_version{model="interests"}')).toBe(1);
    expect(sample(text, 'similarity_model_age_seconds{model="cosine"}')).toBeGreaterThan(0);
    expect(sample(text, 'similarity_models_read_ok')).toBe(1);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  } finally {
    await s.stop();
  }
});

test('production: 404 without METRICS_TOKEN; with it, 401 without a bearer token, 403 with another, 200 with it', async () => {
  const closed = await boot(testConfig({ NODE_ENV: 'production' }));
  try {
    expect((await fetch(`${closed.url}/metrics`)).status).toBe(404);
  } finally {
    await closed.stop();
  }
  const token = 'metrics-token-of-this-test';
  const s = await boot(testConfig({ NODE_ENV: 'production', METRICS_TOKEN: token }));
  try {
    const none = await fetch(`${s.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(
      (await fetch(`${s.url}/metrics`, { headers: { authorization: 'Bearer another-token-entirely' } })).status,
    ).toBe(403);
    const ok = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
  } finally {
    await s.stop();
  }
});

test('the executor tells its observer of every unit of work and its outcome, and nothing once unobserved', async () => {
  const seen: QueryObservation[] = [];
  admin.observe((o) => seen.push(o));
  try {
    await admin.read('RETURN 1 AS one');
    await admin.write('MERGE (:MetricsProbe {id: 1})');
    await expect(admin.read('RETURN nonsense(')).rejects.toThrow();
    await admin.autoCommit('MATCH (p:MetricsProbe) DELETE p');
  } finally {
    admin.observe(undefined);
  }
  await admin.read('RETURN 2 AS two');
  expect(seen.map((o) => [o.mode, o.outcome])).toEqual([
    ['read', 'ok'],
    ['write', 'ok'],
    ['read', 'query'],
    ['write', 'ok'],
  ]);
  expect(seen.every((o) => o.ms >= 0)).toBe(true);
});
