// Why two users match. Cosine-family models: the stored score taken apart with the version's own weighting (each
// shared item's part sums to the score). ALS: indicative, the shared items that weigh most under TF-IDF.
import { decompose, type Contribution, type UserItems } from '../jobs/explain';
import { ModelName } from './models';
import type { VersionWeighting } from './weighting';

export type ReasonKind = 'INTEREST' | 'COURSE' | 'COURSE_TAG' | 'ASSESSMENT';

export interface ProfileItem {
  kind: ReasonKind;
  item: string;
  /** Term frequency: 1 for a followed tag, seconds watched for a course, best score for an assessed tag. */
  tf: number;
  /** Document frequency: users (or attempts) holding the item. */
  df: number;
}

export interface Reason {
  kind: ReasonKind;
  item: string;
  /** Share of the explained similarity, 0..1; all shared items together sum to 1. */
  share: number;
  /** share * the model's score. */
  contribution: number;
}

/** The blocks of items each model compares: the combined model all three, the latent model views and follows. */
export function kindsOf(model: ModelName): readonly ReasonKind[] {
  switch (model) {
    case ModelName.INTERESTS:
      return ['INTEREST'];
    case ModelName.COURSE_VIEWS:
      return ['COURSE'];
    case ModelName.ASSESSMENTS:
      return ['ASSESSMENT'];
    case ModelName.COSINE:
      return ['INTEREST', 'COURSE', 'ASSESSMENT'];
    case ModelName.ALS:
      // ALS trains on views and followed tags only: assessments never enter its factors.
      return ['INTEREST', 'COURSE'];
  }
}

/** Smooth idf, as the similarity job's weighting: ln((1 + n) / (1 + df)) + 1. */
export function smoothIdf(n: number, df: number): number {
  return Math.log((1 + n) / (1 + Math.max(0, df))) + 1;
}

function termWeight(kind: ReasonKind, tf: number): number {
  switch (kind) {
    case 'INTEREST':
      return tf > 0 ? 1 : 0;
    case 'COURSE':
    case 'COURSE_TAG':
    case 'ASSESSMENT':
      // Damped: one long binge or a high score should not drown every other shared item.
      return Math.log1p(Math.max(0, tf));
  }
}

/**
 * A user's explanation vector: TF-IDF weight per item, each block (kind) scaled to unit length, then the whole
 * vector to unit length, so the dot product of two vectors is a cosine whose terms are the shared items.
 */
export function explanationVector(items: readonly ProfileItem[], kinds: readonly ReasonKind[], n: number) {
  const vec = new Map<string, number>();
  for (const kind of kinds) {
    const block = new Map<string, number>();
    for (const it of items) {
      if (it.kind !== kind) continue;
      const w = termWeight(kind, it.tf) * smoothIdf(n, it.df);
      // Repeated items (several attempts) keep their largest weight.
      block.set(it.item, Math.max(block.get(it.item) ?? 0, w));
    }
    let norm = 0;
    for (const w of block.values()) norm += w * w;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    for (const [item, w] of block) vec.set(`${kind}\u0000${item}`, w / norm);
  }
  let total = 0;
  for (const w of vec.values()) total += w * w;
  total = Math.sqrt(total);
  if (total > 0) for (const [k, w] of vec) vec.set(k, w / total);
  return vec;
}

/**
 * The shared items that explain a match, best first: item i contributes w_a(i) * w_b(i) to the cosine of the two
 * explanation vectors; its share is that product over the sum of all shared products. Empty when nothing is shared.
 */
export function explainMatch(
  model: ModelName,
  a: readonly ProfileItem[],
  b: readonly ProfileItem[],
  nUsers: number,
  score: number,
  limit: number,
): Reason[] {
  const kinds = kindsOf(model);
  const va = explanationVector(a, kinds, nUsers);
  const vb = explanationVector(b, kinds, nUsers);
  const products: { key: string; p: number }[] = [];
  let sum = 0;
  for (const [key, wa] of va) {
    const wb = vb.get(key);
    if (wb === undefined) continue;
    const p = wa * wb;
    if (p <= 0) continue;
    products.push({ key, p });
    sum += p;
  }
  if (sum === 0) return [];
  products.sort((x, y) => y.p - x.p || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return products.slice(0, Math.max(0, limit)).map(({ key, p }) => {
    const cut = key.indexOf('\u0000');
    const share = p / sum;
    return {
      kind: key.slice(0, cut) as ReasonKind,
      item: key.slice(cut + 1),
      share,
      contribution: share * score,
    };
  });
}

const KIND_OF: Record<Contribution['signal'], ReasonKind> = {
  interests: 'INTEREST',
  views: 'COURSE',
  courseTags: 'COURSE_TAG',
  assessments: 'ASSESSMENT',
};

/**
 * The shared items of a cosine-family match with their exact parts of the score, weighted as the version that
 * computed it (block weights, views weighting, frozen statistics): the contributions of all shared items sum to
 * the score; share is a contribution over that sum. The first `limit`, largest first.
 */
export function exactReasons(
  model: Exclude<ModelName, ModelName.ALS>,
  w: VersionWeighting,
  a: UserItems,
  b: UserItems,
  limit: number,
): Reason[] {
  const d = decompose(model, w.params, w.frozen, a, b);
  if (d.score <= 0) return [];
  return d.contributions.slice(0, Math.max(0, limit)).map((c) => ({
    kind: KIND_OF[c.signal],
    item: c.item,
    share: c.value / d.score,
    contribution: c.value,
  }));
}
