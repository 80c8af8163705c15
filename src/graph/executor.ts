// The one place that talks to Neo4j: it builds the drivers, opens every session (one per unit of work, closed in
// finally, never more at once than the pool holds), sets transaction timeouts and classifies driver errors once.
import neo4j, {
  Neo4jError,
  type BookmarkManager,
  type Driver,
  type ManagedTransaction,
  type QueryResult,
  type RecordShape,
  type Session,
} from 'neo4j-driver';
import type { Neo4jConfig } from '../config';
import { AppError } from '../errors';
import type { NoParams, Statement, StatementText } from './cypher';
import { Slots, SlotTimeoutError } from './slots';

export type Params = Record<string, unknown>;
export type Row = Record<string, unknown>;

/** Reads one column of a streamed row, typed by the statement's row. */
export type RowGetter<R extends object> = <K extends keyof R & string>(key: K) => R[K];

const asStatement = (query: string | StatementText): StatementText =>
  typeof query === 'string' ? { name: 'ad hoc', text: query } : query;

/** How a driver is tuned and how long its work may take. */
export interface DriverProfile {
  /** Sent to Neo4j with every connection. */
  userAgent: string;
  /** Connections in the pool, and the most sessions open at once. */
  poolSize: number;
  /** How long a unit of work waits for a free session before it fails UNAVAILABLE. */
  acquireMs: number;
  /** Socket connect and Bolt handshake. */
  connectMs: number;
  /** How long a managed transaction is retried on transient errors. */
  retryMs: number;
  /** Transaction timeout sent to Neo4j with every transaction (0: the server's db.transaction.timeout). */
  txTimeoutMs: number;
  /**
   * Client-side deadline of one call, session wait included (0: none). Neo4j enforces txTimeoutMs itself, but a
   * stalled server enforces nothing: past this deadline the caller gets TIMEOUT and the session is closed
   * whenever the server answers (it keeps its slot until then, so connections never exceed the pool).
   */
  deadlineMs: number;
  /**
   * Every unit of work sees the writes of the earlier ones (one bookmark manager per Graph). On a cluster, where a
   * `neo4j://` driver sends READ work to secondaries, a read that follows a write of the same process (a count
   * after writing, the lease after taking it) then waits for the secondary to catch up instead of reading the past.
   */
  causal: boolean;
}

/** Batch jobs (import, similarity, evaluation): patient, long transactions allowed. */
export const JOB_PROFILE: DriverProfile = {
  userAgent: 'similar-users',
  poolSize: 100,
  acquireMs: 10_000,
  connectMs: 5_000,
  retryMs: 30_000,
  // Explicit, so a job is not cut by the server default meant for interactive queries.
  txTimeoutMs: 4 * 3_600_000,
  deadlineMs: 0,
  causal: true,
};

/** Serving requests: fail fast (503 within seconds) when Neo4j is down, stalled or saturated. */
export function apiProfile(opts: { poolSize?: number; queryTimeoutMs?: number } = {}): DriverProfile {
  const queryTimeoutMs = opts.queryTimeoutMs ?? 2_000;
  return {
    userAgent: 'similar-users-api',
    poolSize: opts.poolSize ?? 64,
    acquireMs: Math.min(1_000, queryTimeoutMs),
    connectMs: Math.min(2_000, queryTimeoutMs),
    retryMs: Math.min(1_000, queryTimeoutMs),
    txTimeoutMs: queryTimeoutMs,
    deadlineMs: queryTimeoutMs,
    // The API only reads, one query per answer (a version and its list together), so any secondary answers
    // consistently; waiting for bookmarks would only add latency.
    causal: false,
  };
}

/** Why a call to Neo4j failed, decided from the driver error's type and code (never its message). */
export type Failure = 'connection' | 'credentials' | 'busy' | 'timeout' | 'transient' | 'closed' | 'query';

/** Driver and server error codes with a meaning of their own; other Neo.TransientError.* are 'transient'. */
const FAILURE_BY_CODE: Readonly<Record<string, Failure>> = {
  ServiceUnavailable: 'connection',
  SessionExpired: 'connection',
  'Neo.ClientError.Security.Unauthorized': 'credentials',
  'Neo.ClientError.Security.AuthenticationRateLimit': 'credentials',
  'Neo.ClientError.Transaction.TransactionTimedOut': 'timeout',
  'Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration': 'timeout',
};

/** Raised by the executor when a call outlives the profile's deadline. */
export class QueryTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`Neo4j did not answer within ${ms} ms`);
    this.name = 'QueryTimeoutError';
  }
}

/** Raised for work asked of a graph after close(). */
export class GraphClosedError extends Error {
  constructor() {
    super('the Neo4j driver has been closed');
    this.name = 'GraphClosedError';
  }
}

