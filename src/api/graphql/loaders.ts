// DataLoaders, created per request (never shared between requests): each batch is one UNWIND query, in key order.
import DataLoader from 'dataloader';
import type {
  ApiRepository,
  AssessmentItem,
  InterestItem,
  ModelRow,
  NeighbourList,
  UserPageRow,
  ViewItem,
} from '../../graph/api-repository';
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
  /** A hypothetical user's live list (previewSimilarUsers): see NeighbourSource.preview. */
  preview: NeighbourSource['preview'];
  /** The model nodes, read at most once per request however many aliases ask. */
  models(): Promise<ModelRow[]>;
  /** A page of users: one query per distinct cursor in a request, at the largest page asked, cut per caller. */
  usersPage(after: number, take: number): Promise<UserPageRow[]>;
}

const MAX_BATCH = 1000;

/**
 * Groups keys by model: one query per model at the largest limit asked, all groups in parallel, each key's list cut
 * to its own limit (neighbours come best first), answers in key order. However many aliases and limits a request
 * holds, it reads neighbours at most once per model per batch.
 */
async function batchNeighbours(source: NeighbourSource, keys: readonly NeighbourKey[]): Promise<NeighbourList[]> {
  const groups = new Map<ModelName, { limit: number; at: number[] }>();
  keys.forEach((k, i) => {
    const g = groups.get(k.model) ?? { limit: 0, at: [] };
    g.limit = Math.max(g.limit, k.limit);
    g.at.push(i);
    groups.set(k.model, g);
  });
  const out = new Array<NeighbourList>(keys.length);
  await Promise.all(
    [...groups.entries()].map(async ([model, g]) => {
      const handles = [...new Set(g.at.map((i) => keys[i]!.handle))];
      const lists = await source.get(handles, model, g.limit);
      const byHandle = new Map(handles.map((h, j) => [h, lists[j]!]));
      for (const i of g.at) {
        const key = keys[i]!;
        const list = byHandle.get(key.handle)!;
        out[i] = { ...list, neighbours: list.neighbours.slice(0, key.limit) };
      }
    }),
  );
  return out;
}

export function createLoaders(repo: ApiRepository, source: NeighbourSource): Loaders {
  let count: Promise<number> | undefined;
  let model: Promise<ModelName> | undefined;
  const weightings = new Map<ModelName, Promise<VersionWeighting | null>>();
  let models: Promise<ModelRow[]> | undefined;
  const pages = new DataLoader<{ after: number; take: number }, UserPageRow[], string>(
    async (keys) => {
      const largest = new Map<number, number>();
      for (const k of keys) largest.set(k.after, Math.max(largest.get(k.after) ?? 0, k.take));
      const rows = new Map(
        await Promise.all(
          [...largest].map(async ([after, take]) => [after, await repo.usersPage(after, take)] as const),
        ),
      );
      return keys.map((k) => (rows.get(k.after) ?? []).slice(0, k.take));
    },
    { cacheKeyFn: (k) => `${k.after}:${k.take}` },
  );
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
    preview: (interests, m, limit) => source.preview(interests, m, limit),
    models: () => (models ??= repo.models()),
    usersPage: (after, take) => pages.load({ after, take }),
  };
}
