// The five similarity models: which signals each reads, how it turns them into a matrix, and its neighbours.
import { badInput } from '../errors';
import { hstack, l2NormalizeRows, mapValues, multiply, nnz, nonEmptyRows, scale } from '../similarity/csr';
import { bm25, log1pValues, normalizeColumnsByMax, tfidf } from '../similarity/weighting';
import { sampledSparseRecall, sampleRows, sparseAnnTopK } from '../similarity/sparse-ann';
import { cosineTopK, exactWork } from '../similarity/topk';
import type { Pool } from '../similarity/pool';
import type { Csr, Neighbours } from '../similarity/types';
import type { Logger } from '../log';
import { alsNeighbours, type AlsParams, DEFAULT_ALS } from './als-model';
import { widen, type SignalName, type Signals } from './signals';

export const MODEL_NAMES = ['interests', 'course_views', 'assessments', 'cosine', 'als'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/**
 * Per-signal weights of the `cosine` model. Each block is L2-normalised per user, then multiplied by its
 * weight, then the blocks are stacked and compared by cosine; so a weight is the relative importance of
 * that signal for a user who has all of them (a user lacking a signal is compared on the others).
 */
export interface CosineWeights {
  /** Followed tags, TF-IDF. */
  interests: number;
  /** Viewed courses, log1p(seconds) then BM25 (damps popular courses and heavy viewers). */
  views: number;
  /** Tags reached through viewed courses (views x course tags), TF-IDF over those tags. */
  courseTags: number;
  /** Assessed tags, best score normalised by the tag's best score. */
  assessments: number;
}

/**
 * Defaults chosen by `npm run evaluate -- --tune-weights` (48 combinations, hold-out recall@10) on the generated
 * 10,000-user data set the acceptance check uses (seed 1, with the real course tags and assessments): interests
 * carry most of the signal, tags reached through viewed courses come next, raw course identity and assessments
 * help less. Only the ratios matter (cosine ignores a common scale). Figures in bench/README.md.
 */
export const DEFAULT_WEIGHTS: CosineWeights = { interests: 4, views: 1, courseTags: 2, assessments: 1 };

/** The approximate search of the sparse models (see sparseAnnTopK), used with --ann. */
export interface SparseAnnParams {
  /** Projection dimensions the HNSW indexes work in. */
  dims: number;
  /** Candidates per row and shard taken from the indexes and re-ranked by exact cosine. */
  candidates: number;
  /** Neighbour-of-neighbour refinement rounds. */
  rounds: number;
  /** Neighbours kept per row while searching, as a multiple of k (the k best are written). */
  listFactor: number;
  seed: number;
  /** Users whose exact neighbours are computed to measure the recall. */
  recallSample: number;
}

export const DEFAULT_SPARSE_ANN: SparseAnnParams = {
  dims: 64,
  candidates: 50,
  rounds: 4,
  listFactor: 3,
  seed: 100,
  recallSample: 500,
};

/** How a run fits: the validation split's seed, the users it samples at most, and a time budget per model. */
export interface FitSettings {
  enabled: boolean;
  seed: number;
  /** Users the validation split is drawn from at most (a seeded sample beyond), so fitting stays bounded. */
  maxUsers: number;
  /** Seconds a model's search may take; the candidates not tried by then are skipped (and said so). */
  budgetSeconds: number;
}

/**
 * 20,000 users keep fitting bounded at any size (about 10 s per fitted model at 10,000 users on two cores). The
 * budget is a safety net, not the plan: a fit it cuts depends on the machine's speed (and says so), and the most
 * telling choices are searched first.
 */
export const DEFAULT_FIT: FitSettings = { enabled: true, seed: 11, maxUsers: 20_000, budgetSeconds: 120 };
/** ALS sweeps while fitting: enough to rank the candidates; the chosen ones are trained with the full count. */
export const FIT_ALS_ITERATIONS = 8;

export interface ModelParams {
  k: number;
  weights: CosineWeights;
  /** How the cosine model weights its views block: log1p(seconds) then BM25, or binary TF-IDF (idf). */
  viewsWeighting: 'bm25' | 'idf';
  /** Fitting of the free choices (cosine: weights, viewsWeighting; als: hyper-parameters) on a validation split. */
  fit: FitSettings;
  /** Choices given explicitly (e.g. 'weights.views', 'alpha'): fitting leaves them as they are. */
  fixed: Set<string>;
  als: AlsParams;
  /** Approximate search for the models in ANN_MODELS: HNSW on the factors (als), sparseAnnTopK (interests, cosine). */
  ann: boolean;
  sparseAnn: SparseAnnParams;
  threads: number;
  /** BM25 saturation and length damping for course views. */
  bm25: { k1: number; b: number };
}

export function defaultParams(): ModelParams {
  return {
    k: 10,
    weights: { ...DEFAULT_WEIGHTS },
    viewsWeighting: 'bm25',
    fit: { ...DEFAULT_FIT },
    fixed: new Set(),
    als: { ...DEFAULT_ALS },
    ann: false,
    sparseAnn: { ...DEFAULT_SPARSE_ANN },
    threads: 2,
    bm25: { k1: 1.2, b: 0.75 },
  };
}

/** The signals each model reads. */
export function signalsOf(model: ModelName): SignalName[] {
  switch (model) {
    case 'interests':
      return ['interests'];
    case 'course_views':
      return ['views'];
    case 'assessments':
      return ['assessments'];
    case 'cosine':
      return ['interests', 'views', 'assessments', 'courseTags'];
    case 'als':
      return ['interests', 'views'];
  }
}

/** The models whose choices are fitted on a validation split at each run (the others are only scored). */
export const FITTED_MODELS: readonly ModelName[] = ['cosine', 'als'];

/** The fitted choices of a model, as printed and compared. */
export function fittedChoices(model: ModelName, p: ModelParams): Record<string, unknown> {
  if (model === 'cosine') return { viewsWeighting: p.viewsWeighting, weights: { ...p.weights } };
  if (model === 'als') {
    const a = p.als;
    return {
      alpha: a.alpha,
      confidence: a.confidence,
      interestWeight: a.interestWeight,
      regularization: a.regularization,
      factors: a.factors,
    };
  }
  return {};
}

/**
 * The models --ann makes approximate. course_views and assessments stay exact: their rows are short (a few of
 * thousands of columns), a low-dimensional projection loses them (course_views recall 0.62 at 100k), and their
 * exact search stays fast (course_views 496 s, assessments 302 s at 1,000,000 users).
 */
export const ANN_MODELS: readonly ModelName[] = ['interests', 'cosine', 'als'];

/** Whether this run computes the model approximately. */
export function usesAnn(model: ModelName, p: Pick<ModelParams, 'ann'>): boolean {
  return p.ann && ANN_MODELS.includes(model);
}

/** The parameters that shape one model's output, as stored (JSON) on its model node. */
export function paramsOf(model: ModelName, p: ModelParams): Record<string, unknown> {
  const ann = usesAnn(model, p) ? { ann: true, annSearch: p.sparseAnn } : { ann: false };
  switch (model) {
    case 'interests':
    case 'assessments':
      return { k: p.k, ...ann };
    case 'course_views':
      return { k: p.k, bm25: p.bm25, ...ann };
    case 'cosine':
      return { k: p.k, weights: p.weights, viewsWeighting: p.viewsWeighting, bm25: p.bm25, ...ann };
    case 'als':
      return { k: p.k, ...p.als, ann: p.ann };
  }
}

function required(s: Signals, name: SignalName): Csr {
  const m = s[name];
  if (m === undefined) throw new Error(`signal ${name} was not loaded`);
  return m;
}

/** Courses weighted by view time: log1p(seconds), then BM25 so that very popular courses count less. */
export function viewsMatrix(s: Signals, p: Pick<ModelParams, 'bm25'>): Csr {
  return bm25(log1pValues(required(s, 'views')), p.bm25);
}

export function interestsMatrix(s: Signals): Csr {
  return tfidf(required(s, 'interests'));
}

/** Assessed tags weighted by the best score, relative to the best score anyone got on that tag. */
export function assessmentsMatrix(s: Signals): Csr {
  return normalizeColumnsByMax(required(s, 'assessments'));
}

/** Tags reached through viewed courses: user x tag mass = sum over viewed courses of log1p(seconds), then TF-IDF. */
export function courseTagsMatrix(s: Signals): Csr {
  const ct = required(s, 'courseTags');
  const views = widen(log1pValues(required(s, 'views')), ct.rows);
  return tfidf(multiply(views, ct));
}

/** Viewed courses as binary TF-IDF: a course counts once whatever the time spent, rarer courses more. */
export function viewsIdfMatrix(s: Signals): Csr {
  return tfidf(mapValues(required(s, 'views'), () => 1));
}

/** All signals in one space: each block L2-normalised per user, weighted, stacked (see CosineWeights). */
export function cosineMatrix(s: Signals, p: Pick<ModelParams, 'bm25' | 'weights' | 'viewsWeighting'>): Csr {
  const tagCols = s.tags.size;
  const w = p.weights;
  const blocks: Array<[number, () => Csr]> = [
    [w.interests, () => widen(interestsMatrix(s), tagCols)],
    [w.views, () => (p.viewsWeighting === 'idf' ? viewsIdfMatrix(s) : viewsMatrix(s, p))],
    [w.courseTags, () => widen(courseTagsMatrix(s), tagCols)],
    [w.assessments, () => widen(assessmentsMatrix(s), tagCols)],
  ];
  const parts = blocks.filter(([weight]) => weight > 0).map(([weight, make]) => scale(l2NormalizeRows(make()), weight));
  if (parts.length === 0) throw badInput('cosine weights: expected at least one weight above 0, but all are 0');
  return hstack(parts);
}

/** The sparse matrix a cosine model compares users on (not used by `als`). */
export function modelMatrix(model: Exclude<ModelName, 'als'>, s: Signals, p: ModelParams): Csr {
  switch (model) {
    case 'interests':
      return interestsMatrix(s);
    case 'course_views':
      return viewsMatrix(s, p);
    case 'assessments':
      return assessmentsMatrix(s);
    case 'cosine':
      return cosineMatrix(s, p);
  }
}

export interface ModelResult {
  neighbours: Neighbours;
  /** Users with any non-zero in the model's input (the others get no neighbours). */
  usersWithSignal: number;
  nonZeros: number;
  /** Extra figures worth storing (e.g. ALS loss, ANN recall). */
  details: Record<string, unknown>;
}

/** Exact searches expected to run longer than this many seconds get a hint about --ann. */
export const EXACT_HINT_SECONDS = 600;
/** Below this much work (sum of df^2) the exact search takes seconds and is not estimated. */
const ESTIMATE_ABOVE_WORK = 1e10;

/**
 * Seconds the exact search of m will take, estimated by timing it on `sample` seeded users (default 256) and
 * scaling by the number of users. The fixed cost of a search (normalising and transposing m, starting workers)
 * is timed apart, on an empty sample, and left out of the scaling.
 */
export async function estimateExactSeconds(
  m: Csr,
  k: number,
  opts: { threads: number; pool?: Pool; sample?: number },
): Promise<number> {
  const rows = sampleRows(m.rows, opts.sample ?? 256, 1);
  if (rows.length === 0) return 0;
  const tieKey = new Float64Array(m.rows);
  const time = async (queryRows: Int32Array): Promise<number> => {
    const t = performance.now();
    await cosineTopK(m, k, { tieKey, queryRows, threads: opts.threads, ...(opts.pool ? { pool: opts.pool } : {}) });
    return (performance.now() - t) / 1000;
  };
  const fixed = await time(new Int32Array(0));
  return (Math.max(0, (await time(rows)) - fixed) * m.rows) / rows.length;
}

/**
 * Computes the top-k neighbours of every user under one model: exactly, or with p.ann approximately (then the
 * recall against the exact search on a sample of users is in details.annRecall). `log` hears of a long exact search.
 * With `queryRows`, only those users' neighbours are computed (exactly), e.g. for validation.
 */
export async function computeModel(
  model: ModelName,
  s: Signals,
  p: ModelParams,
  pool?: Pool,
  log?: Logger,
  queryRows?: Int32Array,
): Promise<ModelResult> {
  const tieKey = s.users.handles;
  if (model === 'als') return alsNeighbours(s, p, pool, queryRows);
  const m = modelMatrix(model, s, p);
  const poolOpt = pool !== undefined ? { pool } : {};
  const base = { usersWithSignal: nonEmptyRows(m), nonZeros: nnz(m) };
  if (queryRows !== undefined) {
    // Only some users' lists (validation): always the exact search.
    const neighbours = await cosineTopK(m, p.k, { tieKey, threads: p.threads, queryRows, ...poolOpt });
    return { neighbours, ...base, details: {} };
  }
  if (!usesAnn(model, p)) {
    if (log !== undefined && exactWork(m) > ESTIMATE_ABOVE_WORK) {
      const estimate = await estimateExactSeconds(m, p.k, { threads: p.threads, ...poolOpt });
      if (estimate > EXACT_HINT_SECONDS) {
        log.warn(
          `${model}: the exact search will take about ${Math.round(estimate / 60)} min here (timed on 256 sampled ` +
            `users); --ann finds approximate neighbours (exact scores, recall measured) in a fraction of that`,
        );
      }
    }
    const neighbours = await cosineTopK(m, p.k, { tieKey, threads: p.threads, ...poolOpt });
    return { neighbours, ...base, details: {} };
  }
  const a = p.sparseAnn;
  const found = await sparseAnnTopK(m, p.k, {
    tieKey,
    threads: p.threads,
    dims: a.dims,
    candidates: a.candidates,
    rounds: a.rounds,
    listSize: Math.ceil(a.listFactor * p.k),
    seed: a.seed,
    ...poolOpt,
  });
  const neighbours: Neighbours = { rows: found.rows, k: found.k, index: found.index, score: found.score };
  const annRecall = await sampledSparseRecall(m, neighbours, {
    sample: a.recallSample,
    seed: a.seed,
    tieKey,
    threads: p.threads,
    ...poolOpt,
  });
  return {
    neighbours,
    ...base,
    details: {
      annRecall,
      annRecallSample: Math.min(a.recallSample, m.rows),
      annDims: found.dims,
      exactRows: found.exactRows,
    },
  };
}

/** Parses `interests=4,views=1,courseTags=2,assessments=1` (any subset) over the defaults. */
export function parseWeights(text: string | undefined, base: CosineWeights = DEFAULT_WEIGHTS): CosineWeights {
  const out = { ...base };
  if (text === undefined || text.trim() === '') return out;
  for (const part of text.split(',')) {
    const [key, value] = part.split('=').map((x) => x.trim());
    const n = Number(value);
    if (key === undefined || !(key in out) || value === undefined || value === '' || !Number.isFinite(n) || n < 0) {
      throw badInput(
        `--weights: expected name=number pairs with names ${Object.keys(out).join(', ')} and numbers >= 0, got "${part}"`,
      );
    }
    out[key as keyof CosineWeights] = n;
  }
  return out;
}

export function parseModels(text: string | undefined): ModelName[] {
  if (text === undefined || text === 'all') return [...MODEL_NAMES];
  const out: ModelName[] = [];
  for (const name of text.split(',').map((x) => x.trim())) {
    if (!(MODEL_NAMES as readonly string[]).includes(name)) {
      throw badInput(`--model: expected one of ${MODEL_NAMES.join(', ')} or all, got "${name}"`);
    }
    if (!out.includes(name as ModelName)) out.push(name as ModelName);
  }
  return out;
}
