// Offline evaluation: hide part of every user's course views, compute neighbours on the rest (in memory, the served
// edges are untouched), recommend the hidden courses from neighbours, and compare with popularity and random.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { badInput } from '../errors';
import type { SimilarityRepository } from '../graph/similarity-repository';
import { silentLogger, type Logger } from '../log';
import { seededRandom } from '../similarity/als';
import { createPool, type Pool } from '../similarity/pool';
import type { Signals, UserIndex } from './signals';
import { SignalLoader } from './signals';
import {
  communityShare,
  holdOut,
  popularityOrder,
  recommendFromNeighbours,
  recommendInOrder,
  recommendRandom,
  scoreRecommender,
  type HoldOut,
  type RankingFigures,
} from './metrics';
import { computeModel, type CosineWeights, type ModelName, type ModelParams, signalsOf } from './models';
import { table } from './similarity-job';

export interface EvaluateOptions {
  models: ModelName[];
  params: ModelParams;
  /** Share of each user's viewed courses hidden (users with at least 2 views). */
  fraction: number;
  seed: number;
  /** Recommendations per user scored (recall@k, NDCG@k). */
  k: number;
  /** Ground-truth community per user row (-1 unknown), e.g. from the generator's communities.csv. */
  communities?: Int32Array;
  log?: Logger;
}

export interface EvaluationRow extends RankingFigures {
  name: string;
  /** Share of top neighbours in the same planted community (when communities are known). */
  community?: number;
  /** Users with at least one neighbour on the training split. */
  usersWithNeighbours?: number;
  computeSeconds?: number;
}

export interface Evaluation {
  rows: EvaluationRow[];
  usersScored: number;
  hidden: number;
  protocol: { fraction: number; seed: number; k: number; neighbours: number };
}

/** The signals with course views replaced by the training part of a hold-out split. */
export function withTrainViews(s: Signals, split: HoldOut): Signals {
  return { ...s, views: split.train };
}

/** Evaluates the given models, plus popularity and random baselines, on one seeded hold-out split. */
export async function evaluateModels(signals: Signals, opts: EvaluateOptions, pool?: Pool): Promise<Evaluation> {
  const log = opts.log ?? silentLogger;
  const views = signals.views;
  if (views === undefined) throw new Error('evaluation needs the views signal');
  const split = holdOut(views, opts.fraction, opts.seed);
  const train = withTrainViews(signals, split);
  const rows: EvaluationRow[] = [];
  for (const model of opts.models) {
    const t = performance.now();
    const result = await computeModel(model, train, opts.params, pool);
    const computeSeconds = (performance.now() - t) / 1000;
    const nb = result.neighbours;
    const figures = scoreRecommender(split, opts.k, (r) => recommendFromNeighbours(nb, split.train, r, opts.k));
    let withNeighbours = 0;
    for (let r = 0; r < nb.rows; r++) if (nb.k > 0 && nb.index[r * nb.k]! >= 0) withNeighbours++;
    const row: EvaluationRow = { name: model, ...figures, usersWithNeighbours: withNeighbours, computeSeconds };
    if (opts.communities !== undefined) {
      const share = communityShare(nb, opts.communities);
      if (share !== undefined) row.community = share;
    }
    log.info(`evaluated ${model}: recall@${opts.k} ${figures.recall.toFixed(4)} in ${computeSeconds.toFixed(1)} s`);
    rows.push(row);
  }
  const order = popularityOrder(split.train);
  rows.push({
    name: 'popularity',
    ...scoreRecommender(split, opts.k, (r) => recommendInOrder(order, split.train, r, opts.k)),
  });
  const random = seededRandom(opts.seed + 1);
  rows.push({
    name: 'random',
    ...scoreRecommender(split, opts.k, (r) => recommendRandom(random, split.train, r, opts.k)),
  });
  return {
    rows,
    usersScored: split.rows,
    hidden: split.test.indices.length,
    protocol: { fraction: opts.fraction, seed: opts.seed, k: opts.k, neighbours: opts.params.k },
  };
}

