// The API's graph: the executor's request profile (fail fast when Neo4j is down, stalled or saturated).
import type { Neo4jConfig } from '../config';
import { apiProfile, Graph } from './executor';

export interface ApiDriverOptions {
  /** Connections kept for concurrent requests (default 64). */
  poolSize?: number;
  /** Longest a query may take, server-side transaction timeout and client-side deadline alike (default 2 s). */
  queryTimeoutMs?: number;
}

/**
 * A Graph that answers UNAVAILABLE or TIMEOUT within the query timeout when Neo4j is down or stalled; the driver
 * reconnects by itself when Neo4j is back.
 */
export function connectApiGraph(
  cfg: Pick<Neo4jConfig, 'uri' | 'user' | 'database'>,
  password: string,
  opts: ApiDriverOptions = {},
): Graph {
  return Graph.connect(cfg, password, apiProfile(opts));
}