function failureOfError(err: unknown): { failure: Failure; code: string } {
  if (err instanceof QueryTimeoutError) return { failure: 'timeout', code: '' };
  if (err instanceof SlotTimeoutError) return { failure: 'busy', code: '' };
  if (err instanceof GraphClosedError) return { failure: 'closed', code: '' };
  if (err instanceof Neo4jError) {
    const known = FAILURE_BY_CODE[err.code];
    if (known !== undefined) return { failure: known, code: err.code };
    if (err.code.startsWith('Neo.TransientError.')) return { failure: 'transient', code: err.code };
    return { failure: 'query', code: err.code };
  }
  return { failure: 'query', code: '' };
}

/** The failure behind an AppError made by mapDriverError, if any. */
export function failureOf(err: unknown): Failure | undefined {
  if (!(err instanceof AppError)) return undefined;
  const f = err.details?.failure;
  return typeof f === 'string' ? (f as Failure) : undefined;
}

/** The Neo4j code an error carries, when it came from Neo4j. */
export function neo4jCodeOf(err: unknown): string | undefined {
  if (!(err instanceof AppError)) return undefined;
  const code = err.details?.neo4jCode;
  return typeof code === 'string' ? code : undefined;
}

/** Maps a driver error to an AppError: UNAVAILABLE or TIMEOUT when Neo4j cannot answer now, INTERNAL otherwise. */
export function mapDriverError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const { failure, code } = failureOfError(err);
  const text = err instanceof Error ? err.message : String(err);
  const details = { failure, ...(code !== '' ? { neo4jCode: code } : {}) };
  switch (failure) {
    case 'connection':
    case 'transient':
    case 'closed':
      return new AppError('UNAVAILABLE', `Neo4j is unavailable: ${text}`, details, { cause: err });
    case 'busy':
      return new AppError('UNAVAILABLE', `Neo4j is saturated: ${text}`, details, { cause: err });
    case 'credentials':
      return new AppError(
        'UNAVAILABLE',
        'Neo4j refused the credentials: check NEO4J_USER and NEO4J_PASSWORD (the local server keeps the password it was first started with)',
        details,
        { cause: err },
      );
    case 'timeout':
      return new AppError('TIMEOUT', `Neo4j timed out: ${text}`, details, { cause: err });
    case 'query':
      return new AppError('INTERNAL', `Neo4j error ${code || 'without a code'}: ${text}`, details, { cause: err });
  }
}

/** One unit of work of a graph (a transaction or an auto-commit statement) once settled: for metrics. */
export interface QueryObservation {
  mode: 'read' | 'write';
  /** ok, or why it failed. */
  outcome: 'ok' | Failure;
  /** From the call to its outcome, waiting for a session included. */
  ms: number;
}

/** Told of every unit of work; graph/ knows nothing of who listens (the API's metrics, a test). */
export type QueryObserver = (observation: QueryObservation) => void;

/** Runs the statements of one transaction (Graph.unit). */
export interface TxRunner {
  run<R extends object>(statement: Statement<NoParams, R>): Promise<R[]>;
  run<P extends object, R extends object>(statement: Statement<P, R>, params: P): Promise<R[]>;
}

export interface AutoCommitOptions {
  /** Access mode (default WRITE, which also suits schema changes and CALL { } IN TRANSACTIONS). */
  mode?: 'READ' | 'WRITE';
  /**
   * Retry once after a connection failure: a connection left stale by a Neo4j restart fails once and is dropped.
   * Only for idempotent reads.
   */
  retryConnection?: boolean;
}

export class Graph {
  readonly driver: Driver;
  readonly database: string;
  readonly profile: DriverProfile;
  /** Number of queries run since creation; tests use it to prove batching. */
  queryCount = 0;
  private readonly slots: Slots;
  /** Bookmarks of this Graph's units of work (profile.causal), handed to every session. */
  private readonly bookmarks: BookmarkManager | undefined;
  private closed = false;
  /** Ends each unit of work in flight (rejects its wait): abandon() calls them. */
  private readonly inflight = new Set<(err: Error) => void>();
  private observer: QueryObserver | undefined;

  constructor(driver: Driver, database: string, profile: DriverProfile = JOB_PROFILE) {
    this.driver = driver;
    this.database = database;
    this.profile = profile;
    this.slots = new Slots(profile.poolSize);
    this.bookmarks = profile.causal ? neo4j.bookmarkManager() : undefined;
  }

