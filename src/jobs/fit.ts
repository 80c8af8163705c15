// Fitting a model's free choices (block weights, weighting, ALS hyper-parameters) to the data of the run: a
// validation split is carved from the training data, each candidate's neighbours recommend the hidden courses,
// and the candidate with the best validation recall@10 wins. The evaluation hold-out is never seen here.
import { seededRandom } from '../similarity/als';
import type { Pool } from '../similarity/pool';
import type { Csr } from '../similarity/types';
import type { Logger } from '../log';
import { silentLogger } from '../log';
import { holdOut, popularityOrder, recommendFromNeighbours, scoreRecommender, type HoldOut } from './metrics';
import { centredAs, trainAlsUsers, type AlsParams, type TrainedAls } from './als-model';
import {
  alsSearch,
  computeModel,
  type CosineWeights,
  type FitSettings,
  FIT_ALS_ITERATIONS,
  fittedChoices,
  type InterestMemo,
  type ModelName,
  type ModelParams,
  signalsOf,
} from './models';
import { UserIndex, type Signals } from './signals';

/** Neighbours scored per user and recommendations per user in validation (the API's default list). */
export const VALIDATION_K = 10;
/**
 * Users need this many viewed courses to have one hidden. Light users are most of the users a run serves, and they
 * are where a second signal (interests) can help: validating on users with 5+ courses only (as the real-structure
 * protocol scores) hid that help and kept interests out of ALS on data where they carry the community (docs/DESIGN.md,
 * "Quality on real behaviour first").
 */
export const VALIDATION_MIN_ITEMS = 2;
/** Share of such a user's courses hidden, rounded to the nearest (at least one, never all), as the evaluation splits generated data. */
export const VALIDATION_FRACTION = 0.2;

export interface Validation {
  /** recall@10 of the hidden courses, recommended from each user's 10 best neighbours. */
  recall: number;
  ndcg: number;
  /** Users with hidden courses in the validation split. */
  users: number;
  seed: number;
  /** Validation splits the figures are the mean of, when more than one. */
  folds?: number;
}

export interface FitResult {
  params: ModelParams;
  validation: Validation;
  /**
   * Every candidate tried, in order, with its validation recall (`folds: 1`: screened out on the first fold, its
   * recall that fold's).
   */
  tried: Array<{ choice: Record<string, unknown>; recall: number; folds?: number }>;
  /** Candidates left untried past the candidate limit (FitSettings.maxCandidates). */
  skipped: number;
  /** ALS trainings run: one per fold of each candidate that changes what the factors depend on (0 for the others). */
  trainings: number;
  seconds: number;
}

/** Rows `rows` of m, in that order. */
export function selectRows(m: Csr, rows: Int32Array): Csr {
  const indptr = new Int32Array(rows.length + 1);
  let total = 0;
  for (let i = 0; i < rows.length; i++) total += m.indptr[rows[i]! + 1]! - m.indptr[rows[i]!]!;
  const indices = new Int32Array(total);
  const data = new Float32Array(total);
  let out = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      indices[out] = m.indices[p]!;
      data[out] = m.data[p]!;
      out++;
    }
    indptr[i + 1] = out;
  }
  return { rows: rows.length, cols: m.cols, indptr, indices, data };
}

/** The signals of a seeded sample of at most `max` users (all of them when there are fewer), rows in handle order. */
export function sampleUsers(s: Signals, max: number, seed: number): Signals {
  const n = s.users.size;
  if (n <= max) return s;
  const random = seededRandom(seed);
  const pick = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(random() * (n - i));
    [pick[i], pick[j]] = [pick[j]!, pick[i]!];
  }
  const rows = pick.subarray(0, max).sort();
  const out: Signals = {
    users: new UserIndex(Float64Array.from(rows, (r) => s.users.handles[r]!)),
    tags: s.tags,
    courses: s.courses,
  };
  for (const name of ['interests', 'views', 'assessments'] as const) {
    const m = s[name];
    if (m !== undefined) out[name] = selectRows(m, rows);
  }
  if (s.courseTags !== undefined) out.courseTags = s.courseTags;
  return out;
}

