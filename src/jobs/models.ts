// The five similarity models: which signals each reads, how it turns them into a matrix, and its neighbours.
import { MODEL_NAMES, type ModelName } from '../domain';
import { badInput } from '../errors';
import { hstack, l2NormalizeRows, mapValues, multiply, nnz, nonEmptyRows, scale } from '../similarity/csr';
import {
  bm25Idf,
  bm25Stats,
  bm25With,
  columnMax,
  divideByColumnMax,
  idf,
  log1pValues,
  tfidfWith,
  type Bm25Stats,
} from '../similarity/weighting';
import {
  firstK,
  sampledSparseRecall,
  sampleRows,
  SPARSE_ANN_DEFAULTS,
  sparseAnnTopK,
  type SparseAnnOptions,
} from '../similarity/sparse-ann';
import { cosineTopK, cosineTopKPrepared, exactWork, prepareCosine } from '../similarity/topk';
import { seededRandom } from '../similarity/als';
import { denseCosineTopK } from '../similarity/dense';
import { toShared, type Pool } from '../similarity/pool';
import type { Csr, DenseMatrix, Neighbours } from '../similarity/types';
import type { Logger } from '../log';
import { type AlsParams, DEFAULT_ALS, searchAlsUsers, trainAlsUsers, type TrainedAls } from './als-model';
import { type BlendPairs, blendNeighbours, blendPairs, blendWeight } from '../similarity/blend';
import { widen, type SignalName, type Signals } from './signals';

// The job's modules name models through this one; the names themselves are the domain's.
export { MODEL_NAMES, type ModelName } from '../domain';

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
 * Where each run's fit starts (and what a run with --no-fit uses): close to what the fit chooses on the real
 * behaviour structure, where what users watched predicts what they watch next far better than what they follow
 * (`npm run evaluate -- --real-structure FILE`). Only the ratios matter (cosine ignores a common scale).
 */
export const DEFAULT_WEIGHTS: CosineWeights = { interests: 0.25, views: 1, courseTags: 1, assessments: 0.25 };

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
  /**
   * Users per partition compared exactly for candidates instead of the HNSW indexes (0: HNSW); see partitionCandidates.
   * Interests' partitions grow beyond it with the square root of the users past PARTITION_GROWTH_FROM (annPartitionRows).
   */
  partitionRows: number;
  /** Partitions each user is compared with, nearest first. */
  probes: number;
}

export const DEFAULT_SPARSE_ANN: SparseAnnParams = {
  dims: SPARSE_ANN_DEFAULTS.dims,
  candidates: SPARSE_ANN_DEFAULTS.candidates,
  // The job refines one round more than the search's own default (SPARSE_ANN_DEFAULTS.rounds).
  rounds: 4,
  listFactor: SPARSE_ANN_DEFAULTS.listFactor,
  seed: SPARSE_ANN_DEFAULTS.seed,
  recallSample: 500,
  // Candidates from partitions of ~3,000 users, each user scored exactly against its 6 nearest (~18,000 users):
  // HNSW candidates gave recall@10 0.76-0.89 at 100,000 users, partitions of 1,500 0.95-0.98 (4-6 probes); recall
  // falls with size at a fixed partition size (0.943 at 200,000); partitions of 3,000 gave 0.966 there, as 12
  // probes of 1,500 did, at 2.6x the exact speed against 2.0x (bench/README.md, sparse-ann).
  partitionRows: 3000,
  probes: 6,
};

/** Users up to which the interests search keeps partitions of SparseAnnParams.partitionRows (see annPartitionRows). */
export const PARTITION_GROWTH_FROM = 250_000;

/** How a run fits: the validation split's seed, the users it samples at most, and the candidates it tries at most. */
export interface FitSettings {
  enabled: boolean;
  seed: number;
  /** Users the validation split is drawn from at most (a seeded sample beyond), so fitting stays bounded. */
  maxUsers: number;
  /**
   * Candidates a model's fit scores at most, its start included; the ones past it are skipped (and said so). A
   * count, not seconds: what a run decides depends on its data and flags, never on the machine's speed or load,
   * and a single process and the shards of a run decide alike.
   */
  maxCandidates: number;
  /**
   * Users whose hidden courses a candidate is scored on, at most (a seeded sample of the users with enough courses;
   * the others keep all theirs). Scoring is most of a candidate's cost (each scored user is searched against
   * everyone), and the candidates are compared on the same users, so a few thousand rank them as well as all.
   */
  maxQueryUsers: number;
}

/**
 * 20,000 users keep each candidate's cost bounded at any size (about 1 s per candidate at 10,000 users on two
 * cores), and the candidate limit bounds their number: 32 is above what the search axes hold (cosine 12, ALS 15,
 * starts included), so by default nothing is cut; the most telling choices are searched first.
 */
export const DEFAULT_FIT: FitSettings = {
  enabled: true,
  seed: 11,
  maxUsers: 20_000,
  maxCandidates: 32,
  maxQueryUsers: 3_000,
};
/** ALS sweeps while fitting: enough to rank the candidates; the chosen ones are trained with the full count. */
export const FIT_ALS_ITERATIONS = 6;

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
  /**
   * How the job chooses between the exact and the approximate search (see chooseSearch): `auto` from the exact
   * search's sampled estimate against exactBudgetSeconds, or forced (`--exact`, `--ann`). The job resolves it into
   * `ann` per model; code that calls computeModel directly uses `ann` as given.
   */
  search: SearchMode;
  /** Seconds one model's exact search may take before `auto` picks the approximate search. */
  exactBudgetSeconds: number;
  /**
   * Multiply-adds of an exact search (sparse: sum of df^2; ALS: users^2 x factors) below which it takes seconds
   * and is not estimated (`auto` then searches exactly).
   */
  estimateAboveWork: number;
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
    search: 'auto',
    exactBudgetSeconds: DEFAULT_EXACT_BUDGET_SECONDS,
    estimateAboveWork: ESTIMATE_ABOVE_WORK,
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
      centre: a.centre,
      blend: a.blend,
      blendShrink: a.blendShrink,
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

