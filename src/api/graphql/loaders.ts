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

/**
 * This request's loaders, each built on first use: a request reads one or two of them, and building all of them
 * (DataLoaders and their closures) for every request cost more than most requests' own reads.
 */
class RequestLoaders implements Loaders {
  #userExists: Loaders['userExists'] | undefined;
  #neighbours: Loaders['neighbours'] | undefined;
  #interests: Loaders['interests'] | undefined;
  #viewedCourses: Loaders['viewedCourses'] | undefined;
  #assessments: Loaders['assessments'] | undefined;
  #pages: DataLoader<{ after: number; take: number }, UserPageRow[], string> | undefined;
  #count: Promise<number> | undefined;
  #model: Promise<ModelName> | undefined;
  #weightings: Map<ModelName, Promise<VersionWeighting | null>> | undefined;
  #models: Promise<ModelRow[]> | undefined;

  constructor(
    private readonly repo: ApiRepository,
    private readonly source: NeighbourSource,
  ) {}

  get userExists(): Loaders['userExists'] {
    return (this.#userExists ??= new DataLoader((handles) => this.repo.usersExist(handles), {
      maxBatchSize: MAX_BATCH,
    }));
  }

  get neighbours(): Loaders['neighbours'] {
    return (this.#neighbours ??= new DataLoader((keys) => batchNeighbours(this.source, keys), {
      maxBatchSize: MAX_BATCH,
      cacheKeyFn: (k) => `${k.model}:${k.limit}:${k.handle}`,
    }));
  }

  get interests(): Loaders['interests'] {
    return (this.#interests ??= new DataLoader((handles) => this.repo.interests(handles), { maxBatchSize: MAX_BATCH }));
  }

  get viewedCourses(): Loaders['viewedCourses'] {
    return (this.#viewedCourses ??= new DataLoader((handles) => this.repo.viewedCourses(handles), {
      maxBatchSize: MAX_BATCH,
    }));
  }

  get assessments(): Loaders['assessments'] {
    return (this.#assessments ??= new DataLoader((handles) => this.repo.assessments(handles), {
      maxBatchSize: MAX_BATCH,
    }));
  }

  userCount(): Promise<number> {
    return (this.#count ??= this.repo.userCount());
  }

  defaultModel(): Promise<ModelName> {
    return (this.#model ??= this.source.defaultModel());
  }

  weighting(m: ModelName): Promise<VersionWeighting | null> {
    const weightings = (this.#weightings ??= new Map<ModelName, Promise<VersionWeighting | null>>());
    let w = weightings.get(m);
    if (w === undefined) {
      w = this.source.weighting(m);
      weightings.set(m, w);
    }
    return w;
  }

  preview(...args: Parameters<Loaders['preview']>): ReturnType<Loaders['preview']> {
    return this.source.preview(...args);
  }

  models(): Promise<ModelRow[]> {
    return (this.#models ??= this.repo.models());
  }

  usersPage(after: number, take: number): Promise<UserPageRow[]> {
    const repo = this.repo;
    this.#pages ??= new DataLoader<{ after: number; take: number }, UserPageRow[], string>(
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
    return this.#pages.load({ after, take });
  }
}

export function createLoaders(repo: ApiRepository, source: NeighbourSource): Loaders {
  return new RequestLoaders(repo, source);
}
