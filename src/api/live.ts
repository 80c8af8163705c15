// Lists for users the active version has none for (imported after it): computed on demand from an index of every
// user's row under that version's weighting (cosine family), or of every user folded into the version's stored ALS
// item factors (ALS), and marked live. Every user's signals are read once into a snapshot (with a batch deadline,
// not a request's) shared by the models' indexes, and again only for a newer version.
import type { ApiRepository, NeighbourList } from '../graph/api-repository';
import { Graph } from '../graph/executor';
import { SimilarityRepository } from '../graph/similarity-repository';
import { AlsFoldIn, decodeAlsFactors } from '../jobs/als-fold-in';
import { LiveIndex } from '../jobs/live';
import { SignalLoader, type Signals } from '../jobs/signals';
import type { Logger } from '../log';
import { ModelName, MODEL_NAMES } from './models';
import { loadUserItems } from './profiles';
import type { VersionWeighting } from './weighting';

/** Cosine-family models answer live from their version's weighting (ALS from its stored factors: alsLists). */
export function answersLive(model: string): model is Exclude<ModelName, ModelName.ALS> {
  return model !== String(ModelName.ALS) && (MODEL_NAMES as readonly string[]).includes(model);
}

/** Reading every user's signals takes seconds at 10,000 users, minutes at 1,000,000: not a request's deadline. */
const SNAPSHOT_DEADLINE_MS = 30 * 60_000;

/**
 * Where the startup's warm-up of the live indexes stands, as /readyz reports it: at 1,000,000 users reading every
 * user's signals and building the indexes outlasts the 20 s startup waits, and a live answer asked for meanwhile
 * waits for them (stored lists are served all along).
 */
export type LiveWarmState = 'warming' | 'ready' | 'failed';

export class LiveNeighbours {
  /** The warm-up's state ('warming' until warm() first ends). */
  warmState: LiveWarmState = 'warming';
  private readonly indexes = new Map<string, { version: number; index: Promise<LiveIndex> }>();
  /** The ALS version's users folded in; null when that version kept no factors (written before they were kept). */
  private als: { version: number; index: Promise<AlsFoldIn | null> } | undefined;
  private snapshot: { at: number; signals: Promise<Signals> } | undefined;
  /** When each model's version was first seen here: a snapshot older than that misses its newest users. */
  private readonly firstSeen = new Map<string, number>();
  private forgotten = new Set<number>();
  private forgottenCount = -1;
  /** True once close() ran: a read that failed since failed because of it. */
  closed = false;
  private readonly reader: Graph;

  constructor(
    graph: Graph,
    private readonly repo: ApiRepository,
    private readonly log?: Logger,
  ) {
    this.reader = new Graph(graph.driver, graph.database, {
      ...graph.profile,
      poolSize: 1,
      acquireMs: SNAPSHOT_DEADLINE_MS,
      txTimeoutMs: SNAPSHOT_DEADLINE_MS,
      deadlineMs: SNAPSHOT_DEADLINE_MS,
    });
  }

  /**
   * Ends the snapshot reads in flight and refuses new ones (the server is stopping): at 1,000,000 users a warm-up
   * still reading when SIGTERM came held the process for its 30-minute deadline after the API had stopped.
   */
  close(): void {
    this.closed = true;
    this.reader.abandon();
  }

  /** Builds the indexes of the given versions now (e.g. at startup), so the first live request finds them ready. */
  async warm(
    weightings: ReadonlyArray<[Exclude<ModelName, ModelName.ALS>, VersionWeighting]>,
    alsVersion: number | null = null,
  ): Promise<void> {
    // Every version is seen before the first index asks for signals, so all of them share one snapshot.
    for (const [model, w] of weightings) this.seen(model, w.version);
    if (alsVersion !== null) this.seen(ModelName.ALS, alsVersion);
    try {
      await Promise.all([
        ...weightings.map(([model, w]) => this.index(model, w)),
        ...(alsVersion !== null ? [this.alsIndex(alsVersion)] : []),
      ]);
      this.warmState = 'ready';
    } catch (err) {
      this.warmState = 'failed';
      throw err;
    }
  }

  /** When a model's version was first seen here (now, the first time). */
  private seen(model: string, version: number): number {
    const key = `${model}:${version}`;
    let at = this.firstSeen.get(key);
    if (at === undefined) {
      at = Date.now();
      this.firstSeen.set(key, at);
    }
    return at;
  }