  /** A driver for the given server; JOB_PROFILE by default, apiProfile() for serving requests. */
  static connect(
    cfg: Pick<Neo4jConfig, 'uri' | 'user' | 'database'>,
    password: string,
    profile: DriverProfile = JOB_PROFILE,
  ): Graph {
    const driver = neo4j.driver(cfg.uri, neo4j.auth.basic(cfg.user, password), {
      disableLosslessIntegers: true,
      maxConnectionPoolSize: profile.poolSize,
      // The slots make sessions wait (and fail) first; the driver's own wait is only a backstop.
      connectionAcquisitionTimeout: profile.acquireMs + profile.connectMs + 1_000,
      connectionTimeout: profile.connectMs,
      maxTransactionRetryTime: profile.retryMs,
      userAgent: profile.userAgent,
    });
    return new Graph(driver, cfg.database, profile);
  }

  /** Reports every unit of work from now on to `observer` (undefined: to nobody). An observer must not throw. */
  observe(observer: QueryObserver | undefined): void {
    this.observer = observer;
  }

  /** The bookmarks the next unit of work waits for (empty when the profile is not causal or nothing ran yet). */
  async lastBookmarks(): Promise<string[]> {
    return this.bookmarks === undefined ? [] : [...(await this.bookmarks.getBookmarks())];
  }

  /** Sessions open right now (never more than profile.poolSize). */
  get openSessions(): number {
    return this.slots.inUse;
  }

  /** Resolves when a query runs; throws UNAVAILABLE otherwise. */
  async ping(): Promise<void> {
    await this.read('RETURN 1 AS ok');
  }

  /** A statement of the registry, typed by it; or ad-hoc Cypher (tests, probes) with the row type the caller claims. */
  read<R extends object>(statement: Statement<NoParams, R>): Promise<R[]>;
  read<P extends object, R extends object>(statement: Statement<P, R>, params: P): Promise<R[]>;
  read<T extends Row = Row>(query: string, params?: Params): Promise<T[]>;
  async read(query: string | StatementText, params: object = {}): Promise<object[]> {
    return this.unit('READ', async (tx) => tx.run(asStatement(query), params));
  }

  write<R extends object>(statement: Statement<NoParams, R>): Promise<R[]>;
  write<P extends object, R extends object>(statement: Statement<P, R>, params: P): Promise<R[]>;
  write<T extends Row = Row>(query: string, params?: Params): Promise<T[]>;
  async write(query: string | StatementText, params: object = {}): Promise<object[]> {
    return this.unit('WRITE', async (tx) => tx.run(asStatement(query), params));
  }

  /** Runs several statements in one transaction (retried as a whole on transient errors). */
  async unit<R>(
    mode: 'READ' | 'WRITE',
    work: (tx: TxRunner) => Promise<R>,
    txMeta?: Record<string, unknown>,
  ): Promise<R> {
    return this.bounded(mode, (deadline) =>
      this.withSession(mode, deadline, {}, (session) => {
        const fn = (tx: ManagedTransaction) => work(this.runner(tx));
        const config = { ...this.txConfig(), ...(txMeta !== undefined ? { metadata: txMeta } : {}) };
        return mode === 'READ' ? session.executeRead(fn, config) : session.executeWrite(fn, config);
      }),
    );
  }

