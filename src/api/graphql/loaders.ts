// DataLoaders, created per request (never shared between requests): each batch is one UNWIND query, in key order.
import DataLoader from 'dataloader';
import type { ApiRepository, AssessmentItem, InterestItem, NeighbourList, ViewItem } from '../../graph/api-repository';
import type { NeighbourSource } from '../cache';
import type { ModelName } from '../models';
import type { VersionWeighting } from '../weighting';

export interface NeighbourKey {
  handle: number;
  model: ModelName;
  limit: number;
}

export interface Loaders {
  /** Whether a user exists. */
  userExists: DataLoader<number, boolean>;
  neighbours: DataLoader<NeighbourKey, NeighbourList, string>;
  interests: DataLoader<number, InterestItem[]>;
  viewedCourses: DataLoader<number, ViewItem[]>;
  assessments: DataLoader<number, AssessmentItem[]>;
  /** Number of users (for idf), read at most once per request. */
  userCount(): Promise<number>;
  /** The model served when a query names none, read at most once per request. */
  defaultModel(): Promise<ModelName>;
  /** A model's active weighting (frozen statistics), read at most once per model and request. */
  weighting(model: ModelName): Promise<VersionWeighting | null>;
}

const MAX_BATCH = 1000;

/** Groups keys by (model, limit): one query per group, all groups in parallel, answers in key order. */
async function batchNeighbours(source: NeighbourSource, keys: readonly NeighbourKey[]): Promise<NeighbourList[]> {
  const groups = new Map<string, { model: ModelName; limit: number; at: number[] }>();
  keys.forEach((k, i) => {
    const id = `${k.model}:${k.limit}`;
    const g = groups.get(id) ?? { model: k.model, limit: k.limit, at: [] };
    g.at.push(i);
    groups.set(id, g);
  });
  const out = new Array<NeighbourList>(keys.length);
  await Promise.all(
    [...groups.values()].map(async (g) => {
      const lists = await source.get(
        g.at.map((i) => keys[i]!.handle),
        g.model,
        g.limit,
      );
      g.at.forEach((i, j) => (out[i] = lists[j]!));
    }),
  );
  return out;
}

export function createLoaders(repo: ApiRepository, source: NeighbourSource): Loaders {
  let count: Promise<number> | undefined;
  let model: Promise<ModelName> | undefined;
  const weightings = new Map<ModelName, Promise<VersionWeighting | null>>();
  return {
    userExists: new DataLoader((handles) => repo.usersExist(handles), { maxBatchSize: MAX_BATCH }),
    neighbours: new DataLoader((keys) => batchNeighbours(source, keys), {
      maxBatchSize: MAX_BATCH,
      cacheKeyFn: (k) => `${k.model}:${k.limit}:${k.handle}`,
    }),
    interests: new DataLoader((handles) => repo.interests(handles), { maxBatchSize: MAX_BATCH }),
    viewedCourses: new DataLoader((handles) => repo.viewedCourses(handles), { maxBatchSize: MAX_BATCH }),
    assessments: new DataLoader((handles) => repo.assessments(handles), { maxBatchSize: MAX_BATCH }),
    userCount: () => (count ??= repo.userCount()),
    defaultModel: () => (model ??= source.defaultModel()),
    weighting: (m) => {
      let w = weightings.get(m);
      if (w === undefined) {
        w = source.weighting(m);
        weightings.set(m, w);
      }
      return w;
    },
  };
}
