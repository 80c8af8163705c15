// A lease per similarity model, kept on its SimilarityModel node: one run at a time computes and writes a model.
// Taken for all of a run's models at once (all or none), renewed by a heartbeat, released in finally; a lease
// whose heartbeat stopped (a killed run) expires and the next run takes it over.
import { hostname } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import neo4j from 'neo4j-driver';
import { AppError } from '../errors';
import type { Logger } from '../log';
import { cypher } from './cypher';
import type { Graph } from './executor';

/** Where a heartbeat thread connects: its own driver, so renewals go on while the main thread computes. */
export interface LeaseConnection {
  uri: string;
  user: string;
  database: string;
  password: string;
}

export interface LeaseOptions {
  /** How long a lease lives without a heartbeat, in ms. */
  ttlMs: number;
  /** Heartbeat period in ms (default: a quarter of ttlMs). */
  heartbeatMs?: number;
  /** The owner's id (default: host, pid and a random suffix). */
  owner?: string;
  /** When given, heartbeats run in a worker thread on their own connection (CPU-bound compute cannot delay them). */
  connection?: LeaseConnection;
}

export interface HeldLease {
  model: string;
  owner: string;
  expiresInMs: number;
  heartbeatAgoMs: number;
}

export interface ExpiredLease {
  model: string;
  owner: string;
  expiredAgoMs: number;
  writing: number | null;
}

/** Another live run holds the lease of at least one of the models asked for. */
export class LeaseHeldError extends AppError {
  readonly held: readonly HeldLease[];

  constructor(held: HeldLease[]) {
    const list = held
      .map(
        (h) =>
          `${h.model} (owner ${h.owner}, last heartbeat ${(h.heartbeatAgoMs / 1000).toFixed(1)} s ago, ` +
          `lease expires in ${(h.expiresInMs / 1000).toFixed(1)} s)`,
      )
      .join(', ');
    super(
      'UNAVAILABLE',
      `another similarity run is computing ${list}: expected no live lease on the model(s), so this run stops ` +
        'before reading or writing anything. Run it again when that run has finished (a run that died frees its ' +
        'lease when the lease expires).',
      { held },
    );
    this.name = 'LeaseHeldError';
    this.held = held;
  }
}

const num = (v: unknown): number => (typeof v === 'number' ? v : neo4j.isInt(v) ? v.toNumber() : Number(v));

/** A default owner id: which host and process holds the lease, told apart from an earlier process with the same pid. */
export function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

type Beat = { kind: 'renewed'; renewed: string[] } | { kind: 'error'; message: string };

export class ModelLease {
  private lost: string | undefined;
  private lastRenewed = Date.now();
  private stopBeat: (() => Promise<void>) | undefined;
  private released = false;

