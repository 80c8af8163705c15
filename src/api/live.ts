// Lists for users the active version has none for (imported after it): computed on demand from an index of every
// user's row under that version's weighting, built once per version from the graph, and marked live.
import type { ApiRepository, NeighbourList } from '../graph/api-repository';
import type { Graph } from '../graph/executor';
import { SimilarityRepository } from '../graph/similarity-repository';
import { LiveIndex } from '../jobs/live';
import { SignalLoader } from '../jobs/signals';
import type { Logger } from '../log';
import { ModelName } from './models';
import { loadUserItems } from './profiles';
import type { VersionWeighting } from './weighting';

/** Cosine-family models answer live; ALS would need its item factors (not stored yet). */
export function answersLive(model: string): model is Exclude<ModelName, ModelName.ALS> {
  return model !== String(ModelName.ALS);
}

export class LiveNeighbours {
  private readonly indexes = new Map<string, { version: number; index: Promise<LiveIndex> }>();
  private forgotten = new Set<number>();
  private forgottenCount = -1;

  constructor(
    private readonly graph: Graph,
    private readonly repo: ApiRepository,
    private readonly log?: Logger,
  ) {}

  /** The index of a version, built on first use (reading every user's signals once). */
  private index(model: Exclude<ModelName, ModelName.ALS>, w: VersionWeighting): Promise<LiveIndex> {
    const known = this.indexes.get(model);
    if (known !== undefined && known.version === w.version) return known.index;
    const index = (async () => {
      const t = performance.now();
      const loader = await SignalLoader.open(new SimilarityRepository(this.graph));
      await loader.need(['interests', 'views', 'assessments', 'courseTags']);
      const built = new LiveIndex(model, w.params, w.frozen, loader.signals);
      this.log?.info(
        `live ${model}: index of version ${w.version} over ${built.users.toLocaleString('en-US')} users in ` +
          `${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      return built;
    })();
    // A failed build is not kept: the next request tries again.
    index.catch(() => this.indexes.delete(model));
    this.indexes.set(model, { version: w.version, index });
    return index;
  }

  /** Handles forgotten since the indexes were built, re-read when their count changes. */
  private async skipSet(): Promise<Set<number>> {
    const { count, handles } = await this.repo.forgotten(this.forgottenCount);
    if (handles !== null) {
      this.forgotten = new Set(handles);
      this.forgottenCount = count;
    }
    return this.forgotten;
  }

  /** Live lists for the given handles (users the version has no list for), in order; null where not possible. */
  async lists(
    handles: readonly number[],
    model: Exclude<ModelName, ModelName.ALS>,
    w: VersionWeighting,
    limit: number,
  ): Promise<NeighbourList[]> {
    const [index, skip, items] = await Promise.all([
      this.index(model, w),
      this.skipSet(),
      loadUserItems(this.repo, handles),
    ]);
    return handles.map((h, i) => ({
      found: true,
      version: w.version,
      live: true,
      neighbours: index
        .neighbours(items[i]!, limit, (o) => o === h || skip.has(o))
        .map((n, j) => ({ handle: n.handle, score: n.score, rank: j + 1 })),
    }));
  }
}
