// A sharded run's decisions, made once: the first shard to ask for a model claims them on the run's version (the
// model's node), fits the model's choices, trains ALS and stores the result; the other shards read it instead of
// repeating the work. The same data and flags give the same decisions, so the edges do not depend on which shard
// made them, but the work is done once.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors';
import type { SimilarityRepository, StoredUserFactors } from '../graph/similarity-repository';
import type { Logger } from '../log';
import type { Pool } from '../similarity/pool';
import type { DenseMatrix } from '../similarity/types';
import { alsVersionFactors, encodeAlsFactors, fromBase64, toBase64 } from './als-fold-in';
import { trainAlsUsers, type AlsParams, type TrainedAls } from './als-model';
import { fitForRun, type FitResult, type Validation } from './fit';
import type { CosineWeights, ModelName, ModelParams } from './models';
import type { Signals } from './signals';

/** How shards share a run's decisions. */
export interface PlanOptions {
  /** How long a claim on a model's decisions lives without renewal, in ms (renewed between fit candidates). */
  ttlMs: number;
  /** How often a shard waiting for another's decisions asks again, in ms. */
  pollMs: number;
  /** How long a shard waits for another shard's decisions before it fails, in ms. */
  waitMs: number;
}

/**
 * Ten minutes without renewal: a claim is renewed after every fit candidate and around ALS training, and the
 * longest single step (training ALS on 1,000,000 users) takes minutes. Two hours of waiting in all.
 */
export const DEFAULT_PLAN_OPTIONS: PlanOptions = { ttlMs: 10 * 60_000, pollMs: 2_000, waitMs: 2 * 3_600_000 };

/**
 * Raw bytes of user factors per stored chunk: 4 MiB, 16,384 users at 64 factors (5.6 MB of base64 per node
 * property). 100,000 users are 7 chunks (25.6 MB), 1,000,000 users 62 chunks (256 MB); one property of that size
 * would be one transaction and one message of hundreds of MB.
 */
export const USER_FACTOR_CHUNK_BYTES = 4 * 1024 * 1024;

/** The fitted choices and the validation figures, as a plan stores them. */
export interface StoredFit {
  choices: { weights: CosineWeights; viewsWeighting: ModelParams['viewsWeighting']; als: AlsParams };
  validation: Validation;
  tried: FitResult['tried'];
  skipped: number;
  /** Absent in plans stored before it was counted. */
  trainings?: number;
  seconds: number;
}

/** One model's decisions for a run, stored as JSON on the model's node while the run writes its version. */
export interface RunPlan {
  /** The shard that made them (its claim owner). */
  by: string;
  /** Seconds they took (fit, ALS training, storing the factors). */
  seconds: number;
  /** The fit; null when the run does not fit or the data had too few users to validate on. */
  fit: StoredFit | null;
  /** ALS: the user factors stored for the shards (AlsUserFactors chunks of the version) and training figures. */
  als?: {
    users: number;
    factors: number;
    chunks: number;
    bytes: number;
    usersWithSignal: number;
    nonZeros: number;
    details: Record<string, unknown>;
    trainSeconds: number;
    storeSeconds: number;
  };
}

/** A claim owner's id: the shard, host, process and a random suffix (a retried shard is another owner). */
export function planOwner(shard: { index: number; count: number }): string {
  return `shard ${shard.index}/${shard.count} ${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** The run's params with a plan's fitted choices, and the fit as the job reports it (undefined when not fitted). */
export function applyPlan(p: ModelParams, plan: RunPlan): { params: ModelParams; fit: FitResult | undefined } {
  if (plan.fit === null) return { params: p, fit: undefined };
  const c = plan.fit.choices;
  const params: ModelParams = { ...p, weights: { ...c.weights }, viewsWeighting: c.viewsWeighting, als: { ...c.als } };
  const { validation, tried, skipped, seconds } = plan.fit;
  return { params, fit: { params, validation, tried, skipped, trainings: plan.fit.trainings ?? 0, seconds } };
}

function storedFit(fit: FitResult): StoredFit {
  const p = fit.params;
  return {
    choices: { weights: p.weights, viewsWeighting: p.viewsWeighting, als: p.als },
    validation: fit.validation,
    tried: fit.tried,
    skipped: fit.skipped,
    trainings: fit.trainings,
    seconds: fit.seconds,
  };
}

/** Parses a stored plan; the error says what was expected when it is not one. */
export function parsePlan(model: ModelName, text: string): RunPlan {
  const plan = JSON.parse(text) as Partial<RunPlan> | null;
  if (plan === null || typeof plan !== 'object' || typeof plan.by !== 'string' || plan.fit === undefined) {
    throw new AppError(
      'INTERNAL',
      `${model}: expected the run's stored decisions (JSON with by, seconds, fit), but got ${text.slice(0, 120)}`,
    );
  }
  return plan as RunPlan;
}

