// The one place that talks to Neo4j: a session per unit of work, closed in finally; driver errors mapped once.
import neo4j, { type Driver, type ManagedTransaction, type QueryResult, type RecordShape } from 'neo4j-driver';
import type { Neo4jConfig } from '../config';
import { AppError } from '../errors';

export type Params = Record<string, unknown>;
export type Row = Record<string, unknown>;

const UNAVAILABLE_CODES = new Set([
  'ServiceUnavailable',
  'SessionExpired',
  'Neo.TransientError.General.DatabaseUnavailable',
  'Neo.ClientError.Security.AuthenticationRateLimit',
]);

/** Maps a driver error to an AppError: connection trouble is UNAVAILABLE, the rest INTERNAL. */
export function mapDriverError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; message?: string };
  const code = e.code ?? '';
  const connectionTrouble =
    code === '' && /ECONNREFUSED|ECONNRESET|connect|Pool is closed|closed/i.test(e.message ?? '');
  if (UNAVAILABLE_CODES.has(code) || connectionTrouble) {
    return new AppError(
      'UNAVAILABLE',
      `Neo4j is unavailable: ${e.message ?? code}`,
      { neo4jCode: code },
      { cause: err },
    );
  }
  if (code === 'Neo.ClientError.Security.Unauthorized') {
    return new AppError(
      'UNAVAILABLE',
      'Neo4j refused the credentials: check NEO4J_USER and NEO4J_PASSWORD (the local server keeps the password it was first started with)',
      { neo4jCode: code },
      { cause: err },
    );
  }
  return new AppError(
    'INTERNAL',
    `Neo4j error ${code}: ${e.message ?? String(err)}`,
    { neo4jCode: code },
    { cause: err },
  );
}

export interface TxRunner {
  run<T extends Row = Row>(query: string, params?: Params): Promise<T[]>;
}

export class Graph {
  readonly driver: Driver;
  readonly database: string;
  /** Number of queries run since creation; tests use it to prove batching. */
  queryCount = 0;

  constructor(driver: Driver, database: string) {
    this.driver = driver;
    this.database = database;
  }

  static connect(cfg: Pick<Neo4jConfig, 'uri' | 'user' | 'database'>, password: string): Graph {
    const driver = neo4j.driver(cfg.uri, neo4j.auth.basic(cfg.user, password), {
      disableLosslessIntegers: true,
      maxConnectionPoolSize: 100,
      connectionAcquisitionTimeout: 10_000,
      connectionTimeout: 5_000,
      userAgent: 'similar-users',
    });
    return new Graph(driver, cfg.database);
  }

  /** Resolves when a query runs; throws UNAVAILABLE otherwise. */
  async ping(): Promise<void> {
    await this.read('RETURN 1 AS ok');
  }

  async read<T extends Row = Row>(query: string, params: Params = {}): Promise<T[]> {
    return this.unit('READ', async (tx) => tx.run<T>(query, params));
  }

  async write<T extends Row = Row>(query: string, params: Params = {}): Promise<T[]> {
    return this.unit('WRITE', async (tx) => tx.run<T>(query, params));
  }

  /** Runs several statements in one transaction (retried as a whole on transient errors). */
  async unit<R>(
    mode: 'READ' | 'WRITE',
    work: (tx: TxRunner) => Promise<R>,
    txMeta?: Record<string, unknown>,
  ): Promise<R> {
    const session = this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
    try {
      const fn = (tx: ManagedTransaction) => work(this.runner(tx));
      const config = txMeta !== undefined ? { metadata: txMeta } : undefined;
      return mode === 'READ' ? await session.executeRead(fn, config) : await session.executeWrite(fn, config);
    } catch (err) {
      throw mapDriverError(err);
    } finally {
      await session.close();
    }
  }

  /** An auto-commit statement, for schema changes and CALL { } IN TRANSACTIONS. */
  async autoCommit<T extends Row = Row>(query: string, params: Params = {}): Promise<T[]> {
    const session = this.driver.session({ database: this.database });
    try {
      this.queryCount++;
      const res = await session.run(query, params);
      return res.records.map((r) => r.toObject() as T);
    } catch (err) {
      throw mapDriverError(err);
    } finally {
      await session.close();
    }
  }

  private runner(tx: ManagedTransaction): TxRunner {
    return {
      run: async <T extends Row = Row>(query: string, params: Params = {}) => {
        this.queryCount++;
        const res: QueryResult<RecordShape> = await tx.run(query, params);
        return res.records.map((r) => r.toObject() as T);
      },
    };
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