/** `auto`: the job picks the search from the exact one's estimate; `exact`, `ann`: forced (--exact, --ann). */
export type SearchMode = 'auto' | 'exact' | 'ann';
export const SEARCH_MODES: readonly SearchMode[] = ['auto', 'exact', 'ann'];

/**
 * Seconds one model's exact search may take before `auto` searches approximately (SIMILARITY_EXACT_BUDGET_SECONDS,
 * --exact-budget). Ten minutes: at 100,000 users every exact search stays well below (31-48 s on two cores), at
 * 1,000,000 interests and cosine exceed it (55 and ~90 min) and the approximate search is 5x faster.
 */
export const DEFAULT_EXACT_BUDGET_SECONDS = 600;

/** Why a model is searched the way it is. */
export type SearchReason =
  /** --exact or --ann. */
  | 'forced'
  /** The model has no approximate search (course_views, assessments). */
  | 'exact-only'
  /** Too little work to be worth estimating: the exact search takes seconds. */
  | 'small'
  /** The estimate is within the budget. */
  | 'within-budget'
  /** The estimate exceeds the budget. */
  | 'over-budget'
  /** A shard of a run: the approximate search does not run in shards, so shards search exactly. */
  | 'shard';

/** The search a run uses for one model, and why; stored with the version's parameters (`params.search`). */
export interface SearchChoice {
  mode: SearchMode;
  ann: boolean;
  reason: SearchReason;
  /** Seconds the exact search was estimated to take here (timed on sampled users); null when not estimated. */
  estimateSeconds: number | null;
  budgetSeconds: number;
}

/**
 * Decides a model's search. Forced modes win (`ann` only for the models that have an approximate search); in
 * `auto` the approximate search is picked when the exact one's estimate reaches the budget. A shard always
 * searches exactly (the caller refuses a forced --ann in shards).
 */
export function chooseSearch(
  model: ModelName,
  mode: SearchMode,
  estimateSeconds: number | null,
  budgetSeconds: number,
  opts: { shard?: boolean } = {},
): SearchChoice {
  const choice = (ann: boolean, reason: SearchReason): SearchChoice => ({
    mode,
    ann,
    reason,
    estimateSeconds: estimateSeconds === null ? null : Math.round(estimateSeconds * 10) / 10,
    budgetSeconds,
  });
  if (!ANN_MODELS.includes(model)) return choice(false, 'exact-only');
  if (opts.shard === true) return choice(false, mode === 'auto' ? 'shard' : 'forced');
  switch (mode) {
    case 'exact':
      return choice(false, 'forced');
    case 'ann':
      return choice(true, 'forced');
    case 'auto':
      if (estimateSeconds === null) return choice(false, 'small');
      // Exact only while it fits strictly within the budget: a budget of 0 always searches approximately.
      return estimateSeconds < budgetSeconds ? choice(false, 'within-budget') : choice(true, 'over-budget');
  }
}

