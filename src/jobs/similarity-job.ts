// The similarity job: read signals from the graph, compute each model's neighbours, write them as a new version,
// switch the model to it in one transaction, then drop the old version's edges.
import type { ModelLease, LeaseOptions } from '../graph/lease';
import { AppError, badInput } from '../errors';
import type { EdgeRow, SimilarityRepository } from '../graph/similarity-repository';
import { silentLogger, type Logger } from '../log';
import { createPool } from '../similarity/pool';
import { neighbourCount } from '../similarity/topk';
import type { Neighbours } from '../similarity/types';
import { alsVersionFactors, encodeAlsFactors } from './als-fold-in';
import { fitForRun, fitSignals, type FitResult } from './fit';
import {
  computeModelWithChoice,
  FITTED_MODELS,
  fittedChoices,
  freezeWeighting,
  paramsOf,
  signalsOf,
  type ModelName,
  type ModelParams,
  type SearchChoice,
} from './models';
import { SignalLoader, type UserIndex } from './signals';
import { shardRows, type Shard } from './shard';
import { table } from '../text-table';

export interface JobOptions {
  models: ModelName[];
  params: ModelParams;
  /** Edges per write transaction. */
  batchEdges?: number;
  /** Write transactions in flight at once. */
  writers?: number;
  /** Edges per delete transaction (CALL { } IN TRANSACTIONS). */
  deleteBatch?: number;
  /**
   * Pause between switching the last model and deleting old versions' edges, so that a reader whose query
   * read the old active version just before the switch still finds its edges.
   */
  graceMs?: number;
  log?: Logger;
  /** Called after each written batch (1-based); a test throws from it to simulate a run dying mid-write. */
  afterBatch?: (model: ModelName, batch: number) => void | Promise<void>;
  /** The lease taken on the models before anything is read (default: DEFAULT_LEASE_MS, heartbeat on this thread). */
  lease?: LeaseOptions;
  /**
   * This process computes one shard of a run: the neighbours of its users (against all users), written into the
   * version the run writes; the shard that completes the run switches the model to it. Shards share the run's lease.
   */
  shard?: Shard;
}

/** How long a run's lease lives without a heartbeat (SIMILARITY_LEASE_SECONDS in the CLI). */
export const DEFAULT_LEASE_MS = 60_000;

export interface ModelReport {
  model: ModelName;
  version: number;
  previous: number | null;
  users: number;
  usersWithSignal: number;
  usersWithoutSignal: number;
  /** Users with signal that share nothing with anyone (no neighbour found). */
  usersWithoutNeighbours: number;
  edges: number;
  leftoversDeleted: number;
  oldEdgesDeleted: number;
  readSeconds: number;
  computeSeconds: number;
  writeSeconds: number;
  details: Record<string, unknown>;
  /** recall@10 on this run's validation split (when the run fits). */
  validation?: number;
  /** The choices fitted for this run (cosine, als). */
  fitted?: Record<string, unknown>;
  fitSeconds?: number;
  /** The model served by default after this model's activation. */
  defaultModel?: string | null;
  /**
   * In a sharded run: the shards of the run done after this one, whether the run is complete (every shard done)
   * and whether this shard switched the version (the first to see it complete).
   */
  shards?: { done: number[]; count: number; complete: boolean; activated: boolean };
  /** The search used (exact or approximate), why, and the exact search's estimate; stored as params.search. */
  search?: SearchChoice;
}

const seconds = (fromMs: number) => (performance.now() - fromMs) / 1000;

/** Rows to write for users [start, end): handles of neighbours and scores, in rank order; users with none skipped. */
export function edgeRows(nb: Neighbours, users: UserIndex, start: number, end: number): EdgeRow[] {
  const rows: EdgeRow[] = [];
  const k = nb.k;
  for (let r = start; r < end; r++) {
    const n: number[] = [];
    const s: number[] = [];
    for (let j = 0; j < k; j++) {
      const idx = nb.index[r * k + j]!;
      if (idx < 0) break;
      n.push(users.handles[idx]!);
      s.push(nb.score[r * k + j]!);
    }
    if (n.length > 0) rows.push({ h: users.handles[r]!, n, s });
  }
  return rows;
}

