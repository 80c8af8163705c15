// The similarity job: read signals from the graph, compute each model's neighbours, write them as a new version,
// switch the model to it in one transaction, then drop the old version's edges.
import type { ModelLease, LeaseOptions } from '../graph/lease';
import { AppError, badInput } from '../errors';
import type { EdgeRow, SimilarityRepository } from '../graph/similarity-repository';
import { silentLogger, type Logger } from '../log';
import { createPool } from '../similarity/pool';
import { neighbourCount } from '../similarity/topk';
import type { Neighbours } from '../similarity/types';
import { CompactListsBuilder, encodeLists, type CompactLists } from './list-blobs';
import { alsVersionFactors, encodeAlsFactors } from './als-fold-in';
import type { TrainedAls } from './als-model';
import { fitForRun, fitSignals, type FitResult } from './fit';
import {
  alsSearch,
  chooseSearch,
  computeModelWithChoice,
  FITTED_MODELS,
  fittedChoices,
  type InterestShare,
  freezeWeighting,
  paramsOf,
  signalsOf,
  type ModelName,
  type ModelParams,
  type SearchChoice,
} from './models';
import { SignalLoader, type UserIndex } from './signals';
import { shardRows, type Shard } from './shard';
import {
  applyPlan,
  DEFAULT_PLAN_OPTIONS,
  makePlan,
  parsePlan,
  planOwner,
  readPlannedAls,
  type PlanOptions,
  type RunPlan,
} from './run-plan';
import type { PlanClaim } from '../graph/similarity-repository';
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
  /** How the shards of a run share its decisions (claim life, polling, how long to wait for another shard). */
  plan?: Partial<PlanOptions>;
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
  /**
   * In a sharded run: who made the run's decisions for this model (fit, ALS training) and whether this shard did
   * (the others read them from the graph).
   */
  decided?: { by: string; here: boolean; seconds: number };
}

