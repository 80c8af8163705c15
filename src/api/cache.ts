// Neighbour lists kept in memory per (model, ACTIVE version, limit, handle): a version's edges never change once
// it is active, so an entry is valid for as long as its version stays the active one.
import type { ApiRepository, NeighbourList } from '../graph/api-repository';
import type { Logger } from '../log';
import { defaultModelOf, ModelName } from './models';
import { answersLive, type LiveNeighbours } from './live';
import { WeightingMemo, type VersionWeighting } from './weighting';

export interface CacheOptions {
  /** How often the active versions are re-read (default 1 s). */
  refreshMs?: number;
  /** Entries are used only while the versions were confirmed this recently (default 3 s): Neo4j down means misses. */
  staleMs?: number;
  /** Most lists kept, least recently used dropped first (default 50,000). */
  maxEntries?: number;
}

/** Where neighbour lists come from: the repository directly, or through the cache. */
export interface NeighbourSource {
  get(handles: readonly number[], model: string, limit: number): Promise<NeighbourList[]>;
  /** The model served when a client names none (marked default by the last similarity run). */
  defaultModel(): Promise<ModelName>;
  /** The weighting the model's active version was computed with (null when it has none, e.g. ALS). */
  weighting(model: ModelName): Promise<VersionWeighting | null>;
  /**
   * A hypothetical user's live list from canonical interests (previewSimilarUsers), never cached; null when the
   * model's active version kept no weighting (or the server answers nothing live).
   */
  preview(
    interests: readonly string[],
    model: Exclude<ModelName, ModelName.ALS>,
    limit: number,
  ): Promise<{ list: NeighbourList; unknown: string[] } | null>;
}

async function previewOf(
  live: LiveNeighbours | undefined,
  weighting: VersionWeighting | null,
  interests: readonly string[],
  model: Exclude<ModelName, ModelName.ALS>,
  limit: number,
): Promise<{ list: NeighbourList; unknown: string[] } | null> {
  if (live === undefined || weighting === null) return null;
  return live.preview(interests, model, weighting, limit);
}

/**
 * The lists with every empty list of an existing user replaced by a live one (computed on demand under the active
 * version's weighting, or folded into its ALS factors) where the version stored what that needs.
 */
async function withLive(
  lists: NeighbourList[],
  handles: readonly number[],
  model: string,
  limit: number,
  live: LiveNeighbours | undefined,
  memo: WeightingMemo,
): Promise<NeighbourList[]> {
  if (live === undefined || !(answersLive(model) || model === String(ModelName.ALS))) return lists;
  const empty = lists.flatMap((l, i) => (l.found && l.version !== null && l.neighbours.length === 0 ? [i] : []));
  if (empty.length === 0) return lists;
  const version = lists[empty[0]!]!.version!;
  const asked = empty.map((i) => handles[i]!);
  let fresh: NeighbourList[] | null;
  if (answersLive(model)) {
    // The lists' version was active when they were read: its weighting, held since it became active, needs no query.
    const w = await memo.ofVersion(model, version);
    if (w === null) return lists;
    fresh = await live.lists(asked, model, w, limit);
  } else {
    fresh = await live.alsLists(asked, version, limit);
  }
  if (fresh === null) return lists;
  const out = [...lists];
  empty.forEach((i, j) => (out[i] = fresh[j]!));
  return out;
}

export function uncached(repo: ApiRepository, live?: LiveNeighbours): NeighbourSource {
  const memo = new WeightingMemo(repo);
  const weighting = (model: ModelName) => memo.get(model);
  return {
    get: async (handles, model, limit) =>
      withLive(await repo.neighbours(handles, model, limit), handles, model, limit, live, memo),
    defaultModel: async () => defaultModelOf(await repo.models()),
    weighting,
    preview: async (interests, model, limit) => previewOf(live, await weighting(model), interests, model, limit),
  };
}

/** Lookups go through get(); the repository is asked only for misses, all in one batch. */
export class NeighbourCache implements NeighbourSource {
  private readonly repo: ApiRepository;
  private readonly refreshMs: number;
  private readonly staleMs: number;
  private readonly maxEntries: number;
  private readonly log: Logger | undefined;
  private versions = new Map<string, number | null>();
  private defaultName: ModelName | undefined;
  private readonly weightings: WeightingMemo;
  private readonly live: LiveNeighbours | undefined;
  private forgottenCount = -1;
  private confirmedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly entries = new Map<string, NeighbourList>();
  hits = 0;
  misses = 0;

