import path from 'node:path';
import { defaultNodeEnv, loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';

const root = '/srv/project';

describe('loadConfig', () => {
  test('defaults describe a local server on the standard ports', () => {
    const c = loadConfig({}, root);
    expect(c.neo4j.uri).toBe('bolt://127.0.0.1:7687');
    expect(c.neo4j.user).toBe('neo4j');
    expect(c.neo4j.password).toBeUndefined();
    expect(c.neo4j.database).toBe('neo4j');
    expect(c.neo4j.local).toMatchObject({
      home: path.join(root, '.neo4j'),
      boltPort: 7687,
      httpPort: 7474,
      heap: '2g',
    });
    // Production settings unless told otherwise: no playground, no introspection.
    expect(c.http).toEqual({
      port: 4000,
      host: '127.0.0.1',
      introspection: false,
      playground: false,
      fastPath: true,
    });
    // Masked errors unless development is asked for explicitly.
    expect(c.env).toBe('production');
    expect(loadConfig({ NODE_ENV: 'development' }, root).env).toBe('development');
    expect(c.limits).toEqual({
      requestTimeoutMs: 2500,
      queryTimeoutMs: 2000,
      poolSize: 64,
      headersTimeoutMs: 10000,
      bodyTimeoutMs: 15000,
    });
    expect(c.neo4j.local?.txTimeout).toBe('5m');
  });

  test('deadlines are validated and must nest', () => {
    expect(() => loadConfig({ API_QUERY_TIMEOUT_MS: 'soon' }, root)).toThrow(
      /API_QUERY_TIMEOUT_MS: expected milliseconds 100..600000, got "soon"/,
    );
    expect(() => loadConfig({ API_QUERY_TIMEOUT_MS: '3000', API_REQUEST_TIMEOUT_MS: '2000' }, root)).toThrow(
      /API_QUERY_TIMEOUT_MS: expected less than API_REQUEST_TIMEOUT_MS \(2000\), got 3000/,
    );
    expect(() => loadConfig({ API_POOL_SIZE: '0' }, root)).toThrow(
      /API_POOL_SIZE: expected a number of connections 1..1000, got "0"/,
    );
    expect(() => loadConfig({ NEO4J_TX_TIMEOUT: 'forever' }, root)).toThrow(/NEO4J_TX_TIMEOUT: expected a duration/);
  });

  test('NEO4J_URI selects an external server and then requires a password', () => {
    expect(() => loadConfig({ NEO4J_URI: 'neo4j+s://abc.databases.example' }, root)).toThrow(
      /NEO4J_PASSWORD: required/,
    );
    const c = loadConfig({ NEO4J_URI: 'bolt://db:7687', NEO4J_PASSWORD: 'secret-password' }, root);
    expect(c.neo4j.local).toBeUndefined();
    expect(c.neo4j.uri).toBe('bolt://db:7687');
  });

  test('every problem is reported in one error', () => {
    let err: unknown;
    try {
      loadConfig({ NEO4J_URI: 'http://x', PORT: 'eighty', NEO4J_HEAP: 'lots', GRAPHQL_PLAYGROUND: 'maybe' }, root);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/NEO4J_URI: expected bolt:\/\//);
    expect(problems.join('\n')).toMatch(/PORT: expected a port number 1..65535, got "eighty"/);
    expect(problems.join('\n')).toMatch(/NEO4J_HEAP: expected a size such as 512m or 2g, got "lots"/);
    expect(problems.join('\n')).toMatch(/GRAPHQL_PLAYGROUND: expected true or false, got "maybe"/);
  });

  test('playground and introspection default off unless development, test or the demo, and stay configurable', () => {
    expect(loadConfig({ NODE_ENV: 'production' }, root).http).toMatchObject({
      introspection: false,
      playground: false,
    });
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_PLAYGROUND: 'true' }, root).http.playground).toBe(true);
    for (const env of ['development', 'test']) {
      expect(loadConfig({ NODE_ENV: env }, root).http).toMatchObject({ introspection: true, playground: true });
    }
    // The local demo (`start`) keeps GraphiQL unless told otherwise.
    expect(loadConfig({}, root, { demo: true }).http).toMatchObject({ introspection: true, playground: true });
    expect(loadConfig({ GRAPHQL_PLAYGROUND: 'false' }, root, { demo: true }).http.playground).toBe(false);
  });

  test("GraphQL's fast path is on unless turned off, or APOLLO_KEY asks for Apollo's usage reporting", () => {
    expect(loadConfig({}, root).http.fastPath).toBe(true);
    expect(loadConfig({ GRAPHQL_FAST_PATH: 'false' }, root).http.fastPath).toBe(false);
    expect(loadConfig({ APOLLO_KEY: 'service:g:k' }, root).http.fastPath).toBe(false);
    expect(loadConfig({ APOLLO_KEY: '' }, root).http.fastPath).toBe(true);
    expect(loadConfig({ APOLLO_KEY: 'service:g:k', GRAPHQL_FAST_PATH: 'true' }, root).http.fastPath).toBe(true);
    expect(() => loadConfig({ GRAPHQL_FAST_PATH: 'maybe' }, root)).toThrow(
      /GRAPHQL_FAST_PATH: expected true or false, got "maybe"/,
    );
  });

  test('an unset NODE_ENV reads as production for the libraries too; a set one is kept', () => {
    const unset: NodeJS.ProcessEnv = {};
    defaultNodeEnv(unset);
    expect(unset.NODE_ENV).toBe('production');
    const empty: NodeJS.ProcessEnv = { NODE_ENV: '' };
    defaultNodeEnv(empty);
    expect(empty.NODE_ENV).toBe('production');
    const dev: NodeJS.ProcessEnv = { NODE_ENV: 'development' };
    defaultNodeEnv(dev);
    expect(dev.NODE_ENV).toBe('development');
  });

  test('METRICS_TOKEN: optional, at least 16 printable characters', () => {
    expect(loadConfig({}, root).metrics).toEqual({ token: undefined });
    expect(loadConfig({ METRICS_TOKEN: 'a-token-of-sixteen-chars' }, root).metrics.token).toBe(
      'a-token-of-sixteen-chars',
    );
    expect(() => loadConfig({ METRICS_TOKEN: 'short' }, root)).toThrow(/METRICS_TOKEN: expected at least 16/);
    expect(() => loadConfig({ METRICS_TOKEN: 'has spaces in the token' }, root)).toThrow(/METRICS_TOKEN/);
  });

  test('ADMIN_TOKEN: optional (admin operations off), at least 16 printable characters', () => {
    expect(loadConfig({}, root).admin).toEqual({ token: undefined });
    expect(loadConfig({ ADMIN_TOKEN: '' }, root).admin).toEqual({ token: undefined });
    expect(loadConfig({ ADMIN_TOKEN: 'an-admin-token-of-16+' }, root).admin.token).toBe('an-admin-token-of-16+');
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' }, root)).toThrow(/ADMIN_TOKEN: expected at least 16/);
    expect(() => loadConfig({ ADMIN_TOKEN: 'has spaces in the token' }, root)).toThrow(/ADMIN_TOKEN/);
  });

  test('a short password is refused with its length', () => {
    expect(() => loadConfig({ NEO4J_PASSWORD: 'short' }, root)).toThrow(/at least 8 characters, got 5/);
  });

  test('the similarity lease lasts 60 s unless SIMILARITY_LEASE_SECONDS says otherwise (2..3600)', () => {
    expect(loadConfig({}, root).jobs.leaseSeconds).toBe(60);
    expect(loadConfig({ SIMILARITY_LEASE_SECONDS: '5' }, root).jobs.leaseSeconds).toBe(5);
    expect(() => loadConfig({ SIMILARITY_LEASE_SECONDS: '1' }, root)).toThrow(
      /SIMILARITY_LEASE_SECONDS: expected a whole number of seconds 2..3600, got "1"/,
    );
  });

  test('the exact-search budget is 600 s unless SIMILARITY_EXACT_BUDGET_SECONDS says otherwise', () => {
    expect(loadConfig({}, root).jobs.exactBudgetSeconds).toBe(600);
    expect(loadConfig({ SIMILARITY_EXACT_BUDGET_SECONDS: '0' }, root).jobs.exactBudgetSeconds).toBe(0);
    expect(() => loadConfig({ SIMILARITY_EXACT_BUDGET_SECONDS: '1.5' }, root)).toThrow(
      /SIMILARITY_EXACT_BUDGET_SECONDS: expected a whole number of seconds 0..604800, got "1.5"/,
    );
  });

  test('ports and switches are parsed', () => {
    const c = loadConfig(
      { NEO4J_BOLT_PORT: '7701', PORT: '4599', GRAPHQL_INTROSPECTION: 'false', NODE_ENV: 'production' },
      root,
    );
    expect(c.neo4j.uri).toBe('bolt://127.0.0.1:7701');
    expect(c.http.port).toBe(4599);
    expect(c.http.introspection).toBe(false);
    expect(c.env).toBe('production');
  });
});