/** One line saying which search a model gets and why, for the job's output. */
export function describeSearch(model: ModelName, c: SearchChoice): string {
  const search = c.ann ? 'approximate search' : 'exact search';
  const estimate =
    c.estimateSeconds === null
      ? ''
      : `exact search estimated at ${Math.round(c.estimateSeconds).toLocaleString('en-US')} s`;
  switch (c.reason) {
    case 'forced':
      return `${model}: ${search} (${c.ann ? '--ann' : '--exact'}${estimate !== '' ? `; ${estimate}` : ''})`;
    case 'exact-only':
      return `${model}: ${search} (the model has no approximate search${estimate !== '' ? `; ${estimate}` : ''})`;
    case 'small':
      return `${model}: ${search} (little work: not estimated)`;
    case 'within-budget':
      return `${model}: ${search} (${estimate}, within the budget of ${c.budgetSeconds} s; --ann forces the approximate one)`;
    case 'over-budget':
      return (
        `${model}: ${search} (${estimate}, at or over the budget of ${c.budgetSeconds} s; --exact forces the exact one, ` +
        `--exact-budget raises the budget)`
      );
    case 'shard':
      return `${model}: ${search} (a shard searches exactly; its share of the work is 1/N)`;
  }
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

/**
 * What a model's weighting takes from the whole training data, per column of the signals it was computed on:
 * idf of followed tags, BM25 statistics or binary idf of viewed courses, idf of tags reached through viewed
 * courses, the best score per assessed tag. Frozen with a version (see freezeWeighting), it lets one user's
 * row be weighted later exactly as in that version, whatever the graph became since.
 */
export interface WeightingStats {
  users: number;
  interestsIdf?: Float32Array;
  viewsBm25?: Bm25Stats;
  viewsIdf?: Float32Array;
  courseTagsIdf?: Float32Array;
  assessmentsMax?: Float64Array;
}

/** The blocks of a model's matrix, in column order: which signal, and the first column and width of each. */
export type Block = { signal: 'interests' | 'views' | 'courseTags' | 'assessments'; offset: number; cols: number };

/** The signal and item name behind column `col` of a model's matrix (layout `blocks`, over signals `s`). */
export function itemAt(blocks: readonly Block[], s: Signals, col: number): { signal: Block['signal']; item: string } {
  const block = blocks.find((b) => col >= b.offset && col < b.offset + b.cols);
  if (block === undefined) throw new RangeError(`expected a column inside the model's blocks, but got ${col}`);
  const names = block.signal === 'views' ? s.courses.names : s.tags.names;
  return { signal: block.signal, item: names[col - block.offset] ?? '' };
}

/** A model's matrix, the statistics its weighting took (or was given), and its column layout. */
export interface Weighted {
  matrix: Csr;
  stats: WeightingStats;
  blocks: Block[];
}

/** Courses weighted by view time: log1p(seconds), then BM25 so that very popular courses count less. */
function viewsBlock(s: Signals, p: Pick<ModelParams, 'bm25'>, st: WeightingStats): Csr {
  const m = log1pValues(required(s, 'views'));
  st.viewsBm25 ??= bm25Stats(m, p.bm25);
  return bm25With(m, st.viewsBm25);
}

/** Viewed courses as binary TF-IDF: a course counts once whatever the time spent, rarer courses more. */
function viewsIdfBlock(s: Signals, st: WeightingStats): Csr {
  const m = mapValues(required(s, 'views'), () => 1);
  st.viewsIdf ??= idf(m);
  return tfidfWith(m, st.viewsIdf);
}

function interestsBlock(s: Signals, st: WeightingStats): Csr {
  const m = required(s, 'interests');
  st.interestsIdf ??= idf(m);
  return tfidfWith(m, st.interestsIdf);
}

/** Assessed tags weighted by the best score, relative to the best score anyone got on that tag. */
function assessmentsBlock(s: Signals, st: WeightingStats): Csr {
  const m = required(s, 'assessments');
  st.assessmentsMax ??= columnMax(m);
  return divideByColumnMax(m, st.assessmentsMax);
}

/** Tags reached through viewed courses: user x tag mass = sum over viewed courses of log1p(seconds), then TF-IDF. */
function courseTagsBlock(s: Signals, st: WeightingStats): Csr {
  const ct = required(s, 'courseTags');
  const views = widen(log1pValues(required(s, 'views')), ct.rows);
  const m = multiply(views, ct);
  st.courseTagsIdf ??= idf(m);
  return tfidfWith(m, st.courseTagsIdf);
}

/** All signals in one space: each block L2-normalised per user, weighted, stacked (see CosineWeights). */
function cosineBlocks(
  s: Signals,
  p: Pick<ModelParams, 'bm25' | 'weights' | 'viewsWeighting'>,
  st: WeightingStats,
): { matrix: Csr; blocks: Block[] } {
  const tagCols = s.tags.size;
  const w = p.weights;
  const all: Array<[Block['signal'], number, () => Csr]> = [
    ['interests', w.interests, () => widen(interestsBlock(s, st), tagCols)],
    ['views', w.views, () => (p.viewsWeighting === 'idf' ? viewsIdfBlock(s, st) : viewsBlock(s, p, st))],
    ['courseTags', w.courseTags, () => widen(courseTagsBlock(s, st), tagCols)],
    ['assessments', w.assessments, () => widen(assessmentsBlock(s, st), tagCols)],
  ];
  const blocks: Block[] = [];
  const parts: Csr[] = [];
  let offset = 0;
  for (const [signal, weight, make] of all) {
    if (!(weight > 0)) continue;
    const part = scale(l2NormalizeRows(make()), weight);
    blocks.push({ signal, offset, cols: part.cols });
    offset += part.cols;
    parts.push(part);
  }
  if (parts.length === 0) throw badInput('cosine weights: expected at least one weight above 0, but all are 0');
  return { matrix: hstack(parts), blocks };
}

/**
 * The sparse matrix a cosine model compares users on (not used by `als`), with the statistics of its weighting:
 * taken from `s` itself, or the given ones (`stats`, e.g. a version's, thawed onto a few users' signals).
 */
export function weightedMatrix(
  model: Exclude<ModelName, 'als'>,
  s: Signals,
  p: Pick<ModelParams, 'bm25' | 'weights' | 'viewsWeighting'>,
  stats?: WeightingStats,
): Weighted {
  const st: WeightingStats = stats ?? { users: s.users.size };
  const one = (signal: Block['signal'], matrix: Csr): Weighted => ({
    matrix,
    stats: st,
    blocks: [{ signal, offset: 0, cols: matrix.cols }],
  });
  switch (model) {
    case 'interests':
      return one('interests', interestsBlock(s, st));
    case 'course_views':
      return one('views', viewsBlock(s, p, st));
    case 'assessments':
      return one('assessments', assessmentsBlock(s, st));
    case 'cosine':
      return { ...cosineBlocks(s, p, st), stats: st };
  }
}

/**
 * The statistics a model's weighting takes from the signals, as weightedMatrix(model, s, p).stats gives them,
 * without weighting the matrix: what an incremental run compares with its frozen ones (weightingDrift).
 */
export function weightingStats(
  model: Exclude<ModelName, 'als'>,
  s: Signals,
  p: Pick<ModelParams, 'bm25' | 'weights' | 'viewsWeighting'>,
): WeightingStats {
  const st: WeightingStats = { users: s.users.size };
  const use = {
    interests: () => (st.interestsIdf = idf(required(s, 'interests'))),
    viewsBm25: () => (st.viewsBm25 = bm25Stats(log1pValues(required(s, 'views')), p.bm25)),
    viewsIdf: () => (st.viewsIdf = idf(mapValues(required(s, 'views'), () => 1))),
    courseTags: () => {
      const ct = required(s, 'courseTags');
      st.courseTagsIdf = idf(multiply(widen(log1pValues(required(s, 'views')), ct.rows), ct));
    },
    assessments: () => (st.assessmentsMax = columnMax(required(s, 'assessments'))),
  };
  switch (model) {
    case 'interests':
      use.interests();
      break;
    case 'course_views':
      use.viewsBm25();
      break;
    case 'assessments':
      use.assessments();
      break;
    case 'cosine': {
      const w = p.weights;
      if (w.interests > 0) use.interests();
      if (w.views > 0) (p.viewsWeighting === 'idf' ? use.viewsIdf : use.viewsBm25)();
      if (w.courseTags > 0) use.courseTags();
      if (w.assessments > 0) use.assessments();
    }
  }
  return st;
}

/** The sparse matrix a cosine model compares users on (not used by `als`). */
export function modelMatrix(model: Exclude<ModelName, 'als'>, s: Signals, p: ModelParams): Csr {
  return weightedMatrix(model, s, p).matrix;
}

/** All signals in one space (the `cosine` model's matrix). */
export function cosineMatrix(s: Signals, p: Pick<ModelParams, 'bm25' | 'weights' | 'viewsWeighting'>): Csr {
  return weightedMatrix('cosine', s, p).matrix;
}

/** A version's weighting statistics by item name (JSON), for the API to weight users as the version did. */
export interface FrozenWeighting {
  users: number;
  interestsIdf?: Record<string, number>;
  viewsBm25?: { k1: number; b: number; avgLen: number; idf: Record<string, number> };
  viewsIdf?: Record<string, number>;
  courseTagsIdf?: Record<string, number>;
  assessmentsMax?: Record<string, number>;
}

/**
 * The statistics by name. Columns nobody held are left out: their figures are those thawWeighting gives an
 * unknown item (idf at df 0, no best score), so the JSON holds only the items of the data.
 */
export function freezeWeighting(st: WeightingStats, s: Signals): FrozenWeighting {
  const n = st.users;
  const byName = (values: ArrayLike<number>, names: readonly string[], absent: number) => {
    const out: Record<string, number> = {};
    for (let c = 0; c < values.length; c++) if (values[c] !== absent) out[names[c]!] = values[c]!;
    return out;
  };
  const idf0 = Math.fround(smoothIdfAtZero(n));
  const out: FrozenWeighting = { users: n };
  if (st.interestsIdf) out.interestsIdf = byName(st.interestsIdf, s.tags.names, idf0);
  if (st.viewsIdf) out.viewsIdf = byName(st.viewsIdf, s.courses.names, idf0);
  if (st.viewsBm25) {
    const { k1, b, avgLen } = st.viewsBm25;
    out.viewsBm25 = { k1, b, avgLen, idf: byName(st.viewsBm25.idf, s.courses.names, bm25Idf(n, 0)) };
  }
  if (st.courseTagsIdf) out.courseTagsIdf = byName(st.courseTagsIdf, s.tags.names, idf0);
  if (st.assessmentsMax) out.assessmentsMax = byName(st.assessmentsMax, s.tags.names, -Infinity);
  return out;
}

/** The smooth idf of a column nobody holds among n rows (see similarity/weighting idf). */
function smoothIdfAtZero(n: number): number {
  return Math.log(1 + n) + 1;
}

/**
 * Frozen statistics onto the columns of other signals (a few users'): an item the version never saw gets the
 * figures of an item nobody held (idf at df 0; no best score, so its value is left as is).
 */
export function thawWeighting(f: FrozenWeighting, s: Signals): WeightingStats {
  const n = f.users;
  // One figure per column of the matrix it weights: a matrix read before the dictionary grew has fewer columns.
  const column = <T extends Float32Array | Float64Array>(
    make: (len: number) => T,
    cols: number | undefined,
    names: readonly string[],
    values: Record<string, number>,
    missing: number,
  ): T => {
    const out = make(cols ?? names.length);
    for (let c = 0; c < out.length; c++) out[c] = values[names[c] ?? ''] ?? missing;
    return out;
  };
  const f32 = (len: number) => new Float32Array(len);
  const f64 = (len: number) => new Float64Array(len);
  const st: WeightingStats = { users: n };
  const smoothIdf0 = smoothIdfAtZero(n);
  const tags = s.tags.names;
  const courses = s.courses.names;
  if (f.interestsIdf) st.interestsIdf = column(f32, s.interests?.cols, tags, f.interestsIdf, smoothIdf0);
  if (f.viewsIdf) st.viewsIdf = column(f32, s.views?.cols, courses, f.viewsIdf, smoothIdf0);
  if (f.viewsBm25) {
    const { k1, b, avgLen } = f.viewsBm25;
    st.viewsBm25 = { k1, b, avgLen, idf: column(f64, s.views?.cols, courses, f.viewsBm25.idf, bm25Idf(n, 0)) };
  }
  if (f.courseTagsIdf) st.courseTagsIdf = column(f32, s.courseTags?.cols, tags, f.courseTagsIdf, smoothIdf0);
  if (f.assessmentsMax) st.assessmentsMax = column(f64, s.assessments?.cols, tags, f.assessmentsMax, -Infinity);
  return st;
}

export interface ModelResult {
  neighbours: Neighbours;
  /** Users with any non-zero in the model's input (the others get no neighbours). */
  usersWithSignal: number;
  nonZeros: number;
  /** Extra figures worth storing (e.g. ALS loss, ANN recall). */
  details: Record<string, unknown>;
  /** The statistics the weighting took from the data (cosine-family models), frozen with the version. */
  weighting?: WeightingStats;
  /**
   * ALS: the item factors (items in canonical column order) and the mean user factor row subtracted before the
   * cosine (null without centring), kept with the version so users can be folded in later.
   */
  als?: { items: DenseMatrix; mean: Float64Array | null };
}

/** Exact searches expected to run longer than this many seconds get a hint about --ann. */
export const EXACT_HINT_SECONDS = 600;
/** Below this much work (multiply-adds) the exact search takes seconds and is not estimated. */
export const ESTIMATE_ABOVE_WORK = 1e10;

/**
 * Seconds the exact search of m will take, estimated by timing it on `sample` seeded users (default 256, more when
 * that is too little work to time; see timeSampled) and scaling by the number of users. The fixed cost of a search
 * (normalising and transposing m, starting workers) is timed apart, on an empty sample, and left out of the scaling.
 */
export async function estimateExactSeconds(
  m: Csr,
  k: number,
  opts: { threads: number; pool?: Pool; sample?: number },
): Promise<number> {
  return (await estimateExactCost(m, k, opts)).seconds;
}

/**
 * estimateExactSeconds with the CPU time beside the wall time: `cpuSeconds` is the process's CPU time (all threads,
 * workers included; process.cpuUsage) scaled the same way, which a shared machine's load moves far less than wall
 * time.
 */
export async function estimateExactCost(
  m: Csr,
  k: number,
  opts: { threads: number; pool?: Pool; sample?: number },
): Promise<{ seconds: number; cpuSeconds: number }> {
  const first = Math.min(m.rows, opts.sample ?? 256);
  if (first === 0) return { seconds: 0, cpuSeconds: 0 };
  // Prepared once, outside the timed runs: at 1M users preparing copies ~100 MB, and timing it in every run made
  // the estimate swing with the garbage collector (in one job: 55 s to 2,947 s for a 578 s search).
  const prep = prepareCosine(m);
  const tieKey = toShared(new Float64Array(m.rows));
  const timed = await timeSampled(
    async (n) => {
      const queryRows = n === 0 ? new Int32Array(0) : sampleRows(m.rows, n, 1);
      const t = performance.now();
      const c = process.cpuUsage();
      await cosineTopKPrepared(prep, k, {
        tieKey,
        queryRows,
        threads: opts.threads,
        ...(opts.pool ? { pool: opts.pool } : {}),
      });
      return { wall: (performance.now() - t) / 1000, cpu: cpuSecondsSince(c) };
    },
    first,
    Math.min(m.rows, first * SAMPLE_GROWTH_LIMIT),
  );
  const perUser = m.rows / timed.n;
  return { seconds: timed.wall * perUser, cpuSeconds: timed.cpu * perUser };
}

/** How far timeSampled may grow a sample: to this many times the first size. */
export const SAMPLE_GROWTH_LIMIT = 16;
/** The sampled work must take at least this long (and as long as the fixed cost) to be told from the noise. */
export const MIN_SAMPLED_SECONDS = 1;

/**
 * Times the work of a sample of n users apart from the fixed cost of a search (`run(0)`): runs once with nothing
 * to warm up (workers, compiled code, caches; not counted, since a cold first run once counted as the fixed cost
 * made a 1,000,000-user search look free), times the fixed cost warm, then the sample, and grows the sample four
 * times at a time (up to `max`) while its own time is still within the noise of the fixed cost. Returns the sample
 * size used and the seconds (wall and CPU) its users took beyond the fixed cost, never below 0.
 */
export async function timeSampled(
  run: (n: number) => Promise<{ wall: number; cpu: number }>,
  first: number,
  max: number,
): Promise<{ n: number; wall: number; cpu: number }> {
  await run(0);
  const fixed = await run(0);
  for (let n = Math.max(1, Math.min(first, max)); ; n = Math.min(max, n * 4)) {
    const sampled = await run(n);
    const wall = sampled.wall - fixed.wall;
    if (n >= max || wall >= Math.max(MIN_SAMPLED_SECONDS, fixed.wall)) {
      return { n, wall: Math.max(0, wall), cpu: Math.max(0, sampled.cpu - fixed.cpu) };
    }
  }
}

/** CPU seconds (user + system, every thread of the process) since an earlier process.cpuUsage(). */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/** Rows of random factors the dense estimate scans (its cost per pair does not depend on the values). */
const DENSE_ESTIMATE_ROWS = 20_000;

/**
 * Seconds the exact scan of `users` dense rows of `factors` (ALS's neighbour search) will take, estimated before
 * training: `sample` seeded rows of random factors are scanned against DENSE_ESTIMATE_ROWS rows, and the time per
 * pair (fixed cost apart, as in estimateExactSeconds) is scaled to users x users pairs.
 */
export async function estimateDenseExactSeconds(
  users: number,
  factors: number,
  k: number,
  opts: { threads: number; pool?: Pool; sample?: number },
): Promise<number> {
  const rows = Math.min(users, DENSE_ESTIMATE_ROWS);
  if (rows === 0) return 0;
  const random = seededRandom(7);
  const data = new Float32Array(rows * factors);
  for (let i = 0; i < data.length; i++) data[i] = random() - 0.5;
  const f = { rows, cols: factors, data };
  const tieKey = new Float64Array(rows);
  const first = Math.min(rows, opts.sample ?? 256);
  const timed = await timeSampled(
    async (n) => {
      const queryRows = n === 0 ? new Int32Array(0) : sampleRows(rows, n, 1);
      const t = performance.now();
      const c = process.cpuUsage();
      await denseCosineTopK(f, k, {
        tieKey,
        queryRows,
        threads: opts.threads,
        ...(opts.pool ? { pool: opts.pool } : {}),
      });
      return { wall: (performance.now() - t) / 1000, cpu: cpuSecondsSince(c) };
    },
    first,
    Math.min(rows, first * SAMPLE_GROWTH_LIMIT),
  );
  return (timed.wall / (timed.n * rows)) * users * users;
}

/**
 * Neighbours the approximate search of `model` keeps per user while it searches (its best k are the model's):
 * listFactor x k, and for interests at least BLEND_CANDIDATES, the candidates ALS's blend takes from that same
 * search. The refinement costs about the square of this. Interests' wider lists recall more too (1,000,000 users:
 * 0.932 against 0.895 with 3k, for 1.4x the time; 100,000: 0.989 against 0.975); cosine's gain nothing (0.998 both
 * at 100,000) and keep 3k (bench/README.md, als-scale).
 */
export function annListSize(model: ModelName, p: Pick<ModelParams, 'k' | 'sparseAnn'>): number {
  const lists = Math.max(p.k, Math.ceil(p.sparseAnn.listFactor * p.k));
  return model === 'interests' ? Math.max(lists, BLEND_CANDIDATES) : lists;
}

/**
 * Users per partition of the approximate search of `model` over `users` users: partitionRows, and for interests beyond
 * PARTITION_GROWTH_FROM users partitionRows x sqrt(users / PARTITION_GROWTH_FROM) (6,000 at 1,000,000). With a fixed
 * size each user is compared with a shrinking share of the users as they grow, and interests' candidates recall less
 * (1,000,000 users: 0.746 with 3,000, 0.802 with 6,000); the wider candidates make the refinement rounds shorter, so the
 * search took the same time (1,038.7 s against 1,038.1 s) and recall@10 rose from 0.932 to 0.954. Cosine keeps the
 * fixed size: 0.977 at 1,000,000 with 3,000 (bench/README.md, sparse-ann).
 */
export function annPartitionRows(model: ModelName, p: Pick<ModelParams, 'sparseAnn'>, users: number): number {
  const base = p.sparseAnn.partitionRows;
  if (model !== 'interests' || base === 0 || users <= PARTITION_GROWTH_FROM) return base;
  return Math.round(base * Math.sqrt(users / PARTITION_GROWTH_FROM));
}

/**
 * The options the job gives sparseAnnTopK for a model (what a bench measuring the job's search passes too); tieKey
 * has one key per user searched.
 */
export function sparseAnnOptions(
  model: ModelName,
  p: Pick<ModelParams, 'k' | 'threads' | 'sparseAnn'>,
  tieKey: Float64Array,
): SparseAnnOptions {
  const a = p.sparseAnn;
  return {
    tieKey,
    threads: p.threads,
    dims: a.dims,
    candidates: a.candidates,
    rounds: a.rounds,
    listSize: annListSize(model, p),
    seed: a.seed,
    partitionRows: annPartitionRows(model, p, tieKey.length),
    probes: a.probes,
  };
}

/** The exact or approximate search of a cosine model's weighted matrix (every user's neighbours). */
async function searchWeighted(
  m: Csr,
  p: ModelParams,
  ann: boolean,
  tieKey: Float64Array,
  pool?: Pool,
  tell?: { model: ModelName; log: Logger },
  keep?: number,
  model: ModelName = tell?.model ?? 'cosine',
) {
  const poolOpt = pool !== undefined ? { pool } : {};
  if (!ann) {
    const onProgress = tell !== undefined ? searchProgress(tell.model, tell.log, m.rows) : undefined;
    const neighbours = await cosineTopK(m, p.k, {
      tieKey,
      threads: p.threads,
      ...poolOpt,
      ...(onProgress ? { onProgress } : {}),
    });
    return { neighbours, details: {} };
  }
  const a = p.sparseAnn;
  const onStep =
    tell !== undefined
      ? (step: string, s: number) => tell.log.info(`  ${tell.model}: approximate search, ${step} in ${s.toFixed(1)} s`)
      : undefined;
  // With `keep`, the search returns that many per user (at most the lists it keeps anyway: the same search).
  const options = sparseAnnOptions(model, p, tieKey);
  const width = keep !== undefined ? Math.min(keep, options.listSize!) : p.k;
  const found = await sparseAnnTopK(m, Math.max(width, p.k), {
    ...options,
    ...poolOpt,
    ...(onStep ? { onStep } : {}),
  });
  const kept: Neighbours = { rows: found.rows, k: found.k, index: found.index, score: found.score };
  const neighbours = firstK(kept, p.k);
  const annRecall = await sampledSparseRecall(m, neighbours, {
    sample: a.recallSample,
    seed: a.seed,
    tieKey,
    threads: p.threads,
    ...poolOpt,
  });
  return {
    neighbours,
    ...(keep !== undefined ? { kept } : {}),
    details: {
      annRecall,
      annRecallSample: Math.min(a.recallSample, m.rows),
      annDims: found.dims,
      exactRows: found.exactRows,
    },
  };
}

/** Seconds between two progress lines of a long search. */
export const SEARCH_PROGRESS_EVERY_SECONDS = 30;

/** An exact search's onProgress: a line every SEARCH_PROGRESS_EVERY_SECONDS with the users done and the time so far. */
export function searchProgress(model: ModelName, log: Logger, total: number, now = () => performance.now()) {
  const started = now();
  let last = started;
  let done = 0;
  return (rows: number): void => {
    done += rows;
    const t = now();
    if (t - last < SEARCH_PROGRESS_EVERY_SECONDS * 1000 || done >= total) return;
    last = t;
    const elapsed = (t - started) / 1000;
    log.info(
      `  ${model}: exact search, ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} users ` +
        `(${((100 * done) / total).toFixed(0)}%) in ${elapsed.toFixed(0)} s, about ${Math.round(((total - done) * elapsed) / done)} s to go`,
    );
  };
}

/** The interests' side of a blended ALS search, kept between searches on the same signals and rows (alsSearch). */
export interface InterestMemo {
  matrix?: Csr;
  lists?: Neighbours;
  /**
   * The factors' own search (its best BLEND_CANDIDATES per user) by trained user matrix: candidates that differ only
   * in the blend's settings rescore the same factors, and their search is done once.
   */
  factorSearches?: WeakMap<DenseMatrix, { k: number; result: ModelResult }>;
  /**
   * Validation only (some users' lists): the blend's candidates scored in both spaces, by the factors' search that
   * found them, so that candidates that differ only in the blend's weight or shrink rank them again without scoring
   * them again.
   */
  blendPairs?: WeakMap<Neighbours, BlendPairs>;
}

/**
 * A run with both the interests model and ALS: the interests model's approximate search keeps its wider lists
 * (blendInterestCandidates per user, what that search holds anyway) for ALS's blend, which would otherwise run the
 * same search again (16 min at 1,000,000 users). Used only when the signals and the interests' search settings are
 * the same (`key`).
 */
export interface InterestShare {
  /** The lists' neighbours only (rows x k): the blend scores every candidate itself, so scores are not kept. */
  lists?: { key: string; signals: Signals; rows: number; k: number; index: Int32Array };
}

/** What makes two approximate interests searches the same: the settings the search takes (k included). */
function interestsKey(p: ModelParams): string {
  return JSON.stringify({ ...paramsOf('interests', { ...p, ann: true }), candidates: blendInterestCandidates(p) });
}

/** Candidates each search gives a blended ALS list (p.als.blend > 0): its best this many per user. */
export const BLEND_CANDIDATES = 50;

/**
 * Interest candidates of a blended ALS list when the interests are searched approximately: the best of the lists
 * the interests model's own search keeps (annListSize), BLEND_CANDIDATES (at least k) of them. Asking that search
 * for 50 neighbours, as the blend once did, made it keep 3 x 50 = 150 per user, and its refinement costs the
 * square of that: at 1,000,000 users hours, not minutes.
 */
export function blendInterestCandidates(p: Pick<ModelParams, 'k' | 'sparseAnn'>): number {
  return Math.min(Math.max(BLEND_CANDIDATES, p.k), annListSize('interests', p));
}

/**
 * ALS neighbours from trained (or stored) user factors: the factors' cosine alone, or with p.als.blend > 0 blended
 * with the interests' cosine (the interests model's weighting), each user's weight by blendWeight, over the best
 * BLEND_CANDIDATES of both searches, each candidate scored exactly in both (src/similarity/blend.ts). `s` needs
 * the interests and views signals for a blend. A user with no views (no factors) is placed by interests alone.
 * `memo` keeps the interests' weighted matrix and candidate lists for these signals and rows (they depend on
 * neither the factors nor the blend's settings), and the factors' search per trained user matrix: a fit scoring
 * many candidates on one validation split searches each once. One memo serves one set of signals, rows and params
 * apart from the ALS settings.
 */
export async function alsSearch(
  trained: TrainedAls,
  s: Signals,
  p: ModelParams,
  pool?: Pool,
  queryRows?: Int32Array,
  memo: InterestMemo = {},
  log?: Logger,
): Promise<ModelResult> {
  const tieKey = s.users.handles;
  const timed = async <T>(what: string, work: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    const out = await work();
    log?.info(`  als: ${what} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return out;
  };
  if (!(p.als.blend > 0))
    return timed('neighbours by factors', () => searchAlsUsers(trained, tieKey, p, pool, queryRows));
  const wide = { ...p, k: Math.max(p.k, BLEND_CANDIDATES) };
  const searches = (memo.factorSearches ??= new WeakMap());
  let searched = searches.get(trained.users);
  if (searched === undefined || searched.k !== wide.k) {
    const result = await timed(`best ${wide.k} by factors`, () =>
      searchAlsUsers(trained, tieKey, wide, pool, queryRows),
    );
    searched = { k: wide.k, result };
    searches.set(trained.users, searched);
  }
  const factors = searched.result;
  const matrix = (memo.matrix ??= weightedMatrix('interests', s, p).matrix);
  const poolOpt = pool !== undefined ? { pool } : {};
  if (memo.lists !== undefined && queryRows === undefined) {
    log?.info(`  als: best ${memo.lists.k} by interests: the interests model's search, kept from earlier in the run`);
  }
  const interests = (memo.lists ??=
    queryRows !== undefined
      ? await cosineTopK(matrix, wide.k, { tieKey, threads: p.threads, queryRows, ...poolOpt })
      : usesAnn('interests', p)
        ? await timed(`best ${blendInterestCandidates(p)} by interests (approximate)`, async () => {
            // The interests model's search (its options for p.k), asked for its best c.
            const found = await sparseAnnTopK(matrix, blendInterestCandidates(p), {
              ...sparseAnnOptions('interests', p, tieKey),
              ...poolOpt,
            });
            return { rows: found.rows, k: found.k, index: found.index, score: found.score };
          })
        : await timed(`best ${wide.k} by interests`, () =>
            cosineTopK(matrix, wide.k, { tieKey, threads: p.threads, ...poolOpt }),
          ));
  const views = s.views;
  const weight = Float64Array.from({ length: s.users.size }, (_, r) =>
    blendWeight(p.als.blend, views === undefined || r >= views.rows ? 0 : views.indptr[r + 1]! - views.indptr[r]!),
  );
  const lists = [factors.neighbours, interests];
  let pairs: BlendPairs | undefined;
  if (queryRows !== undefined) {
    const scored = (memo.blendPairs ??= new WeakMap());
    pairs = scored.get(factors.neighbours);
    if (pairs === undefined) scored.set(factors.neighbours, (pairs = blendPairs(trained.users, matrix, lists)));
  }
  const neighbours = await timed('blended', () =>
    blendNeighbours(
      { dense: trained.users, sparse: matrix, weight, shrink: p.als.blendShrink },
      lists,
      p.k,
      tieKey,
      pairs,
    ),
  );
  return {
    ...factors,
    neighbours,
    details: {
      ...factors.details,
      blend: p.als.blend,
      blendShrink: p.als.blendShrink,
      blendCandidates: wide.k,
      blendInterestCandidates: interests.k,
    },
  };
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
  if (model === 'als') return alsSearch(await trainAlsUsers(s, p, pool), s, p, pool, queryRows);
  const { matrix: m, stats } = weightedMatrix(model, s, p);
  const poolOpt = pool !== undefined ? { pool } : {};
  const base = { usersWithSignal: nonEmptyRows(m), nonZeros: nnz(m), weighting: stats };
  if (queryRows !== undefined) {
    // Only some users' lists (validation): always the exact search.
    const neighbours = await cosineTopK(m, p.k, { tieKey, threads: p.threads, queryRows, ...poolOpt });
    return { neighbours, ...base, details: {} };
  }
  const ann = usesAnn(model, p);
  if (!ann && log !== undefined && exactWork(m) > ESTIMATE_ABOVE_WORK) {
    const estimate = await estimateExactSeconds(m, p.k, { threads: p.threads, ...poolOpt });
    if (estimate > EXACT_HINT_SECONDS) {
      log.warn(
        `${model}: the exact search will take about ${Math.round(estimate / 60)} min here (timed on sampled ` +
          `users); --ann finds approximate neighbours (exact scores, recall measured) in a fraction of that`,
      );
    }
  }
  return {
    ...base,
    ...(await searchWeighted(
      m,
      p,
      ann,
      tieKey,
      pool,
      log !== undefined ? { model, log } : undefined,
      undefined,
      model,
    )),
  };
}

/**
 * What the job runs per model: estimates the exact search where it could be long (timed on sampled users),
 * chooses the search (chooseSearch, from p.search and p.exactBudgetSeconds) and computes the neighbours with it.
 * With `queryRows` (a shard) only those users' lists are computed, exactly.
 */
export async function computeModelWithChoice(
  model: ModelName,
  s: Signals,
  p: ModelParams,
  opts: { pool?: Pool; log?: Logger; queryRows?: Int32Array; share?: InterestShare } = {},
): Promise<ModelResult & { search: SearchChoice }> {
  const { pool, log, queryRows, share } = opts;
  const poolOpt = pool !== undefined ? { pool } : {};
  const shard = queryRows !== undefined;
  // p.ann set by a caller (as computeModel reads it) forces the approximate search like --ann.
  const mode: SearchMode = p.ann ? 'ann' : p.search;
  const say = (c: SearchChoice) => {
    if (c.estimateSeconds !== null || c.ann || c.reason === 'forced') log?.info(describeSearch(model, c));
  };
  const wouldEstimate = !shard && mode !== 'ann';
  if (model === 'als') {
    const n = s.users.size;
    const f = p.als.factors;
    const estimate =
      wouldEstimate && n * n * f > p.estimateAboveWork
        ? await estimateDenseExactSeconds(n, f, p.k, { threads: p.threads, ...poolOpt })
        : null;
    const search = chooseSearch(model, mode, estimate, p.exactBudgetSeconds, { shard });
    say(search);
    const q = { ...p, ann: search.ann };
    const t = performance.now();
    const trained = await trainAlsUsers(s, q, pool);
    log?.info(
      `  als: trained ${q.als.factors} factors on ${trained.usersWithSignal.toLocaleString('en-US')} users ` +
        `(${q.als.iterations} iterations) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const shared = share?.lists;
    const memo: InterestMemo =
      shared !== undefined && shared.signals === s && shared.key === interestsKey(q) && q.ann && q.als.blend > 0
        ? {
            lists: {
              rows: shared.rows,
              k: shared.k,
              index: shared.index,
              score: new Float32Array(shared.index.length),
            },
          }
        : {};
    if (share !== undefined) delete share.lists; // ALS is the last to need them
    return { ...(await alsSearch(trained, s, q, pool, queryRows, memo, log)), search };
  }
  const { matrix: m, stats } = weightedMatrix(model, s, p);
  const base = { usersWithSignal: nonEmptyRows(m), nonZeros: nnz(m), weighting: stats };
  const tieKey = s.users.handles;
  if (queryRows !== undefined) {
    const search = chooseSearch(model, mode, null, p.exactBudgetSeconds, { shard });
    const onProgress = log !== undefined ? searchProgress(model, log, queryRows.length) : undefined;
    const neighbours = await cosineTopK(m, p.k, {
      tieKey,
      threads: p.threads,
      queryRows,
      ...poolOpt,
      ...(onProgress ? { onProgress } : {}),
    });
    return { neighbours, ...base, details: {}, search };
  }
  const estimate =
    wouldEstimate && exactWork(m) > p.estimateAboveWork
      ? await estimateExactSeconds(m, p.k, { threads: p.threads, ...poolOpt })
      : null;
  const search = chooseSearch(model, mode, estimate, p.exactBudgetSeconds);
  say(search);
  const tell = log !== undefined ? { model, log } : undefined;
  const q = { ...p, ann: search.ann };
  const keep = share !== undefined && model === 'interests' && search.ann ? blendInterestCandidates(q) : undefined;
  const found = await searchWeighted(m, q, search.ann, tieKey, pool, tell, keep, model);
  if (share !== undefined && 'kept' in found && found.kept !== undefined) {
    const { rows, k, index } = found.kept;
    share.lists = { key: interestsKey(q), signals: s, rows, k, index };
  }
  return { ...base, neighbours: found.neighbours, details: found.details, search };
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