/**
 * The rows a validation split hides courses of: those with VALIDATION_MIN_ITEMS+ courses, or a seeded sample of
 * `max` of them when there are more (undefined: all of them).
 */
export function queryUsers(views: Csr, max: number, seed: number): Uint8Array | undefined {
  const eligible: number[] = [];
  for (let r = 0; r < views.rows; r++)
    if (views.indptr[r + 1]! - views.indptr[r]! >= VALIDATION_MIN_ITEMS) eligible.push(r);
  if (eligible.length <= max) return undefined;
  const random = seededRandom(seed ^ 0x5eed);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(random() * (eligible.length - i));
    [eligible[i], eligible[j]] = [eligible[j]!, eligible[i]!];
  }
  const only = new Uint8Array(views.rows);
  for (let i = 0; i < max; i++) only[eligible[i]!] = 1;
  return only;
}

/** A validation problem: the signals with part of the views hidden, and what was hidden. */
export interface ValidationSplit {
  train: Signals;
  split: HoldOut;
  seed: number;
  /** The users with hidden courses: the only lists validation needs. */
  queryRows: Int32Array;
}

export function validationSplit(
  s: Signals,
  fit: Pick<FitSettings, 'seed' | 'maxUsers' | 'maxQueryUsers'>,
): ValidationSplit {
  const views = s.views;
  if (views === undefined) throw new Error('validation needs the views signal');
  const sample = sampleUsers(s, fit.maxUsers, fit.seed);
  const only = queryUsers(sample.views!, fit.maxQueryUsers, fit.seed);
  const split = holdOut(sample.views!, VALIDATION_FRACTION, fit.seed, VALIDATION_MIN_ITEMS, 'round', only);
  const queryRows: number[] = [];
  for (let r = 0; r < split.train.rows; r++) if (split.test.indptr[r + 1]! > split.test.indptr[r]!) queryRows.push(r);
  return { train: { ...sample, views: split.train }, split, seed: fit.seed, queryRows: Int32Array.from(queryRows) };
}

/** Each split's popularity order, for the many candidates validated on it. */
const popularityOfSplit = new WeakMap<HoldOut, Int32Array>();

/**
 * Validation figures of one set of neighbours: each user's 10 best neighbours recommend the courses they
 * watched (a course scores the sum of the scores of the neighbours who watched it, the user's own skipped), the
 * most popular courses fill a list shorter than 10; recall@10 = hits / min(10, hidden), as the evaluation.
 */
export function validate(v: ValidationSplit, nb: Parameters<typeof recommendFromNeighbours>[0]): Validation {
  let order = popularityOfSplit.get(v.split);
  if (order === undefined) popularityOfSplit.set(v.split, (order = popularityOrder(v.split.train)));
  const f = scoreRecommender(v.split, VALIDATION_K, (r) =>
    recommendFromNeighbours(nb, v.split.train, r, VALIDATION_K, order),
  );
  return { recall: f.recall, ndcg: f.ndcg, users: f.users, seed: v.seed };
}

/** One step of a coordinate search: the values to try for one choice, applied to a copy of the params. */
interface Axis {
  name: string;
  values: unknown[];
  apply: (p: ModelParams, value: unknown) => ModelParams;
}

const withWeight =
  (key: keyof CosineWeights) =>
  (p: ModelParams, value: unknown): ModelParams => ({ ...p, weights: { ...p.weights, [key]: value as number } });
/** The ALS settings training depends on: not the blend's, which rescore the factors, nor the centring, which shifts them. */
function factorsKey(a: AlsParams): Omit<AlsParams, 'blend' | 'blendShrink' | 'centre'> {
  const { blend: _blend, blendShrink: _shrink, centre: _centre, ...rest } = a;
  return rest;
}

const withAls =
  (key: keyof AlsParams) =>
  (p: ModelParams, value: unknown): ModelParams => ({ ...p, als: { ...p.als, [key]: value } });