/** User factor rows cut into chunks of at most maxBytes (whole rows, at least one per chunk), base64 float32. */
export function userFactorChunks(users: DenseMatrix, maxBytes: number): StoredUserFactors[] {
  const perChunk = Math.max(1, Math.floor(maxBytes / (users.cols * 4)));
  const out: StoredUserFactors[] = [];
  for (let first = 0, chunk = 0; first < users.rows; first += perChunk, chunk++) {
    const rows = Math.min(perChunk, users.rows - first);
    const data = users.data.subarray(first * users.cols, (first + rows) * users.cols);
    out.push({ chunk, first, rows, factors: users.cols, data: toBase64(data) });
  }
  return out;
}

/** The user factors back from their chunks: exactly `rows` rows of `cols`, in order, or an error saying what is off. */
export function userFactorsFromChunks(
  chunks: readonly StoredUserFactors[],
  rows: number,
  cols: number,
  what: string,
): DenseMatrix {
  const data = new Float32Array(rows * cols);
  let next = 0;
  for (const c of chunks) {
    if (c.first !== next || c.factors !== cols || c.first + c.rows > rows) {
      throw new AppError(
        'INTERNAL',
        `${what}: expected chunk ${c.chunk} to hold rows from ${next} (of ${rows}) with ${cols} factors, but got ` +
          `rows ${c.first}..${c.first + c.rows - 1} with ${c.factors}`,
      );
    }
    data.set(fromBase64(c.data, c.rows * cols, `${what}, chunk ${c.chunk}`), c.first * cols);
    next += c.rows;
  }
  if (next !== rows) {
    throw new AppError(
      'INTERNAL',
      `${what}: expected the factors of ${rows} users (the users this shard read), but the stored chunks hold ${next}`,
    );
  }
  return { rows, cols, data };
}

interface Claim {
  repo: SimilarityRepository;
  model: ModelName;
  run: string;
  version: number;
  owner: string;
  ttlMs: number;
}

/** Renews a claim at most every quarter of its life (or now, with force); throws when another shard took it over. */
function renewer(c: Claim): (force?: boolean) => Promise<void> {
  let last = performance.now();
  return async (force = false) => {
    if (!force && performance.now() - last < c.ttlMs / 4) return;
    last = performance.now();
    if (!(await c.repo.renewPlan(c.model, c.run, c.version, c.owner, c.ttlMs))) {
      throw new AppError(
        'INTERNAL',
        `${c.model}: expected ${c.owner} to hold the claim on run ${c.run}'s decisions, but another shard took it ` +
          `over (no renewal for ${c.ttlMs / 1000} s)`,
      );
    }
  };
}

/**
 * Makes one model's decisions for a run (the caller holds the claim): fits on the run's data when it fits, trains
 * ALS with the chosen params and stores its user factors (for the shards) and item factors (for folding users
 * in) with the version, then stores the plan. Returns the plan and, for ALS, the trained factors.
 */
export async function makePlan(
  claim: Claim,
  signals: Signals,
  p: ModelParams,
  opts: { pool?: Pool; log: Logger },
): Promise<{ plan: RunPlan; trained?: TrainedAls }> {
  try {
    return await decide(claim, signals, p, opts);
  } catch (err) {
    // The next shard to ask takes the decisions over at once rather than after the claim's life.
    await claim.repo.releasePlan(claim.model, claim.run, claim.version, claim.owner).catch(() => false);
    throw err;
  }
}