  private constructor(
    private readonly graph: Graph,
    readonly models: readonly string[],
    readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /**
   * Takes the lease of every model, all or none, in one write transaction: the models' nodes are write-locked
   * first, so two runs starting together are serialised and the second sees the first's lease. Throws
   * LeaseHeldError when another run's lease is live; returns the lease and the expired leases it replaced.
   */
  static async acquire(
    graph: Graph,
    models: readonly string[],
    opts: LeaseOptions,
    log?: Logger,
  ): Promise<{ lease: ModelLease; takenOver: ExpiredLease[] }> {
    if (!Number.isInteger(opts.ttlMs) || opts.ttlMs < 100) {
      throw new AppError('INTERNAL', `lease ttl: expected an integer >= 100 ms, got ${opts.ttlMs}`);
    }
    // Sorted, so two runs lock shared models in the same order and cannot deadlock.
    const names = [...new Set(models)].sort();
    const owner = opts.owner ?? defaultOwner();
    // A refusal is thrown inside the transaction, so it rolls back: a refused run leaves no trace in the graph.
    const row = await graph.unit('WRITE', async (tx) => {
      await tx.run(cypher('similarity/lock-models'), { models: names });
      const [r] = await tx.run(cypher('similarity/take-lease'), { models: names, owner, ttlMs: neo4j.int(opts.ttlMs) });
      if (r === undefined) throw new AppError('INTERNAL', `take-lease for ${names.join(', ')} returned no row`);
      if (r.taken !== true) {
        throw new LeaseHeldError(
          (r.held as Record<string, unknown>[]).map((h) => ({
            model: String(h.model),
            owner: String(h.owner),
            expiresInMs: num(h.expiresInMs),
            heartbeatAgoMs: num(h.heartbeatAgoMs),
          })),
        );
      }
      return r;
    });
    const takenOver = (row.takenOver as Record<string, unknown>[]).map((h) => ({
      model: String(h.model),
      owner: String(h.owner),
      expiredAgoMs: num(h.expiredAgoMs),
      writing: h.writing === null || h.writing === undefined ? null : num(h.writing),
    }));
    for (const t of takenOver) {
      log?.warn(
        `${t.model}: took over the lease of run ${t.owner}, which stopped renewing it ` +
          `(expired ${(t.expiredAgoMs / 1000).toFixed(1)} s ago); the edges it left will be deleted`,
      );
    }
    const lease = new ModelLease(graph, names, owner, opts.ttlMs);
    lease.startHeartbeat(opts);
    return { lease, takenOver };
  }

  private onBeat(beat: Beat): void {
    if (beat.kind === 'renewed') {
      const missing = this.models.filter((m) => !beat.renewed.includes(m));
      if (missing.length > 0) {
        this.lost ??= `the lease of ${missing.join(', ')} was taken over by another run (expected owner ${this.owner})`;
      } else {
        this.lastRenewed = Date.now();
      }
    } else if (Date.now() - this.lastRenewed > this.ttlMs) {
      this.lost ??= `the lease could not be renewed for ${this.ttlMs} ms (last error: ${beat.message})`;
    }
  }

  private startHeartbeat(opts: LeaseOptions): void {
    const every = Math.max(50, Math.floor(opts.heartbeatMs ?? this.ttlMs / 4));
    const params = { models: this.models, owner: this.owner, ttlMs: this.ttlMs };
    if (opts.connection !== undefined) {
      const worker = spawnHeartbeat({ ...params, everyMs: every, connection: opts.connection });
      worker.on('message', (m: Beat) => this.onBeat(m));
      worker.on('error', (err) => this.onBeat({ kind: 'error', message: err.message }));
      worker.unref();
      this.stopBeat = async () => {
        await worker.terminate();
      };
      return;
    }
    let inFlight: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      inFlight = renewLease(this.graph, params).then((b) => this.onBeat(b));
    }, every);
    timer.unref();
    this.stopBeat = async () => {
      clearInterval(timer);
      await inFlight;
    };
  }

  /** Whether the lease was lost (see assertHeld). */
  isLost(): boolean {
    return this.lost !== undefined;
  }

  /** Throws when the lease was lost (another run took it over, or heartbeats failed for a whole ttl). */
  assertHeld(): void {
    if (this.lost !== undefined) throw new AppError('INTERNAL', `stopping: ${this.lost}`);
  }

  /** Renews the lease now, on this thread, and throws if it was lost: called before each step that writes. */
  async confirm(): Promise<void> {
    this.assertHeld();
    this.onBeat(await renewLease(this.graph, { models: this.models, owner: this.owner, ttlMs: this.ttlMs }));
    this.assertHeld();
  }

  /**
   * Stops the heartbeat without giving the lease back: a shard that finished its part leaves the run's lease to
   * the shards still working (same owner); it expires by itself if none renews it.
   */
  async stopHeartbeat(): Promise<void> {
    await this.stopBeat?.();
    this.stopBeat = undefined;
  }

  /** Stops the heartbeat and gives the lease back; idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.stopBeat?.();
    await this.graph.write(cypher('similarity/release-lease'), { models: this.models, owner: this.owner });
  }
}

/** One heartbeat: extends the owner's lease on each model; reports the models still held. */
export async function renewLease(
  graph: Graph,
  p: { models: readonly string[]; owner: string; ttlMs: number },
): Promise<Beat> {
  try {
    const [row] = await graph.write(cypher('similarity/renew-lease'), {
      models: p.models,
      owner: p.owner,
      ttlMs: neo4j.int(p.ttlMs),
    });
    return { kind: 'renewed', renewed: row?.renewed ?? [] };
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
}

export interface HeartbeatData {
  models: readonly string[];
  owner: string;
  ttlMs: number;
  everyMs: number;
  connection: LeaseConnection;
}

/** Starts src/graph/lease-heartbeat.(ts|js) in a worker thread (through tsx's hook when running from sources). */
function spawnHeartbeat(data: HeartbeatData): Worker {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `lease-heartbeat${ext}`);
  if (ext === '.ts') {
    const tsx = require.resolve('tsx/cjs');
    const code = `require(${JSON.stringify(tsx)});\nrequire(${JSON.stringify(file)});\n`;
    return new Worker(code, { eval: true, execArgv: [], workerData: data });
  }
  return new Worker(file, { execArgv: [], workerData: data });
}