/** The choices searched per model, coordinate by coordinate from the current params; fixed ones are left out. */
export function searchAxes(model: ModelName, fixed: ReadonlySet<string>): Axis[] {
  const axes: Axis[] = [];
  const add = (name: string, values: unknown[], apply: Axis['apply']) => {
    if (!fixed.has(name)) axes.push({ name, values, apply });
  };
  if (model === 'cosine') {
    add('viewsWeighting', ['bm25', 'idf'], (p, v) => ({ ...p, viewsWeighting: v as ModelParams['viewsWeighting'] }));
    add('weights.interests', [0.25, 1, 4], withWeight('interests'));
    add('weights.courseTags', [0.5, 2], withWeight('courseTags'));
    add('weights.assessments', [0.25, 1], withWeight('assessments'));
    add('weights.views', [0, 1], withWeight('views'));
  } else if (model === 'als') {
    // Interests are judged once the views' own settings are fitted, so they cannot stand in for a missing one.
    // Values that never won on the real structure nor on generated data (alpha 5, interest weight 4: 10-15% below
    // the best) are left out, to pay for the second fold.
    add('alpha', [10, 20, 40], withAls('alpha'));
    add('regularization', [0.1, 1, 10], withAls('regularization'));
    add('confidence', ['binary', 'log'], withAls('confidence'));
    // The blend rescores the factors already trained (no retraining per value, see fitModel). It is judged before
    // the interests go into the factors, so that the two ways of using interests are compared, not stacked in the
    // order they happen to be tried.
    add('blend', [0.5, 1, 2, 4, 8, 16], withAls('blend'));
    add('blendShrink', [0, 10], withAls('blendShrink'));
    add('interestWeight', [0, 0.25, 1], withAls('interestWeight'));
    add('factors', [32, 64], withAls('factors'));
    add('centre', ['none'], withAls('centre'));
  }
  return axes;
}

/**
 * Fits a model's choices on the validation split: starting from `p`, each axis in turn tries its values and
 * keeps the best (a coordinate search; a value must beat the current one by MIN_GAIN). Models without choices are only scored.
 * The search is exact (no --ann) and scores at most `maxCandidates` candidates (the start included): a count, so
 * the choice never depends on how fast the machine is.
 */