/** Writes every user's neighbours under one version, batchEdges edges per transaction, `writers` at a time. */
async function writeVersion(
  repo: SimilarityRepository,
  model: ModelName,
  version: number,
  nb: Neighbours,
  users: UserIndex,
  opts: {
    batchEdges: number;
    writers: number;
    afterBatch: JobOptions['afterBatch'] | undefined;
    lease: ModelLease;
    replace: boolean;
  },
  log: Logger,
): Promise<number> {
  const usersPerBatch = Math.max(1, Math.floor(opts.batchEdges / Math.max(1, nb.k)));
  let next = 0;
  let written = 0;
  let batch = 0;
  const total = neighbourCount(nb);
  let lastLog = performance.now();
  let failed = false;
  const worker = async () => {
    while (next < nb.rows && !failed) {
      const start = next;
      const end = Math.min(nb.rows, start + usersPerBatch);
      next = end;
      const rows = edgeRows(nb, users, start, end);
      if (rows.length === 0) continue;
      try {
        opts.lease.assertHeld();
        const n = await repo.writeEdges(model, version, rows, opts.replace);
        written += n;
        batch++;
        if (opts.afterBatch !== undefined) await opts.afterBatch(model, batch);
      } catch (err) {
        failed = true;
        throw err;
      }
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        log.info(`  ${model}: ${written.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} edges written`);
      }
    }
  };
  // On a failure the other writers stop after their current batch, and the job fails only once they have.
  const results = await Promise.allSettled(Array.from({ length: Math.max(1, opts.writers) }, worker));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return written;
}

/** The approximate search's measured recall (and its sample), kept with the version's parameters. */
function searchFigures(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['annRecall', 'annRecallSample']) if (typeof details[key] === 'number') out[key] = details[key];
  return out;
}

/** What a version stores of its fit: the validation figures, the protocol, and every candidate tried. */
function validationFigures(fit: FitResult, p: ModelParams): Record<string, unknown> {
  return {
    recall10: fit.validation.recall,
    ndcg10: fit.validation.ndcg,
    users: fit.validation.users,
    seed: fit.validation.seed,
    sampleUsers: p.fit.maxUsers,
    budgetSeconds: p.fit.budgetSeconds,
    seconds: Math.round(fit.seconds * 10) / 10,
    tried: fit.tried,
    skipped: fit.skipped,
  };
}

/**
 * Runs the job for the given models, one after the other (signals are read once and shared). Each model is
 * written as a new version and switched to in one transaction; old versions are deleted at the end, after a
 * short grace period. A failure leaves each unfinished model's previous version active; its partial edges are
 * deleted by the next run.
 */
export async function runSimilarityJob(repo: SimilarityRepository, opts: JobOptions): Promise<ModelReport[]> {
  const log = opts.log ?? silentLogger;
  // One run at a time per model. The lease on all the run's models comes first: a second run of any of them stops
  // here (LeaseHeldError), before reading or writing anything; it is renewed while the run works, released at the end.
  // The shards of one run share its lease (owner: the run), and only the shard that completes the run releases it.
  const leaseOptions = opts.lease ?? { ttlMs: DEFAULT_LEASE_MS };
  const shard = opts.shard;
  if (shard !== undefined && (opts.params.search === 'ann' || opts.params.ann)) {
    throw badInput(
      '--shard: expected the exact search (shards split it by users), but got --ann: the approximate search refines ' +
        "every user's list together and does not split; run it in one process, or run shards without --ann",
    );
  }
  const { lease } = await repo.takeLease(
    opts.models,
    shard !== undefined ? { ...leaseOptions, owner: `run:${shard.run}` } : leaseOptions,
    log,
  );
  let completed = shard === undefined;
  try {
    const reports = await leasedJob(repo, opts, lease, log);
    completed ||= reports.every((r) => r.shards?.complete === true);
    return reports;
  } finally {
    if (completed) {
      await lease.release().catch((err: unknown) => {
        log.warn(`could not release the lease of ${lease.models.join(', ')}: ${String(err)} (it expires by itself)`);
      });
    } else {
      await lease.stopHeartbeat();
    }
  }
}