  /**
   * One auto-commit statement: a single round trip (no BEGIN/COMMIT), which matters at thousands of requests per
   * second; also for schema changes and CALL { } IN TRANSACTIONS.
   */
  autoCommit<P extends object, R extends object>(
    statement: Statement<P, R>,
    params: P,
    opts?: AutoCommitOptions,
  ): Promise<R[]>;
  autoCommit<T extends Row = Row>(query: string, params?: Params, opts?: AutoCommitOptions): Promise<T[]>;
  async autoCommit(
    query: string | StatementText,
    params: object = {},
    opts: AutoCommitOptions = {},
  ): Promise<object[]> {
    return this.bounded(opts.mode ?? 'WRITE', async (deadline) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.withSession(opts.mode ?? 'WRITE', deadline, {}, async (session) => {
            this.queryCount++;
            const res = await session.run(asStatement(query).text, params, this.txConfig());
            return res.records.map((r) => r.toObject());
          });
        } catch (err) {
          const mapped = mapDriverError(err);
          if (opts.retryConnection !== true || attempt > 0 || failureOf(mapped) !== 'connection' || deadline.expired)
            throw mapped;
        }
      }
    });
  }

  /**
   * Runs a read statement and hands each record to onRow as it arrives (the driver pulls in pages of fetchSize
   * with back-pressure), so tens of millions of rows never sit in memory at once. Returns the number of rows.
   */
  async stream<P extends object, R extends object>(
    statement: Statement<P, R>,
    params: P,
    onRow: (get: RowGetter<R>) => void,
    opts: { fetchSize?: number } = {},
  ): Promise<number> {
    return this.bounded('READ', (deadline) =>
      this.withSession('READ', deadline, { fetchSize: opts.fetchSize ?? 5_000 }, async (session) => {
        let n = 0;
        this.queryCount++;
        for await (const record of session.run(statement.text, params, this.txConfig())) {
          onRow(<K extends keyof R & string>(key: K) => {
            const value: unknown = record.get(key);
            return value as R[K];
          });
          n++;
        }
        return n;
      }),
    );
  }

  private txConfig(): { timeout?: number } {
    return this.profile.txTimeoutMs > 0 ? { timeout: this.profile.txTimeoutMs } : {};
  }

  /** Races work against the profile's deadline; errors come out as AppErrors; the observer hears the outcome. */
  private async bounded<R>(mode: 'READ' | 'WRITE', work: (deadline: { expired: boolean }) => Promise<R>): Promise<R> {
    const observer = this.observer;
    if (observer === undefined) return this.deadlined(work);
    const started = performance.now();
    try {
      const result = await this.deadlined(work);
      observer({ mode: mode === 'READ' ? 'read' : 'write', outcome: 'ok', ms: performance.now() - started });
      return result;
    } catch (err) {
      const outcome = failureOf(err) ?? 'query';
      observer({ mode: mode === 'READ' ? 'read' : 'write', outcome, ms: performance.now() - started });
      throw err;
    }
  }

  private async deadlined<R>(work: (deadline: { expired: boolean }) => Promise<R>): Promise<R> {
    if (this.closed) throw mapDriverError(new GraphClosedError());
    const deadline = { expired: false };
    const running = work(deadline);
    // Abandoned work still settles later (its session closes then); its outcome must not go unhandled.
    running.catch(() => undefined);
    const ms = this.profile.deadlineMs;
    let timer: NodeJS.Timeout | undefined;
    let end: ((err: Error) => void) | undefined;
    // Rejected when the deadline passes, or at once when the graph is abandoned or closed: a caller never waits on
    // work whose driver is gone (a read in flight at shutdown would otherwise hold the process for its deadline).
    const stopped = new Promise<never>((_resolve, reject) => {
      end = (err) => {
        deadline.expired = true;
        reject(err);
      };
      if (ms > 0) timer = setTimeout(() => end?.(new QueryTimeoutError(ms)), ms);
    });
    const stop = end!;
    this.inflight.add(stop);
    try {
      return await Promise.race([running, stopped]);
    } catch (err) {
      throw mapDriverError(err);
    } finally {
      clearTimeout(timer);
      this.inflight.delete(stop);
    }
  }

  /** A session for one unit of work, in a slot; closed in finally, after which the slot is free again. */
  private async withSession<R>(
    mode: 'READ' | 'WRITE',
    deadline: { expired: boolean },
    extra: { fetchSize?: number },
    work: (session: Session) => Promise<R>,
  ): Promise<R> {
    const release = await this.slots.acquire(this.profile.acquireMs);
    if (deadline.expired || this.closed) {
      release();
      throw this.closed ? new GraphClosedError() : new QueryTimeoutError(this.profile.deadlineMs);
    }
    const session = this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      ...(this.bookmarks !== undefined ? { bookmarkManager: this.bookmarks } : {}),
      ...extra,
    });
    try {
      return await work(session);
    } finally {
      try {
        await session.close();
      } finally {
        release();
      }
    }
  }

  private runner(tx: ManagedTransaction): TxRunner {
    // One implementation for both signatures of TxRunner.run: the row type is the statement's, as declared.
    const run = (statement: StatementText, params: object = {}) => this.runIn(tx, statement.text, params);
    return { run };
  }

  private async runIn<R extends object>(tx: ManagedTransaction, query: string, params: object): Promise<R[]> {
    this.queryCount++;
    const res: QueryResult<RecordShape> = await tx.run(query, params);
    // The registry's row types are checked against Neo4j's own columns by test/integration/cypher-explain.
    return res.records.map((r) => r.toObject() as R);
  }

  /** The columns a statement returns, as Neo4j plans it (EXPLAIN: nothing runs). */
  async columns(statement: StatementText): Promise<string[]> {
    // WRITE mode: a write statement is planned, never run, but a READ session may refuse it.
    return this.bounded('WRITE', (deadline) =>
      this.withSession('WRITE', deadline, {}, async (session) => {
        this.queryCount++;
        const result = session.run(`EXPLAIN ${statement.text}`, {}, this.txConfig());
        const keys = await result.keys();
        await result.summary();
        return [...keys];
      }),
    );
  }

  /**
   * Refuses new work and ends the work in flight now: its callers get GraphClosedError (UNAVAILABLE) instead of
   * waiting, and sessions waiting for a slot stop waiting. The driver stays open (another Graph may share it);
   * close() also closes it.
   */
  abandon(): void {
    this.closed = true;
    const err = new GraphClosedError();
    for (const end of [...this.inflight]) end(err);
    this.inflight.clear();
    this.slots.cancelWaiting(err);
  }

  async close(): Promise<void> {
    this.abandon();
    await this.driver.close();
  }
}