  constructor(repo: ApiRepository, opts: CacheOptions = {}, log?: Logger, live?: LiveNeighbours) {
    this.live = live;
    this.repo = repo;
    this.refreshMs = opts.refreshMs ?? 1_000;
    this.staleMs = opts.staleMs ?? 3_000;
    this.maxEntries = opts.maxEntries ?? 50_000;
    this.log = log;
    this.weightings = new WeightingMemo(repo);
  }

  weighting(model: ModelName): Promise<VersionWeighting | null> {
    return this.weightings.get(model);
  }

  async preview(
    interests: readonly string[],
    model: Exclude<ModelName, ModelName.ALS>,
    limit: number,
  ): Promise<{ list: NeighbourList; unknown: string[] } | null> {
    return previewOf(this.live, await this.weighting(model), interests, model, limit);
  }

  /** Reads the active versions now, then every refreshMs (the timer does not keep the process alive). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  /**
   * Drops every entry now (a user was forgotten through this server): a refresh already in flight may have read
   * the forgotten users before the change, so waiting for it would not be enough.
   */
  clear(): void {
    this.entries.clear();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.entries.clear();
  }

  /**
   * Re-reads the active versions; a call while a refresh is still running joins it, so a slow or stalled Neo4j
   * never piles up refresh queries (the timer ticks on, at most one of them is in flight).
   */
  refresh(): Promise<void> {
    this.refreshing ??= this.readVersions().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readVersions(): Promise<void> {
    try {
      const models = await this.repo.models();
      // A forgotten user may sit in any list: every entry goes when the number of forgotten users changes.
      const forgotten = await this.repo.forgotten(this.forgottenCount);
      if (forgotten.handles !== null) {
        if (this.forgottenCount !== -1) this.entries.clear();
        this.forgottenCount = forgotten.count;
      }
      this.versions = new Map(models.map((m) => [m.name, m.version]));
      this.defaultName = defaultModelOf(models);
      this.confirmedAt = Date.now();
    } catch (err) {
      // Entries stop being served once staleMs passes; requests then meet the outage themselves.
      this.log?.warn(`neighbour cache: could not refresh active versions (${(err as Error).message})`);
    }
  }

  /** The default model as last confirmed; read from the graph when the confirmation is stale. */
  async defaultModel(): Promise<ModelName> {
    if (this.defaultName !== undefined && Date.now() - this.confirmedAt <= this.staleMs) return this.defaultName;
    return defaultModelOf(await this.repo.models());
  }

  private activeVersion(model: string): number | null | undefined {
    if (Date.now() - this.confirmedAt > this.staleMs) return undefined;
    return this.versions.get(model);
  }

  /** Lists for many handles of one model and limit, in order: hits from memory, misses in one repository call. */
  async get(handles: readonly number[], model: string, limit: number): Promise<NeighbourList[]> {
    const version = this.activeVersion(model);
    const out = new Array<NeighbourList | undefined>(handles.length);
    const missing: number[] = [];
    if (version !== undefined && version !== null) {
      handles.forEach((h, i) => {
        const key = `${model}:${version}:${limit}:${h}`;
        const hit = this.entries.get(key);
        if (hit === undefined) {
          missing.push(i);
          return;
        }
        // Map keeps insertion order: re-inserting marks the entry as recently used.
        this.entries.delete(key);
        this.entries.set(key, hit);
        out[i] = hit;
      });
    } else {
      handles.forEach((_h, i) => missing.push(i));
    }
    this.hits += handles.length - missing.length;
    this.misses += missing.length;
    if (missing.length > 0) {
      const asked = missing.map((i) => handles[i]!);
      const lists = await withLive(
        await this.repo.neighbours(asked, model, limit),
        asked,
        model,
        limit,
        this.live,
        this.weightings,
      );
      missing.forEach((i, j) => {
        const list = lists[j]!;
        out[i] = list;
        // Only lists read from the version still active are kept; unknown users are not cached.
        if (list.found && list.version !== null && list.version === this.activeVersion(model)) {
          this.entries.set(`${model}:${list.version}:${limit}:${handles[i]!}`, list);
          if (this.entries.size > this.maxEntries) {
            const oldest = this.entries.keys().next();
            if (oldest.done !== true) this.entries.delete(oldest.value);
          }
        }
      });
    }
    return out as NeighbourList[];
  }
}