  private signals(newerThan: number): Promise<Signals> {
    if (this.snapshot !== undefined && this.snapshot.at >= newerThan) return this.snapshot.signals;
    const at = Date.now();
    const signals = (async () => {
      const t = performance.now();
      const loader = await SignalLoader.open(new SimilarityRepository(this.reader));
      await loader.need(['interests', 'views', 'assessments', 'courseTags']);
      this.log?.info(
        `live answers: read ${loader.signals.users.size.toLocaleString('en-US')} users' signals in ` +
          `${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      return loader.signals;
    })();
    const snapshot = { at, signals };
    // A failed read is not kept: the next request tries again.
    signals.catch(() => {
      if (this.snapshot === snapshot) this.snapshot = undefined;
    });
    this.snapshot = snapshot;
    return signals;
  }

  /** The index of a version, built on first use. */
  private index(model: Exclude<ModelName, ModelName.ALS>, w: VersionWeighting): Promise<LiveIndex> {
    const known = this.indexes.get(model);
    if (known !== undefined && known.version === w.version) return known.index;
    const index = this.signals(this.seen(model, w.version)).then((s) => new LiveIndex(model, w.params, w.frozen, s));
    index.catch(() => {
      if (this.indexes.get(model)?.index === index) this.indexes.delete(model);
    });
    this.indexes.set(model, { version: w.version, index });
    return index;
  }

  /** The ALS version's fold-in, built on first use from its stored factors and the signals snapshot. */
  private alsIndex(version: number): Promise<AlsFoldIn | null> {
    if (this.als !== undefined && this.als.version === version) return this.als.index;
    const index = (async () => {
      const stored = await new SimilarityRepository(this.reader).alsFactors(ModelName.ALS, version);
      if (stored === null) return null;
      const factors = decodeAlsFactors(stored);
      const signals = await this.signals(this.seen(ModelName.ALS, version));
      const t = performance.now();
      const folded = new AlsFoldIn(factors, signals);
      this.log?.info(
        `live answers: folded ${folded.users.toLocaleString('en-US')} users into als version ${version} in ` +
          `${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      return folded;
    })();
    index.catch(() => {
      if (this.als?.index === index) this.als = undefined;
    });
    this.als = { version, index };
    return index;
  }

  /**
   * Live ALS lists for the given handles under the given ALS version, in order; null when that version kept no
   * factors (the lists stay empty until the next run).
   */
  async alsLists(handles: readonly number[], version: number, limit: number): Promise<NeighbourList[] | null> {
    const [index, skip, items] = await Promise.all([
      this.alsIndex(version),
      this.skipSet(),
      loadUserItems(this.repo, handles),
    ]);
    if (index === null) return null;
    return handles.map((h, i) => ({
      found: true,
      version,
      live: true,
      neighbours: index
        .neighbours(items[i]!, limit, (o) => o === h || skip.has(o))
        .map((n, j) => ({ handle: n.handle, score: n.score, rank: j + 1 })),
    }));
  }

  /** Handles forgotten, re-read when their number changes. */
  private async skipSet(): Promise<Set<number>> {
    const { count, handles } = await this.repo.forgotten(this.forgottenCount);
    if (handles !== null) {
      this.forgotten = new Set(handles);
      this.forgottenCount = count;
    }
    return this.forgotten;
  }

  /**
   * The list a hypothetical user following `interests` (canonical tag names) would get under the version, and the
   * interests no user of the version follows (nothing is written: the user exists only in this computation).
   */
  async preview(
    interests: readonly string[],
    model: Exclude<ModelName, ModelName.ALS>,
    w: VersionWeighting,
    limit: number,
  ): Promise<{ list: NeighbourList; unknown: string[] }> {
    const [index, skip] = await Promise.all([this.index(model, w), this.skipSet()]);
    // Tags nobody follows are left out, not weighted as unseen items: they would only shrink every score.
    const items = { interests: interests.filter((t) => index.knowsInterest(t)), views: [], assessments: [] };
    return {
      list: {
        found: true,
        version: w.version,
        live: true,
        neighbours: index
          .neighbours(items, limit, (o) => skip.has(o))
          .map((n, j) => ({ handle: n.handle, score: n.score, rank: j + 1 })),
      },
      unknown: interests.filter((t) => !index.knowsInterest(t)),
    };
  }

  /** Live lists for the given handles (users the version has no list for), in order. */
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
