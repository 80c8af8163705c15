// The only reader of process.env: every setting is validated once, and all problems are reported together.
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors';

const port = (name: string, fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        ctx.addIssue({ code: 'custom', message: `${name}: expected a port number 1..65535, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const bool = (name: string, fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (/^(1|true|yes|on)$/i.test(v)) return true;
      if (/^(0|false|no|off)$/i.test(v)) return false;
      ctx.addIssue({ code: 'custom', message: `${name}: expected true or false, got "${v}"` });
      return z.NEVER;
    });

const memory = (name: string, fallback: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const value = v === undefined || v === '' ? fallback : v;
      if (!/^\d+[kmgKMG]$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `${name}: expected a size such as 512m or 2g, got "${value}"` });
        return z.NEVER;
      }
      return value.toLowerCase();
    });

const integer = (name: string, fallback: number, min: number, max: number, what = 'milliseconds') =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!/^\d+$/.test(v.trim()) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name}: expected ${what} ${min}..${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const envSchema = z.object({
  NEO4J_URI: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^(bolt|neo4j)(\+s|\+ssc)?:\/\/.+/.test(v), {
      message: 'NEO4J_URI: expected bolt://, neo4j://, bolt+s:// or neo4j+s:// followed by a host',
    }),
  NEO4J_USER: z.string().optional(),
  NEO4J_USERNAME: z.string().optional(),
  NEO4J_PASSWORD: z.string().optional(),
  NEO4J_DATABASE: z.string().optional(),
  NEO4J_BOLT_PORT: port('NEO4J_BOLT_PORT', 7687),
  NEO4J_HTTP_PORT: port('NEO4J_HTTP_PORT', 7474),
  NEO4J_HOME: z.string().optional(),
  NEO4J_HEAP: memory('NEO4J_HEAP', '2g'),
  NEO4J_PAGECACHE: memory('NEO4J_PAGECACHE', '1g'),
  NEO4J_VERSION: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^5\.26\.\d+$/.test(v), {
      message: 'NEO4J_VERSION: expected a 5.26.x LTS release such as 5.26.19',
    }),
  NEO4J_TX_TIMEOUT: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^[1-9]\d*(ms|s|m|h)$/.test(v), {
      message: 'NEO4J_TX_TIMEOUT: expected a duration such as 30s, 5m or 1h',
    }),
  JAVA_HOME: z.string().optional(),
  PORT: port('PORT', 4000),
  HOST: z.string().optional(),
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      error: (issue) => `NODE_ENV: expected development, production or test, got "${String(issue.input)}"`,
    })
    .optional(),
  GRAPHQL_INTROSPECTION: z.string().optional(),
  GRAPHQL_PLAYGROUND: z.string().optional(),
  API_REQUEST_TIMEOUT_MS: integer('API_REQUEST_TIMEOUT_MS', 2_500, 100, 600_000),
  API_QUERY_TIMEOUT_MS: integer('API_QUERY_TIMEOUT_MS', 2_000, 100, 600_000),
  API_POOL_SIZE: integer('API_POOL_SIZE', 64, 1, 1_000, 'a number of connections'),
  HTTP_HEADERS_TIMEOUT_MS: integer('HTTP_HEADERS_TIMEOUT_MS', 10_000, 1_000, 600_000),
  HTTP_BODY_TIMEOUT_MS: integer('HTTP_BODY_TIMEOUT_MS', 15_000, 1_000, 600_000),
  SIMILARITY_LEASE_SECONDS: integer('SIMILARITY_LEASE_SECONDS', 60, 2, 3600, 'a whole number of seconds'),
  SIMILARITY_EXACT_BUDGET_SECONDS: integer(
    'SIMILARITY_EXACT_BUDGET_SECONDS',
    600,
    0,
    604_800,
    'a whole number of seconds',
  ),
  METRICS_TOKEN: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^[\x21-\x7e]{16,}$/.test(v), {
      message: 'METRICS_TOKEN: expected at least 16 printable characters without spaces',
    }),
  ADMIN_TOKEN: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^[\x21-\x7e]{16,}$/.test(v), {
      message: 'ADMIN_TOKEN: expected at least 16 printable characters without spaces',
    }),
});

export interface LocalNeo4jConfig {
  /** Folder holding jars, config, data and logs of the locally managed server. */
  home: string;
  /** Jar cache, shared by every server of this checkout (dev, tests, experiments). */
  libDir: string;
  version: string;
  boltPort: number;
  httpPort: number;
  heap: string;
  pagecache: string;
  javaHome: string | undefined;
  /** db.transaction.timeout: the server's limit for transactions that set none (e.g. 5m). */
  txTimeout?: string;
}

export interface Neo4jConfig {
  /** Bolt URI; for the local server it is derived from the bolt port. */
  uri: string;
  user: string;
  /** Undefined only for the local server before its password file exists (see localdb/password.ts). */
  password: string | undefined;
  database: string;
  /** Present when no NEO4J_URI was given: the project manages its own server. */
  local: LocalNeo4jConfig | undefined;
}

/** How long the API waits, and for how many: the answers to slow clients and a slow or stalled Neo4j. */
export interface ApiLimits {
  /** A request not answered by then gets 503 with Retry-After (counted once its body has arrived). */
  requestTimeoutMs: number;
  /** One Neo4j query: transaction timeout sent to the server and client-side deadline. */
  queryTimeoutMs: number;
  /** Neo4j connections (and sessions) of the API. */
  poolSize: number;
  /** A client must send its headers within this (Node http headersTimeout), else 408. */
  headersTimeoutMs: number;
  /** ... and its whole request within this (Node http requestTimeout), else 408. */
  bodyTimeoutMs: number;
}

export interface Config {
  root: string;
  /** production unless NODE_ENV says otherwise: error details and stack traces only in development. */
  env: 'development' | 'production' | 'test';
  neo4j: Neo4jConfig;
  http: {
    port: number;
    host: string;
    introspection: boolean;
    playground: boolean;
    /**
     * Repeated GraphQL queries answered in front of Apollo's request pipeline (src/api/graphql/fast-path.ts). Off
     * by default when APOLLO_KEY is set: Apollo's usage reporting, which that key turns on, sees only what its
     * pipeline runs.
     */
    fastPath: boolean;
  };
  limits: ApiLimits;
  /**
   * How long a similarity run's lease on its models lives without a heartbeat; how long one model's exact search may
   * take (estimated) before the run picks the approximate search.
   */
  jobs: { leaseSeconds: number; exactBudgetSeconds: number };
  /** /metrics: with a token only its bearer reads them; without one, nobody in production, anyone otherwise. */
  metrics: { token: string | undefined };
  /** Operators' GraphQL mutations (forgetUser): present only with a token, and only its bearer may run them. */
  admin: { token: string | undefined };
}

export const DEFAULT_NEO4J_VERSION = '5.26.19';

/**
 * Makes an unset NODE_ENV read as production for the libraries that read it themselves (graphql-js runs its
 * development checks, about 30 us a request, unless it says production), as it already does for this project.
 * Call before they load.
 */
export function defaultNodeEnv(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_ENV === undefined || env.NODE_ENV === '') env.NODE_ENV = 'production';
}

/** The project root: the folder holding package.json, whatever the working directory. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** Validates the environment once; throws ConfigError naming every problem. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  root: string = PROJECT_ROOT,
  opts: { demo?: boolean } = {},
): Config {
  const parsed = envSchema.safeParse(env);
  // Production settings are the default: playground and introspection are on only in development and test, or
  // in the local demo (`start`, on 127.0.0.1 unless HOST says otherwise), unless set explicitly.
  const devDefault = env.NODE_ENV === 'development' || env.NODE_ENV === 'test' || opts.demo === true;
  const sw = z
    .object({
      GRAPHQL_INTROSPECTION: bool('GRAPHQL_INTROSPECTION', devDefault),
      GRAPHQL_PLAYGROUND: bool('GRAPHQL_PLAYGROUND', devDefault),
      GRAPHQL_FAST_PATH: bool('GRAPHQL_FAST_PATH', env.APOLLO_KEY === undefined || env.APOLLO_KEY === ''),
    })
    .safeParse({
      GRAPHQL_INTROSPECTION: env.GRAPHQL_INTROSPECTION,
      GRAPHQL_PLAYGROUND: env.GRAPHQL_PLAYGROUND,
      GRAPHQL_FAST_PATH: env.GRAPHQL_FAST_PATH,
    });
  if (!parsed.success || !sw.success) {
    throw new ConfigError([...(parsed.error?.issues ?? []), ...(sw.error?.issues ?? [])].map((i) => i.message));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const external = e.NEO4J_URI !== undefined && e.NEO4J_URI !== '';
  const password = e.NEO4J_PASSWORD === '' ? undefined : e.NEO4J_PASSWORD;
  if (external && password === undefined) {
    problems.push('NEO4J_PASSWORD: required when NEO4J_URI points at your own server');
  }
  if (password !== undefined && password.length < 8) {
    problems.push(`NEO4J_PASSWORD: Neo4j needs at least 8 characters, got ${password.length}`);
  }
  if (e.API_QUERY_TIMEOUT_MS >= e.API_REQUEST_TIMEOUT_MS) {
    problems.push(
      `API_QUERY_TIMEOUT_MS: expected less than API_REQUEST_TIMEOUT_MS (${e.API_REQUEST_TIMEOUT_MS}), got ${e.API_QUERY_TIMEOUT_MS}`,
    );
  }
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_BODY_TIMEOUT_MS) {
    problems.push(
      `HTTP_HEADERS_TIMEOUT_MS: expected at most HTTP_BODY_TIMEOUT_MS (${e.HTTP_BODY_TIMEOUT_MS}), got ${e.HTTP_HEADERS_TIMEOUT_MS}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const version = e.NEO4J_VERSION === undefined || e.NEO4J_VERSION === '' ? DEFAULT_NEO4J_VERSION : e.NEO4J_VERSION;
  const local: LocalNeo4jConfig | undefined = external
    ? undefined
    : {
        home: path.resolve(root, e.NEO4J_HOME ?? '.neo4j'),
        libDir: path.resolve(root, '.neo4j', `lib-${version}`),
        version,
        boltPort: e.NEO4J_BOLT_PORT,
        httpPort: e.NEO4J_HTTP_PORT,
        heap: e.NEO4J_HEAP,
        pagecache: e.NEO4J_PAGECACHE,
        javaHome: e.JAVA_HOME === '' ? undefined : e.JAVA_HOME,
        txTimeout: e.NEO4J_TX_TIMEOUT === undefined || e.NEO4J_TX_TIMEOUT === '' ? '5m' : e.NEO4J_TX_TIMEOUT,
      };
  return {
    root,
    // Masked by default: development detail only when asked for.
    env: e.NODE_ENV ?? 'production',
    neo4j: {
      uri: external ? (e.NEO4J_URI as string) : `bolt://127.0.0.1:${e.NEO4J_BOLT_PORT}`,
      user: e.NEO4J_USER ?? e.NEO4J_USERNAME ?? 'neo4j',
      password,
      database: e.NEO4J_DATABASE === undefined || e.NEO4J_DATABASE === '' ? 'neo4j' : e.NEO4J_DATABASE,
      local,
    },
    http: {
      port: e.PORT,
      host: e.HOST === undefined || e.HOST === '' ? '127.0.0.1' : e.HOST,
      introspection: sw.data.GRAPHQL_INTROSPECTION,
      playground: sw.data.GRAPHQL_PLAYGROUND,
      fastPath: sw.data.GRAPHQL_FAST_PATH,
    },
    limits: {
      requestTimeoutMs: e.API_REQUEST_TIMEOUT_MS,
      queryTimeoutMs: e.API_QUERY_TIMEOUT_MS,
      poolSize: e.API_POOL_SIZE,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.HTTP_BODY_TIMEOUT_MS,
    },
    jobs: { leaseSeconds: e.SIMILARITY_LEASE_SECONDS, exactBudgetSeconds: e.SIMILARITY_EXACT_BUDGET_SECONDS },
    metrics: { token: e.METRICS_TOKEN === undefined || e.METRICS_TOKEN === '' ? undefined : e.METRICS_TOKEN },
    admin: { token: e.ADMIN_TOKEN === undefined || e.ADMIN_TOKEN === '' ? undefined : e.ADMIN_TOKEN },
  };
}
