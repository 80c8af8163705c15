// Opens the graph for a command: the configured server, or the project's local one (started on request).
import type { Config } from '../config';
import { LocalNeo4jServer } from '../localdb/server';
import { consoleLogger, type Logger } from '../log';
import { connectApiGraph } from './api-connect';
import { cypher } from './cypher';
import { failureOf, Graph } from './executor';
import type { LeaseOptions } from './lease';
import { applySchema } from './schema';

export interface OpenOptions {
  /** Start the local server if it is not running (ignored for an external NEO4J_URI). */
  start?: boolean;
  /** Apply cypher/schema before returning. */
  schema?: boolean;
  log?: Logger;
}

export function localServer(config: Config, log: Logger = consoleLogger): LocalNeo4jServer | undefined {
  return config.neo4j.local === undefined ? undefined : new LocalNeo4jServer(config.neo4j.local, log);
}

export function neo4jPassword(config: Config): string {
  const server = localServer(config);
  if (server !== undefined) return server.password(config.neo4j.password);
  // loadConfig guarantees a password for an external server.
  return config.neo4j.password ?? '';
}

/** The API's graph (request profile, sized and timed by config.limits); it connects lazily, never throws here. */
export function openApiGraph(config: Config): Graph {
  return connectApiGraph(config.neo4j, neo4jPassword(config), {
    poolSize: config.limits.poolSize,
    queryTimeoutMs: config.limits.queryTimeoutMs,
  });
}

export async function openGraph(config: Config, opts: OpenOptions = {}): Promise<Graph> {
  const log = opts.log ?? consoleLogger;
  const server = localServer(config, log);
  const password = neo4jPassword(config);
  if (server !== undefined && opts.start === true) {
    await server.start(password);
  }
  const graph = Graph.connect(config.neo4j, password);
  try {
    await waitForQuery(graph, server !== undefined && opts.start === true ? 120_000 : 0);
    if (opts.schema === true) await applySchema(graph);
  } catch (err) {
    await graph.close();
    throw err;
  }
  return graph;
}

/** Retries a trivial query until the database answers (Bolt can open before the database is online). */
export async function waitForQuery(graph: Graph, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await graph.ping();
      return;
    } catch (err) {
      const failure = failureOf(err);
      // Wrong credentials do not get better by waiting; a server still starting does.
      const hopeless =
        failure === undefined || failure === 'credentials' || failure === 'query' || failure === 'closed';
      if (Date.now() >= deadline || hopeless) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

/** Users and SIMILAR_TO edges in the database (db:status). */
export async function databaseCounts(graph: Graph): Promise<{ users: number; edges: number } | undefined> {
  const [row] = await graph.read(cypher('db/status'));
  return row;
}

/** The similarity lease for a CLI run: the configured ttl, heartbeats on their own connection in a worker thread. */
export function jobLease(config: Config): LeaseOptions {
  return {
    ttlMs: config.jobs.leaseSeconds * 1000,
    connection: {
      uri: config.neo4j.uri,
      user: config.neo4j.user,
      database: config.neo4j.database,
      password: neo4jPassword(config),
    },
  };
}