async function leasedJob(
  repo: SimilarityRepository,
  opts: JobOptions,
  lease: ModelLease,
  log: Logger,
): Promise<ModelReport[]> {
  const batchEdges = opts.batchEdges ?? 10_000;
  const writers = opts.writers ?? 4;
  const deleteBatch = opts.deleteBatch ?? 20_000;
  const graceMs = opts.graceMs ?? 1000;
  const reports: ModelReport[] = [];
  // The database's clock before anything is read: users an import stamps from then on are the next incremental
  // run's changed users (stored as params.dataAsOf).
  const dataAsOf = await repo.now();
  const t0 = performance.now();
  const loader = await SignalLoader.open(repo);
  const users = loader.signals.users;
  const userSeconds = seconds(t0);
  log.info(`read ${users.size.toLocaleString('en-US')} users in ${userSeconds.toFixed(1)} s`);
  const pool = opts.params.threads > 1 ? createPool(opts.params.threads) : undefined;
  const shard = opts.shard;
  // A shard computes its users' lists only; fitting is the same in every shard (seeded, no time budget).
  const queryRows = shard !== undefined ? shardRows(users.handles, shard) : undefined;
  if (shard !== undefined) {
    log.info(
      `shard ${shard.index}/${shard.count} of run ${shard.run}: ${queryRows!.length.toLocaleString('en-US')} of ` +
        `${users.size.toLocaleString('en-US')} users`,
    );
  }
  const runParams: ModelParams =
    shard !== undefined ? { ...opts.params, fit: { ...opts.params.fit, budgetSeconds: Infinity } } : opts.params;
  // Model i's edges are written while model i + 1 is read and computed: Neo4j's work and ours overlap.
  let writing: Promise<void> = Promise.resolve();
  let writeFailed = false;
  /** Models whose fold-in factors this process wrote for the version it activates. */
  const foldInModels = new Set<ModelName>();
  try {
    for (const model of opts.models) {
      if (writeFailed) break;
      const tRead = performance.now();
      await loader.need(runParams.fit.enabled ? fitSignals([model]) : signalsOf(model));
      const readSeconds = seconds(tRead) + (reports.length === 0 ? userSeconds : 0);
      const tCompute = performance.now();
      // Fitted on a validation split of this run's data (its hidden views are never the served ones).
      let fit: FitResult | undefined;
      if (runParams.fit.enabled) {
        fit = await fitForRun(model, loader.signals, runParams, { ...(pool !== undefined ? { pool } : {}), log });
      }
      const params = fit?.params ?? runParams;
      const result = await computeModelWithChoice(model, loader.signals, params, {
        ...(pool !== undefined ? { pool } : {}),
        log,
        ...(queryRows !== undefined ? { queryRows } : {}),
      });
      // ALS keeps its item factors and mean row with the version, so the API can fold in users who come later;
      // encoded now, while the signals' item names are those the model was trained on.
      const foldIn =
        result.als !== undefined
          ? encodeAlsFactors(alsVersionFactors(loader.signals, params.als, result.als))
          : undefined;
      const computeSeconds = seconds(tCompute);
      const found = neighbourCount(result.neighbours);
      let without = 0;
      for (const r of queryRows ?? Int32Array.from({ length: result.neighbours.rows }, (_, i) => i))
        if (result.neighbours.index[r * result.neighbours.k] === -1) without++;
      log.info(
        `${model}: read ${readSeconds.toFixed(1)} s, computed ${found.toLocaleString('en-US')} edges in ${computeSeconds.toFixed(1)} s`,
      );
      const report: ModelReport = {
        model,
        version: 0,
        previous: null,
        users: users.size,
        usersWithSignal: result.usersWithSignal,
        usersWithoutSignal: users.size - result.usersWithSignal,
        usersWithoutNeighbours: queryRows === undefined ? without - (users.size - result.usersWithSignal) : without,
        edges: 0,
        leftoversDeleted: 0,
        oldEdgesDeleted: 0,
        readSeconds,
        computeSeconds,
        writeSeconds: 0,
        details: result.details,
        search: result.search,
        ...(fit !== undefined
          ? {
              validation: fit.validation.recall,
              fitSeconds: fit.seconds,
              ...(FITTED_MODELS.includes(model) ? { fitted: fittedChoices(model, params) } : {}),
            }
          : {}),
      };
      const write = async () => {
        const tWrite = performance.now();
        await lease.confirm();
        const { active, version, joined } =
          shard !== undefined
            ? await repo.joinRun(model, shard.run)
            : { ...(await repo.beginVersion(model)), joined: false };
        report.version = version;
        // The first shard of a run (or a whole run) deletes what unfinished runs left; later shards join it.
        if (!joined) report.leftoversDeleted = await repo.deleteLeftovers(model, active, version, deleteBatch);
        if (report.leftoversDeleted > 0) {
          log.info(`  ${model}: deleted ${report.leftoversDeleted} edges left by an unfinished run`);
        }
        report.edges = await writeVersion(
          repo,
          model,
          version,
          result.neighbours,
          users,
          { batchEdges, writers, afterBatch: opts.afterBatch, lease, replace: shard !== undefined },
          log,
        );
        await lease.confirm();
        if (shard !== undefined) {
          const done = await repo.finishShard(model, shard.run, version, shard.index);
          if (done === null) {
            // The run completed while this shard (a retry) was writing: its rows replaced the same rows.
            const node = await repo.model(model);
            if (node?.version !== version) {
              throw new AppError(
                'INTERNAL',
                `${model}: expected version ${version} to be written by run ${shard.run}, but another run took it over`,
              );
            }
            report.shards = { done: [], count: shard.count, complete: true, activated: false };
            report.writeSeconds = seconds(tWrite);
            reports.push(report);
            log.info(`  ${model}: version ${version} of run ${shard.run} was already complete and active`);
            return;
          }
          report.shards = { done, count: shard.count, complete: done.length >= shard.count, activated: false };
          if (!report.shards.complete) {
            report.writeSeconds = seconds(tWrite);
            reports.push(report);
            log.info(
              `  ${model}: shard ${shard.index}/${shard.count} wrote ${report.edges.toLocaleString('en-US')} edges into ` +
                `version ${version}; ${done.length} of ${shard.count} shards done (the last one switches the version)`,
            );
            return;
          }
          report.edges = await repo.countVersionEdges(model, version);
        }
        if (foldIn !== undefined) {
          await repo.writeAlsFactors(model, version, foldIn);
          foldInModels.add(model);
        }
        const activation = repo.activate({
          model,
          version,
          params: JSON.stringify({
            ...paramsOf(model, { ...params, ann: result.search.ann }),
            search: result.search,
            dataAsOf,
            ...searchFigures(result.details),
            ...(fit !== undefined ? { validation: validationFigures(fit, params) } : {}),
          }),
          metrics: null,
          users: result.usersWithSignal,
          edges: report.edges,
          validation: fit?.validation.recall ?? null,
          weighting:
            result.weighting !== undefined ? JSON.stringify(freezeWeighting(result.weighting, loader.signals)) : null,
        });
        try {
          report.previous = await activation;
          if (report.shards !== undefined) report.shards.activated = true;
        } catch (err) {
          // Two shards finishing together may both see the run complete: one switches, the other finds it done.
          const node = shard !== undefined ? await repo.model(model) : null;
          if (node === null || node.version !== version) throw err;
          log.info(`  ${model}: version ${version} was switched by another shard of run ${shard!.run}`);
          report.writeSeconds = seconds(tWrite);
          reports.push(report);
          return;
        }
        report.defaultModel = await repo.chooseDefault();
        report.writeSeconds = seconds(tWrite);
        reports.push(report);
        log.info(
          `  ${model}: version ${version} active (${report.edges.toLocaleString('en-US')} edges, ${report.writeSeconds.toFixed(1)} s)`,
        );
      };
      writing = writing.then(write);
      // Marks the failure at once (and keeps the rejection handled); `await writing` below rethrows it.
      writing.catch(() => {
        writeFailed = true;
      });
    }
    await writing;
  } catch (err) {
    // A compute failure waits for the write in flight, so nothing keeps writing after the job has failed.
    await writing.catch(() => undefined);
    throw err;
  } finally {
    await pool?.close();
  }
  const old = reports.filter((r) => r.previous !== null && r.previous !== r.version);
  // Fold-in factors of other versions (superseded, or of runs that never completed) go with their edges.
  const keepFactors = reports.filter((r) => foldInModels.has(r.model));
  if (old.length > 0) {
    await new Promise((resolve) => setTimeout(resolve, graceMs));
    for (const r of old) {
      const tDelete = performance.now();
      r.oldEdgesDeleted = await repo.deleteVersion(r.model, r.previous as number, deleteBatch);
      r.writeSeconds += seconds(tDelete);
    }
  }
  for (const r of keepFactors) await repo.deleteAlsFactors(r.model, r.version);
  return reports;
}

/** The per-model table the CLI prints. */
export function formatReports(reports: ModelReport[]): string {
  const head = [
    'model',
    'version',
    'validation recall@10',
    'with signal',
    'without signal',
    'edges',
    'read s',
    'compute s',
    'write s',
  ];
  const rows = reports.map((r) => [
    r.model,
    String(r.version),
    r.validation !== undefined ? r.validation.toFixed(4) : '-',
    r.usersWithSignal.toLocaleString('en-US'),
    r.usersWithoutSignal.toLocaleString('en-US'),
    r.edges.toLocaleString('en-US'),
    r.readSeconds.toFixed(1),
    r.computeSeconds.toFixed(1),
    r.writeSeconds.toFixed(1),
  ]);
  const total = reports.reduce(
    (a, r) => [a[0]! + r.edges, a[1]! + r.readSeconds, a[2]! + r.computeSeconds, a[3]! + r.writeSeconds],
    [0, 0, 0, 0],
  );
  rows.push([
    'total',
    '',
    '',
    '',
    '',
    total[0]!.toLocaleString('en-US'),
    total[1]!.toFixed(1),
    total[2]!.toFixed(1),
    total[3]!.toFixed(1),
  ]);
  return table(head, rows);
}