async function decide(
  claim: Claim,
  signals: Signals,
  p: ModelParams,
  opts: { pool?: Pool; log: Logger },
): Promise<{ plan: RunPlan; trained?: TrainedAls }> {
  const t0 = performance.now();
  const renew = renewer(claim);
  const { model, repo, version } = claim;
  const poolOpt = opts.pool !== undefined ? { pool: opts.pool } : {};
  const fit = p.fit.enabled
    ? await fitForRun(model, signals, p, { ...poolOpt, log: opts.log, progress: renew })
    : undefined;
  const plan: RunPlan = { by: claim.owner, seconds: 0, fit: fit === undefined ? null : storedFit(fit) };
  let trained: TrainedAls | undefined;
  if (model === 'als') {
    const { params } = applyPlan(p, plan);
    await renew(true);
    const tTrain = performance.now();
    trained = await trainAlsUsers(signals, params, opts.pool);
    const trainSeconds = (performance.now() - tTrain) / 1000;
    await renew(true);
    const tStore = performance.now();
    const chunks = userFactorChunks(trained.users, USER_FACTOR_CHUNK_BYTES);
    await repo.writeAlsUserFactors(model, version, chunks);
    await repo.writeAlsFactors(model, version, encodeAlsFactors(alsVersionFactors(signals, params.als, trained)));
    const storeSeconds = (performance.now() - tStore) / 1000;
    plan.als = {
      users: trained.users.rows,
      factors: trained.users.cols,
      chunks: chunks.length,
      bytes: trained.users.rows * trained.users.cols * 4,
      usersWithSignal: trained.usersWithSignal,
      nonZeros: trained.nonZeros,
      details: trained.details,
      trainSeconds: Math.round(trainSeconds * 10) / 10,
      storeSeconds: Math.round(storeSeconds * 10) / 10,
    };
    opts.log.info(
      `${model}: trained once for run ${claim.run} in ${trainSeconds.toFixed(1)} s; user factors stored for the ` +
        `shards (${chunks.length} chunk(s), ${(plan.als.bytes / 1024 / 1024).toFixed(1)} MiB) in ${storeSeconds.toFixed(1)} s`,
    );
  }
  plan.seconds = Math.round(((performance.now() - t0) / 1000) * 10) / 10;
  if (!(await repo.storePlan(model, claim.run, version, claim.owner, JSON.stringify(plan)))) {
    throw new AppError(
      'INTERNAL',
      `${model}: expected ${claim.owner} to store run ${claim.run}'s decisions, but its claim was taken over`,
    );
  }
  return { plan, ...(trained !== undefined ? { trained } : {}) };
}

/** The ALS factors a plan stored for the shards, read back as the claimer trained them. */
export async function readPlannedAls(
  repo: SimilarityRepository,
  model: ModelName,
  version: number,
  plan: RunPlan,
  users: number,
): Promise<TrainedAls> {
  const a = plan.als;
  if (a === undefined) {
    throw new AppError('INTERNAL', `${model}: expected the run's decisions to hold ALS factors, but they have none`);
  }
  if (a.users !== users) {
    throw new AppError(
      'INTERNAL',
      `${model}: expected the run's ALS factors to cover the ${users} users this shard read, but they cover ` +
        `${a.users} (the users changed while the run was going on)`,
    );
  }
  const chunks = await repo.alsUserFactors(model, version);
  const factors = userFactorsFromChunks(chunks, users, a.factors, `${model} version ${version} user factors`);
  // Item factors and the mean are the fold-in's (stored on AlsFactors by the claimer); the search needs neither.
  return {
    users: factors,
    items: { rows: 0, cols: a.factors, data: new Float32Array(0) },
    mean: null,
    usersWithSignal: a.usersWithSignal,
    nonZeros: a.nonZeros,
    details: a.details,
  };
}
