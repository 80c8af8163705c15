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
  SIMILARITY_LEASE_SECONDS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return 60;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 2 || n > 3600) {
        ctx.addIssue({ code: 'custom', message: `SIMILARITY_LEASE_SECONDS: expected an integer 2..3600, got "${v}"` });
        return z.NEVER;
      }
      return n;
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

export interface Config {
  root: string;
  env: 'development' | 'production' | 'test';
  neo4j: Neo4jConfig;
  http: { port: number; host: string; introspection: boolean; playground: boolean };
  /** How long a similarity run's lease on its models lives without a heartbeat. */
  jobs: { leaseSeconds: number };
}

export const DEFAULT_NEO4J_VERSION = '5.26.19';

/** The project root: the folder holding package.json, whatever the working directory. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** Validates the environment once; throws ConfigError naming every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, root: string = PROJECT_ROOT): Config {
  const parsed = envSchema.safeParse(env);
  // Playground and introspection are on in development and test, off by default in production.
  const devDefault = env.NODE_ENV !== 'production';
  const sw = z
    .object({
      GRAPHQL_INTROSPECTION: bool('GRAPHQL_INTROSPECTION', devDefault),
      GRAPHQL_PLAYGROUND: bool('GRAPHQL_PLAYGROUND', devDefault),
    })
    .safeParse({ GRAPHQL_INTROSPECTION: env.GRAPHQL_INTROSPECTION, GRAPHQL_PLAYGROUND: env.GRAPHQL_PLAYGROUND });
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
      };
  return {
    root,
    env: e.NODE_ENV ?? 'development',
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
    },
    jobs: { leaseSeconds: e.SIMILARITY_LEASE_SECONDS },
  };
}