/** Loads what the models need (views always), evaluates, and stores each model's figures on its model node. */
export async function runEvaluation(
  repo: SimilarityRepository,
  opts: Omit<EvaluateOptions, 'communities'> & { communitiesFile?: string; store?: boolean },
): Promise<Evaluation> {
  const loader = await SignalLoader.open(repo);
  await loader.need(['views', ...opts.models.flatMap(signalsOf)]);
  const communities =
    opts.communitiesFile !== undefined ? readCommunities(opts.communitiesFile, loader.signals.users) : undefined;
  const pool = opts.params.threads > 1 ? createPool(opts.params.threads) : undefined;
  let evaluation: Evaluation;
  try {
    evaluation = await evaluateModels(
      loader.signals,
      { ...opts, ...(communities !== undefined ? { communities } : {}) },
      pool,
    );
  } finally {
    await pool?.close();
  }
  if (opts.store !== false) {
    const baselines = Object.fromEntries(
      evaluation.rows
        .filter((r) => r.name === 'popularity' || r.name === 'random')
        .map((r) => [r.name, { recall: r.recall, ndcg: r.ndcg, coverage: r.coverage }]),
    );
    for (const row of evaluation.rows) {
      if (row.name === 'popularity' || row.name === 'random') continue;
      const metrics = {
        evaluatedAt: new Date().toISOString(),
        protocol: { ...evaluation.protocol, usersScored: evaluation.usersScored, hiddenViews: evaluation.hidden },
        [`recall@${opts.k}`]: row.recall,
        [`ndcg@${opts.k}`]: row.ndcg,
        coverage: row.coverage,
        ...(row.community !== undefined ? { communityShare: row.community } : {}),
        baselines,
      };
      await repo.setMetrics(row.name, JSON.stringify(metrics));
    }
  }
  return evaluation;
}

/** Reads `user_handle,community` (plain or .gz) into a community per user row, -1 for users not listed. */
export function readCommunities(file: string, users: UserIndex): Int32Array {
  if (!fs.existsSync(file)) throw badInput(`--communities: expected a file, got "${file}" (not found)`);
  let raw = fs.readFileSync(file);
  if (file.endsWith('.gz')) raw = zlib.gunzipSync(raw);
  // Plain two-column CSV; quotes around fields (as some writers add) are dropped.
  const lines = raw.toString('utf8').replace(/"/g, '').split(/\r?\n/);
  const header = (lines[0] ?? '').trim();
  if (header !== 'user_handle,community') {
    throw badInput(`${file}:1: expected header "user_handle,community", got "${header}"`);
  }
  const out = new Int32Array(users.size).fill(-1);
  const names = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const [h, c] = line.split(',');
    const handle = Number(h);
    if (!Number.isInteger(handle) || c === undefined || c === '') {
      throw badInput(`${file}:${i + 1}: expected "<integer handle>,<community>", got "${line}"`);
    }
    let id = names.get(c);
    if (id === undefined) {
      id = names.size;
      names.set(c, id);
    }
    const r = users.row(handle);
    if (r !== undefined) out[r] = id;
  }
  return out;
}

export function formatEvaluation(e: Evaluation): string {
  const k = e.protocol.k;
  const withCommunity = e.rows.some((r) => r.community !== undefined);
  const head = [
    'model',
    `recall@${k}`,
    `NDCG@${k}`,
    'coverage',
    ...(withCommunity ? ['same community'] : []),
    'compute s',
  ];
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows = e.rows.map((r) => [
    r.name,
    r.recall.toFixed(4),
    r.ndcg.toFixed(4),
    pct(r.coverage),
    ...(withCommunity ? [r.community !== undefined ? pct(r.community) : '-'] : []),
    r.computeSeconds !== undefined ? r.computeSeconds.toFixed(1) : '-',
  ]);
  const best = e.rows
    .filter((r) => r.name !== 'popularity' && r.name !== 'random')
    .reduce<EvaluationRow | undefined>((a, r) => (a === undefined || r.recall > a.recall ? r : a), undefined);
  const pop = e.rows.find((r) => r.name === 'popularity');
  const lift =
    best !== undefined && pop !== undefined && pop.recall > 0
      ? `\nbest model ${best.name}: recall@${k} ${((100 * (best.recall - pop.recall)) / pop.recall).toFixed(1)}% relative to popularity`
      : '';
  return (
    `${table(head, rows)}\n` +
    `${e.usersScored.toLocaleString('en-US')} users scored, ${e.hidden.toLocaleString('en-US')} hidden views ` +
    `(${Math.round(100 * e.protocol.fraction)}% per user with >= 2 views, seed ${e.protocol.seed}), ` +
    `${e.protocol.neighbours} neighbours per user${lift}`
  );
}

/** Weight grid for the cosine model, scored on the same split; the best first. */
export async function tuneWeights(
  signals: Signals,
  opts: Omit<EvaluateOptions, 'models'>,
  grid: CosineWeights[],
  pool?: Pool,
): Promise<Array<{ weights: CosineWeights; row: EvaluationRow }>> {
  const out: Array<{ weights: CosineWeights; row: EvaluationRow }> = [];
  for (const weights of grid) {
    const e = await evaluateModels(signals, { ...opts, models: ['cosine'], params: { ...opts.params, weights } }, pool);
    out.push({ weights, row: e.rows[0]! });
  }
  return out.sort((a, b) => b.row.recall - a.row.recall);
}