export async function fitModel(
  model: ModelName,
  folds: ValidationSplit | readonly ValidationSplit[],
  p: ModelParams,
  opts: {
    fixed: ReadonlySet<string>;
    maxCandidates: number;
    pool?: Pool;
    log?: Logger;
    /** Awaited after each candidate (a shard renews its claim on the run's decisions). */
    progress?: () => Promise<void>;
    /** SCREEN_MARGIN unless given; 1 scores every candidate on every fold. */
    screenMargin?: number;
  },
): Promise<FitResult> {
  const log = opts.log ?? silentLogger;
  const splits: readonly ValidationSplit[] = Array.isArray(folds) ? folds : [folds as ValidationSplit];
  if (splits.length === 0) throw new Error('fitModel needs at least one validation split');
  const t0 = performance.now();
  const exact = { ...p, ann: false, als: { ...p.als, iterations: Math.min(p.als.iterations, FIT_ALS_ITERATIONS) } };
  if (model === 'cosine') {
    // Forward selection: the search starts from views alone, and a block earns weight only by raising recall.
    const start = { ...p.weights };
    for (const key of ['interests', 'courseTags', 'assessments'] as const) {
      if (!opts.fixed.has(`weights.${key}`)) start[key] = 0;
    }
    if (!opts.fixed.has('weights.views') && start.views === 0) start.views = 1;
    exact.weights = start;
  }
  // ALS factors per fold of the candidates that differ only in the blend (which rescores them) or the centring
  // (which shifts them): trained once, uncentred, and centred per candidate.
  const trainedCache = new Map<string, TrainedAls>();
  let trainings = 0;
  // The centred copies of each trained set, by centring: the same object for the same choice, so that the factors'
  // search of a candidate that differs only in the blend is found in the fold's memo (alsSearch).
  const centredCache = new WeakMap<TrainedAls, Map<string, TrainedAls>>();
  /** A fold's training of a candidate: its own seed (see score), the settings the factors depend on. */
  const trainedKey = (q: ModelParams, fold: number): string =>
    `${fold}:${JSON.stringify(factorsKey({ ...q.als, seed: q.als.seed + fold }))}`;
  const trainedFor = async (q: ModelParams, fold: number, v: ValidationSplit): Promise<TrainedAls> => {
    const run = { ...q, als: { ...q.als, seed: q.als.seed + fold } };
    const key = trainedKey(q, fold);
    let t = trainedCache.get(key);
    if (t === undefined) {
      t = await trainAlsUsers(v.train, { ...run, als: { ...run.als, centre: 'none' } }, opts.pool);
      trainings++;
      trainedCache.set(key, t);
    }
    let centred = centredCache.get(t);
    if (centred === undefined) centredCache.set(t, (centred = new Map<string, TrainedAls>()));
    let c = centred.get(run.als.centre);
    if (c === undefined) centred.set(run.als.centre, (c = centredAs(t, v.train, run)));
    return c;
  };
  // The blend's interest candidates per fold: the same for every ALS candidate scored on that fold.
  const interestMemos = new Map<number, InterestMemo>();
  const interestMemo = (fold: number): InterestMemo => {
    let m = interestMemos.get(fold);
    if (m === undefined) interestMemos.set(fold, (m = {}));
    return m;
  };
  const seen = new Map<string, { recall: number; screened: boolean }>();
  const lastValidation = new Map<string, Validation>();
  const firstFold = new Map<string, number>();
  const screenMargin = opts.screenMargin ?? SCREEN_MARGIN;
  const tried: FitResult['tried'] = [];
  /**
   * The candidate's validation recall, the mean over the folds; `screened` when its first fold fell more than
   * SCREEN_MARGIN below the current best's first fold, which the other folds could not make up (it cannot win).
   */
  const score = async (q: ModelParams, best?: ModelParams): Promise<{ recall: number; screened: boolean }> => {
    const key = JSON.stringify(fittedChoices(model, q));
    const known = seen.get(key);
    if (known !== undefined) return known;
    const bar = best === undefined ? undefined : firstFold.get(JSON.stringify(fittedChoices(model, best)));
    // Each fold: its own validation split and (ALS) its own initialisation; the figures are their means.
    const each: Validation[] = [];
    for (const [i, v] of splits.entries()) {
      let result;
      if (model === 'als') {
        const run = { ...q, als: { ...q.als, seed: q.als.seed + i } };
        result = await alsSearch(await trainedFor(q, i, v), v.train, run, opts.pool, v.queryRows, interestMemo(i));
      } else result = await computeModel(model, v.train, q, opts.pool, undefined, v.queryRows);
      each.push(validate(v, result.neighbours));
      if (i === 0) firstFold.set(key, each[0]!.recall);
      if (i === 0 && splits.length > 1 && bar !== undefined && each[0]!.recall < bar * (1 - screenMargin)) {
        const out = { recall: each[0]!.recall, screened: true };
        seen.set(key, out);
        tried.push({ choice: fittedChoices(model, q), recall: out.recall, folds: 1 });
        await opts.progress?.();
        return out;
      }
    }
    const mean = (f: (x: Validation) => number) => each.reduce((a, x) => a + f(x), 0) / each.length;
    const figures: Validation = {
      recall: mean((x) => x.recall),
      ndcg: mean((x) => x.ndcg),
      users: Math.round(mean((x) => x.users)),
      seed: splits[0]!.seed,
      ...(splits.length > 1 ? { folds: splits.length } : {}),
    };
    const out = { recall: figures.recall, screened: false };
    lastValidation.set(key, figures);
    seen.set(key, out);
    tried.push({ choice: fittedChoices(model, q), recall: out.recall });
    await opts.progress?.();
    return out;
  };
  let best = exact;
  let bestRecall = (await score(best)).recall;
  let skipped = 0;
  for (const axis of searchAxes(model, opts.fixed)) {
    for (const value of axis.values) {
      const q = axis.apply(best, value);
      const valid = model !== 'cosine' || Object.values(q.weights).some((w) => w > 0);
      if (!valid) continue;
      if (tried.length >= opts.maxCandidates && !seen.has(JSON.stringify(fittedChoices(model, q)))) {
        skipped++;
        continue;
      }
      const { recall, screened } = await score(q, best);
      if (!screened && recall > bestRecall * (1 + MIN_GAIN)) {
        best = q;
        bestRecall = recall;
      }
      // Only the best candidate's factors can be rescored later (the blend applies to it): on every fold, whose
      // training has its own seed.
      const keep = new Set(splits.map((_, i) => trainedKey(best, i)));
      for (const key of trainedCache.keys()) if (!keep.has(key)) trainedCache.delete(key);
    }
  }
  const validation = { ...lastValidation.get(JSON.stringify(fittedChoices(model, best)))! };
  const seconds = (performance.now() - t0) / 1000;
  const screened = tried.filter((t) => t.folds === 1).length;
  if (tried.length > 1) {
    log.info(
      `${model}: fitted on ${validation.users.toLocaleString('en-US')} validation users` +
        `${splits.length > 1 ? ` (mean of ${splits.length} folds)` : ''}, ${tried.length} candidates` +
        `${trainings > 0 ? ` (${trainings} trainings)` : ''} in ${seconds.toFixed(1)} s${skipped > 0 ? ` (${skipped} skipped: at most ${opts.maxCandidates} candidates)` : ''}` +
        `${screened > 0 ? ` (${screened} screened out after the first fold)` : ''}: ` +
        `${JSON.stringify(fittedChoices(model, best))}, validation recall@10 ${validation.recall.toFixed(4)}`,
    );
  }
  return {
    params: { ...best, ann: p.ann, als: { ...best.als, iterations: p.als.iterations } },
    validation,
    tried,
    skipped,
    trainings,
    seconds,
  };
}

