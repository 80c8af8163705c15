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
import { fitForRun } from './fit';
import {
  computeModel,
  defaultParams,
  FITTED_MODELS,
  fittedChoices,
  type ModelName,
  type ModelParams,
  signalsOf,
} from './models';
import { table } from '../text-table';

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
  /** A ready hold-out of the views (e.g. the real structure's); otherwise one is drawn with fraction and seed. */
  split?: HoldOut;
  /** How the split was made, when it was given (printed with the table). */
  protocol?: string;
  log?: Logger;
}

export interface EvaluationRow extends RankingFigures {
  name: string;
  /** Share of top neighbours in the same planted community (when communities are known). */
  community?: number;
  /** Users with at least one neighbour on the training split. */
  usersWithNeighbours?: number;
  /** Fitting and computing, in seconds. */
  computeSeconds?: number;
  /** recall@10 on the validation split carved from the training data (what a run picks its default by). */
  validation?: number;
  /** The choices the fit made (fitted models). */
  chosen?: Record<string, unknown>;
  /** The model a run on this training data would serve by default: the best validation recall. */
  default?: boolean;
}

export interface Evaluation {
  rows: EvaluationRow[];
  usersScored: number;
  hidden: number;
  protocol: { fraction: number; seed: number; k: number; neighbours: number; text?: string };
}

/** The signals with course views replaced by the training part of a hold-out split. */
export function withTrainViews(s: Signals, split: HoldOut): Signals {
  return { ...s, views: split.train };
}

/**
 * Evaluates the given models, plus popularity and random baselines, on one seeded hold-out split (or the one given).
 * Each model is first fitted as a run would fit it (on a validation split carved from the training part, never on
 * the hidden views), then computed on the training part; each user's neighbours recommend the hidden courses.
 */
export async function evaluateModels(signals: Signals, opts: EvaluateOptions, pool?: Pool): Promise<Evaluation> {
  const log = opts.log ?? silentLogger;
  const views = signals.views;
  if (views === undefined) throw new Error('evaluation needs the views signal');
  const split = opts.split ?? holdOut(views, opts.fraction, opts.seed);
  const train = withTrainViews(signals, split);
  const order = popularityOrder(split.train);
  const rows: EvaluationRow[] = [];
  for (const model of opts.models) {
    const t = performance.now();
    let params = opts.params;
    const row: EvaluationRow = { name: model, users: 0, recall: 0, ndcg: 0, coverage: 0 };
    const fitted = params.fit.enabled
      ? await fitForRun(model, train, params, { ...(pool !== undefined ? { pool } : {}), log })
      : undefined;
    if (fitted !== undefined) {
      params = fitted.params;
      row.validation = fitted.validation.recall;
      if (FITTED_MODELS.includes(model)) row.chosen = fittedChoices(model, params);
    }
    const result = await computeModel(model, train, params, pool);
    const computeSeconds = (performance.now() - t) / 1000;
    const nb = result.neighbours;
    const figures = scoreRecommender(split, opts.k, (r) => recommendFromNeighbours(nb, split.train, r, opts.k, order));
    let withNeighbours = 0;
    for (let r = 0; r < nb.rows; r++) if (nb.k > 0 && nb.index[r * nb.k]! >= 0) withNeighbours++;
    Object.assign(row, figures, { usersWithNeighbours: withNeighbours, computeSeconds });
    if (opts.communities !== undefined) {
      const share = communityShare(nb, opts.communities);
      if (share !== undefined) row.community = share;
    }
    log.info(`evaluated ${model}: recall@${opts.k} ${figures.recall.toFixed(4)} in ${computeSeconds.toFixed(1)} s`);
    rows.push(row);
  }
  const best = rows.reduce<EvaluationRow | undefined>(
    (a, r) => (r.validation !== undefined && (a === undefined || r.validation > a.validation!) ? r : a),
    undefined,
  );
  if (best !== undefined) best.default = true;
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
    protocol: {
      fraction: opts.fraction,
      seed: opts.seed,
      k: opts.k,
      neighbours: opts.params.k,
      ...(opts.protocol !== undefined
        ? {
            text:
              opts.protocol +
              (opts.params.fit.enabled
                ? '; each model fitted on a validation split of the training part, then computed on all of it'
                : '; no fit (--no-fit): the given parameters'),
          }
        : {}),
    },
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
  const withValidation = e.rows.some((r) => r.validation !== undefined);
  const head = [
    'model',
    ...(withValidation ? [`validation recall@${k}`] : []),
    `recall@${k}`,
    `NDCG@${k}`,
    'coverage',
    ...(withCommunity ? ['same community'] : []),
    'compute s',
  ];
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows = e.rows.map((r) => [
    r.default === true ? `${r.name} (default)` : r.name,
    ...(withValidation ? [r.validation !== undefined ? r.validation.toFixed(4) : '-'] : []),
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
      ? `\nbest model ${best.name}: recall@${k} ${(best.recall / pop.recall).toFixed(2)}x popularity's`
      : '';
  const how =
    e.protocol.text ??
    `${Math.round(100 * e.protocol.fraction)}% of the views of each user with >= 2 views held out, seed ${e.protocol.seed}`;
  const chosen = e.rows
    .filter((r) => r.chosen !== undefined)
    .map((r) => `\n${r.name} fitted: ${JSON.stringify(r.chosen)}`)
    .join('');
  const def = e.rows.some((r) => r.default === true)
    ? '\n(default): the best validation recall, the model a run on this data serves when a client names none'
    : '';
  return (
    `${table(head, rows)}\n` +
    `protocol: ${how}\n` +
    `${e.usersScored.toLocaleString('en-US')} users scored, ${e.hidden.toLocaleString('en-US')} hidden courses, ` +
    `${e.protocol.neighbours} neighbours per user${lift}${def}${chosen}`
  );
}

/** How well each signal alone predicts held-out courses: recall@10 of interests-only and views-only neighbours. */
export interface SignalStrength {
  interests: number;
  views: number;
  popularity: number;
}

/**
 * The protocol of the real-structure evaluation (a fifth, rounded down, of the courses of each user with 5+
 * courses held out) on any signals, with interests-only and views-only neighbours and popularity (no fitting):
 * what the generator is calibrated to, compared with the real behaviour structure.
 */
export async function signalStrength(
  signals: Signals,
  split: HoldOut | undefined,
  seed: number,
  pool?: Pool,
): Promise<SignalStrength> {
  const views = signals.views;
  if (views === undefined) throw new Error('signal strength needs the views signal');
  const params = defaultParams();
  params.fit.enabled = false;
  const e = await evaluateModels(
    signals,
    {
      models: ['interests', 'course_views'],
      params,
      fraction: 0.2,
      seed,
      k: 10,
      split: split ?? holdOut(views, 0.2, seed, 5, 'floor'),
    },
    pool,
  );
  const recall = (name: string) => e.rows.find((r) => r.name === name)?.recall ?? 0;
  return { interests: recall('interests'), views: recall('course_views'), popularity: recall('popularity') };
}
