// A driver tuned for serving requests: fail fast when Neo4j is down (503 now, not after 30 s of retries).
import neo4j from 'neo4j-driver';
import type { Neo4jConfig } from '../config';
import { Graph } from './executor';

export interface ApiDriverOptions {
  /** Connections kept for concurrent requests. */
  poolSize?: number;
  /** How long a transaction is retried on transient errors before the request fails. */
  retryMs?: number;
}

/**
 * A Graph whose driver retries briefly (default 1 s) and times out connections quickly, so that an outage
 * answers UNAVAILABLE within seconds; the driver reconnects by itself when Neo4j is back.
 */
export function connectApiGraph(
  cfg: Pick<Neo4jConfig, 'uri' | 'user' | 'database'>,
  password: string,
  opts: ApiDriverOptions = {},
): Graph {
  const driver = neo4j.driver(cfg.uri, neo4j.auth.basic(cfg.user, password), {
    disableLosslessIntegers: true,
    maxConnectionPoolSize: opts.poolSize ?? 64,
    maxTransactionRetryTime: opts.retryMs ?? 1_000,
    connectionAcquisitionTimeout: 5_000,
    connectionTimeout: 2_000,
    userAgent: 'similar-users-api',
  });
  return new Graph(driver, cfg.database);
}