/**
 * A candidate replaces the current choice only when its validation recall is higher by more than this share: a
 * gain of a few users' hits is noise, and the simpler choice (the start: views alone, no interests in ALS) stays.
 */
export const MIN_GAIN = 0.01;

/**
 * With several folds, a candidate whose first fold falls more than this share below the current best's first fold
 * is not scored on the others: to win it would need the other folds to beat the best's by about this much more
 * than the 2-4% their initialisation moves them (see FIT_FOLDS), so the choice stays what all folds give.
 */
export const SCREEN_MARGIN = 0.05;

/**
 * Validation splits per candidate. ALS's figure moves by 2-4% with the initialisation alone (validation recall of
 * one candidate over three seeds on 10,000 generated users: 0.149 to 0.156), more than the gains being judged, so
 * each ALS candidate is trained on two splits with two seeds and judged by the mean. The cosine family is
 * deterministic, and one split suffices.
 */
export const FIT_FOLDS: Partial<Record<ModelName, number>> = { als: 2 };

/** Fewer users with hidden courses than this make validation figures noise: the run keeps its params unfitted. */
export const MIN_VALIDATION_USERS = 50;

/**
 * Fits one model for a run on its data (see fitModel), or undefined when the data has too few users with 5+
 * courses to validate on (then the given params are used as they are, and said so).
 */
export async function fitForRun(
  model: ModelName,
  signals: Signals,
  p: ModelParams,
  opts: { pool?: Pool; log?: Logger; progress?: () => Promise<void>; screenMargin?: number } = {},
): Promise<FitResult | undefined> {
  const v = validationSplit(signals, p.fit);
  const folds = [v];
  for (let i = 1; i < (FIT_FOLDS[model] ?? 1); i++)
    folds.push(validationSplit(signals, { ...p.fit, seed: p.fit.seed + i }));
  if (v.queryRows.length < MIN_VALIDATION_USERS) {
    (opts.log ?? silentLogger).info(
      `${model}: not fitted: ${v.queryRows.length} users with ${VALIDATION_MIN_ITEMS}+ viewed courses to validate on ` +
        `(expected at least ${MIN_VALIDATION_USERS}); the given parameters are used`,
    );
    return undefined;
  }
  return fitModel(model, folds, p, { fixed: p.fixed, maxCandidates: p.fit.maxCandidates, ...opts });
}

/** The signals a set of models needs, for the loader. */
export function fitSignals(models: ModelName[]): ReturnType<typeof signalsOf> {
  return [...new Set(['views' as const, ...models.flatMap(signalsOf)])];
}