/** One model's turn in a process: a shard's run version and, when the run decides once, the claim's answer. */
interface Turn {
  model: ModelName;
  join?: { active: number | null; floor: number | null; version: number; joined: boolean; done: boolean };
  claim?: Exclude<PlanClaim, { state: 'wait' }>;
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

/** Every user's neighbours in compact form (handles, reader order), as the version's edges hold them. */
export function compactLists(nb: Neighbours, users: UserIndex): CompactLists {
  const b = new CompactListsBuilder();
  for (const row of edgeRows(nb, users, 0, nb.rows)) b.add(row.h, row.n, row.s);
  return b.build();
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
    maxCandidates: p.fit.maxCandidates,
    maxQueryUsers: p.fit.maxQueryUsers,
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
    let reports: ModelReport[];
    try {
      reports = await leasedJob(repo, opts, lease, log);
    } catch (err) {
      // A retried shard racing the run's last shard: that shard activated every model and gave the run's lease
      // back while this one still worked. Its part is in the active versions already; nothing is left to do.
      if (shard === undefined || !lease.isLost() || !(await runComplete(repo, opts.models, shard.run))) throw err;
      log.info(
        `run ${shard.run} was completed by its other shards while shard ${shard.index} worked: nothing left to do`,
      );
      return [];
    }
    completed ||= reports.every((r) => r.shards?.complete === true);
    if (!completed) {
      // Shards take models in different orders (each goes on while another decides), so the shard that completed
      // the run's last model may not have completed the others itself: the graph says whether all are active.
      const active = await Promise.all(reports.map(async (r) => (await repo.model(r.model))?.version === r.version));
      completed = active.every(Boolean);
    }
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

/** Whether every model's active version was written by sharded run `run` (and no version of it is being written). */
async function runComplete(repo: SimilarityRepository, models: readonly ModelName[], run: string): Promise<boolean> {
  const nodes = await Promise.all(models.map((m) => repo.model(m)));
  return nodes.every((n) => n !== null && n.activeRun === run && n.writing === null);
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
  // Every signal the run's models need, read at once in the loader's fixed order: tags are numbered as first seen,
  // and ALS's matrix is as wide as the dictionary, so reading in the order models come (which differs between the
  // shards of a run, each taking the models nobody is deciding) would give other columns, hence other factors.
  await loader.need([
    ...new Set(opts.models.flatMap((m) => (opts.params.fit.enabled ? fitSignals([m]) : signalsOf(m)))),
  ]);
  const userSeconds = seconds(t0);
  log.info(`read ${users.size.toLocaleString('en-US')} users and their signals in ${userSeconds.toFixed(1)} s`);
  const pool = opts.params.threads > 1 ? createPool(opts.params.threads) : undefined;
  const shard = opts.shard;
  // A shard computes its users' lists only. What a run decides (fit, ALS training) takes the same params here as in
  // a single process: the fit is bounded by a candidate count, not seconds, so it depends on the data and flags only.
  const queryRows = shard !== undefined ? shardRows(users.handles, shard) : undefined;
  if (shard !== undefined) {
    log.info(
      `shard ${shard.index}/${shard.count} of run ${shard.run}: ${queryRows!.length.toLocaleString('en-US')} of ` +
        `${users.size.toLocaleString('en-US')} users`,
    );
  }
  const runParams: ModelParams = opts.params;
  // ALS's blend reuses the interests model's approximate search when that comes first in this process.
  const share: InterestShare | undefined =
    shard === undefined &&
    opts.models.includes('interests') &&
    opts.models.indexOf('interests') < opts.models.indexOf('als')
      ? {}
      : undefined;
  // Model i's edges are written while model i + 1 is read and computed: Neo4j's work and ours overlap.
  let writing: Promise<void> = Promise.resolve();
  let writeFailed = false;
  /** Models whose fold-in factors this process wrote for the version it activates. */
  const foldInModels = new Set<ModelName>();
  const planOptions: PlanOptions = { ...DEFAULT_PLAN_OPTIONS, ...opts.plan };
  let readCounted = false;
  const owner = shard !== undefined ? planOwner(shard) : '';
  /**
   * The models in the order this process computes them. A shard of a run decides once per model (fit, ALS
   * training): it claims the decisions of the first model nobody is making, and while another shard makes a
   * model's, it goes on with the next; only when every model left is being decided elsewhere does it wait.
   */
  async function* turns(): AsyncGenerator<Turn> {
    if (shard === undefined) {
      for (const model of opts.models) yield { model };
      return;
    }
    const decideOnce = (model: ModelName) => runParams.fit.enabled || model === 'als';
    const pending = [...opts.models];
    const joins = new Map<ModelName, NonNullable<Turn['join']>>();
    const told = new Set<ModelName>();
    let waitingSince = performance.now();
    while (pending.length > 0) {
      let turn: Turn | undefined;
      const waiting: string[] = [];
      const done: ModelName[] = [];
      for (const model of pending) {
        let join = joins.get(model);
        if (join === undefined) {
          join = await repo.joinRun(model, shard.run, shard.count);
          joins.set(model, join);
        }
        if (join.done) {
          // A retried shard after its run completed this model (the other shards finished it meanwhile).
          log.info(`  ${model}: version ${join.version} of run ${shard.run} is complete and active: nothing to write`);
          done.push(model);
          continue;
        }
        if (!decideOnce(model)) {
          turn = { model, join };
          break;
        }
        const claim = await repo.claimPlan(model, shard.run, join.version, owner, planOptions.ttlMs);
        if (claim.state !== 'wait') {
          if (claim.state === 'claimed' && claim.tookOverFrom !== null) {
            log.warn(
              `${model}: took over run ${shard.run}'s decisions from ${claim.tookOverFrom}, whose claim expired or was given up`,
            );
          }
          turn = { model, join, claim };
          break;
        }
        waiting.push(`${model} (by ${claim.owner})`);
        if (!told.has(model)) {
          told.add(model);
          log.info(
            `${model}: ${claim.owner} is making run ${shard.run}'s decisions; this shard uses them once stored ` +
              `(the claim expires ${Math.round(claim.expiresInMs / 1000)} s from now unless renewed)`,
          );
        }
      }
      for (const model of done) pending.splice(pending.indexOf(model), 1);
      if (turn === undefined && pending.length === 0) break;
      if (turn === undefined) {
        const waited = performance.now() - waitingSince;
        if (waited > planOptions.waitMs) {
          throw new AppError(
            'TIMEOUT',
            `shard ${shard.index}/${shard.count} of run ${shard.run}: expected the run's decisions for ` +
              `${waiting.join(', ')} within ${Math.round(planOptions.waitMs / 1000)} s, but they are still being ` +
              `made; run this shard again once they are stored (models { writingRun } shows the run)`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, planOptions.pollMs));
        continue;
      }
      waitingSince = performance.now();
      pending.splice(pending.indexOf(turn.model), 1);
      yield turn;
    }
  }
  try {
    for await (const { model, join, claim } of turns()) {
      if (writeFailed) break;
      let tRead = performance.now();
      let readSeconds = 0;
      let tCompute = performance.now();
      let fit: FitResult | undefined;
      let params: ModelParams;
      let result: Awaited<ReturnType<typeof computeModelWithChoice>>;
      let foldIn: ReturnType<typeof encodeAlsFactors> | undefined;
      let plan: RunPlan | undefined;
      // The up-front read is counted once, with the first model (reports arrive only as writes finish).
      const firstRead = readCounted ? 0 : userSeconds;
      readCounted = true;
      if (claim === undefined) {
        await loader.need(runParams.fit.enabled ? fitSignals([model]) : signalsOf(model));
        readSeconds = seconds(tRead) + firstRead;
        tCompute = performance.now();
        // Fitted on a validation split of this run's data (its hidden views are never the served ones).
        if (runParams.fit.enabled) {
          fit = await fitForRun(model, loader.signals, runParams, { ...(pool !== undefined ? { pool } : {}), log });
        }
        params = fit?.params ?? runParams;
        result = await computeModelWithChoice(model, loader.signals, params, {
          ...(pool !== undefined ? { pool } : {}),
          log,
          ...(queryRows !== undefined ? { queryRows } : {}),
          ...(share !== undefined ? { share } : {}),
        });
        // ALS keeps its item factors and mean row with the version, so the API can fold in users who come later;
        // encoded now, while the signals' item names are those the model was trained on.
        foldIn =
          result.als !== undefined
            ? encodeAlsFactors(alsVersionFactors(loader.signals, params.als, result.als))
            : undefined;
      } else {
        // A shard of a run that decides once: this shard makes the decisions (and stores them), or reads them.
        const version = join!.version;
        let trained: TrainedAls | undefined;
        if (claim.state === 'claimed') {
          await loader.need(runParams.fit.enabled ? fitSignals([model]) : signalsOf(model));
          readSeconds = seconds(tRead) + firstRead;
          tCompute = performance.now();
          log.info(
            `${model}: this shard decides for run ${shard!.run} (${runParams.fit.enabled ? 'fit' : 'no fit'}` +
              `${model === 'als' ? ', ALS training' : ''}); the other shards read its decisions from the graph`,
          );
          const made = await makePlan(
            { repo, model, run: shard!.run, version, owner, ttlMs: planOptions.ttlMs },
            loader.signals,
            runParams,
            { ...(pool !== undefined ? { pool } : {}), log },
          );
          plan = made.plan;
          trained = made.trained;
        } else {
          plan = parsePlan(model, claim.plan);
          log.info(
            `${model}: run ${shard!.run}'s decisions read from the graph (made by ${plan.by} in ${plan.seconds} s): ` +
              `no ${model === 'als' ? 'fit or training' : 'fit'} here`,
          );
          tRead = performance.now();
          if (model === 'als') trained = await readPlannedAls(repo, model, version, plan, users.size);
          else await loader.need(signalsOf(model));
          readSeconds = seconds(tRead) + firstRead;
          tCompute = performance.now();
        }
        ({ params, fit } = applyPlan(runParams, plan));
        if (model === 'als') {
          const mode = params.ann ? 'ann' : params.search;
          // A blend scores interests too: a shard that read the factors reads them (the signals are users' rows).
          if (params.als.blend > 0) await loader.need(['interests', 'views']);
          result = {
            ...(await alsSearch(trained!, loader.signals, params, pool, queryRows)),
            search: chooseSearch(model, mode, null, params.exactBudgetSeconds, { shard: true }),
          };
        } else {
          result = await computeModelWithChoice(model, loader.signals, params, {
            ...(pool !== undefined ? { pool } : {}),
            log,
            ...(queryRows !== undefined ? { queryRows } : {}),
          });
        }
      }
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
        ...(plan !== undefined
          ? { decided: { by: plan.by, here: claim?.state === 'claimed', seconds: plan.seconds } }
          : {}),
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
        const { active, floor, version, joined } =
          join ??
          (shard !== undefined
            ? await repo.joinRun(model, shard.run, shard.count)
            : { ...(await repo.beginVersion(model)), joined: false });
        report.version = version;
        // The first shard of a run (or a whole run) deletes what unfinished runs left; later shards join it.
        if (!joined) report.leftoversDeleted = await repo.deleteLeftovers(model, active, floor, version, deleteBatch);
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
          report.edges = await repo.countVersionEdges(model, version, version);
        }
        // The cosine-family models keep their lists in compact form too, for the next incremental run (a sharded
        // run does not: each shard holds only its users' lists, and the incremental run then reads the edges).
        const compact = shard === undefined && model !== 'als';
        if (compact) await repo.writeVersionLists(model, version, encodeLists(compactLists(result.neighbours, users)));
        if (foldIn !== undefined) {
          await repo.writeAlsFactors(model, version, foldIn);
          foldInModels.add(model);
        }
        // The shard that decided for the run stored the fold-in factors with the version already.
        if (plan?.als !== undefined) foldInModels.add(model);
        // A full version is its own floor: its lists are its own edges, and every older edge goes after the grace.
        const activation = repo.activate({
          model,
          version,
          floor: version,
          params: JSON.stringify({
            ...paramsOf(model, { ...params, ann: result.search.ann }),
            search: result.search,
            dataAsOf,
            ...searchFigures(result.details),
            ...(fit !== undefined ? { validation: validationFigures(fit, params) } : {}),
            ...(plan !== undefined
              ? {
                  decided: {
                    by: plan.by,
                    seconds: plan.seconds,
                    ...(plan.als !== undefined
                      ? {
                          alsFactors: {
                            chunks: plan.als.chunks,
                            bytes: plan.als.bytes,
                            trainSeconds: plan.als.trainSeconds,
                          },
                        }
                      : {}),
                  },
                }
              : {}),
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
        // Compact lists of other versions (superseded, or of runs that never completed) are no longer read.
        if (compact) await repo.deleteVersionLists(model, [version]);
        // The user factors were for the run's shards; the version keeps its fold-in factors (AlsFactors) only.
        if (plan?.als !== undefined) await repo.deleteAlsUserFactors(model, version);
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
    // The rows read, for the next incremental run (a shard's run leaves that to a whole run: see docs/DESIGN.md).
    if (shard === undefined && reports.some((r) => r.model !== 'als')) await loader.store(dataAsOf);
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
      // Everything written before this full version: the previous version and, after incremental runs, its base.
      r.oldEdgesDeleted = await repo.deleteSuperseded(r.model, r.version, deleteBatch);
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
