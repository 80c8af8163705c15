// The weighting a model's active version was computed with (its params and frozen statistics), kept per model and
// re-read only when the version changes: what makes `reasons` add up to the stored scores.
import type { ApiRepository } from '../graph/api-repository';
import type { FrozenWeighting, ModelParams } from '../jobs/models';
import type { ModelName } from './models';

/** What decomposing a score of one version needs. */
export interface VersionWeighting {
  version: number;
  params: Pick<ModelParams, 'weights' | 'viewsWeighting' | 'bm25'>;
  frozen: FrozenWeighting;
}

function isFrozen(v: unknown): v is FrozenWeighting {
  return typeof v === 'object' && v !== null && typeof (v as { users?: unknown }).users === 'number';
}

/** The version's params in the shape the weighting needs (defaults of versions written before they were stored). */
function weightingParams(raw: unknown): VersionWeighting['params'] {
  const p = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<VersionWeighting['params']>;
  return {
    weights: p.weights ?? { interests: 0, views: 0, courseTags: 0, assessments: 0 },
    viewsWeighting: p.viewsWeighting === 'idf' ? 'idf' : 'bm25',
    bm25: p.bm25 ?? { k1: 1.2, b: 0.75 },
  };
}

/** Per model, the last version's weighting; one small query per lookup to learn whether the version moved. */
export class WeightingMemo {
  private readonly known = new Map<string, VersionWeighting | null>();
  private readonly versions = new Map<string, number>();

  constructor(private readonly repo: ApiRepository) {}

  /** The active version's weighting, or null when the model has no active version or it has no weighting. */
  async get(model: ModelName): Promise<VersionWeighting | null> {
    const cached = this.known.get(model);
    const row = await this.repo.weighting(model, this.versions.get(model) ?? null);
    if (row === null) return null;
    if (cached !== undefined && this.versions.get(model) === row.version) return cached;
    const value = isFrozen(row.weighting)
      ? { version: row.version, params: weightingParams(row.params), frozen: row.weighting }
      : null;
    this.known.set(model, value);
    this.versions.set(model, row.version);
    return value;
  }

  /**
   * The weighting of the given version of a model when that version is the one held (no query: a caller that read
   * a list of that version knows it was active), else what get() reads; null when the version has none, or is no
   * longer the active one.
   */
  async ofVersion(model: ModelName, version: number): Promise<VersionWeighting | null> {
    if (this.versions.get(model) === version) return this.known.get(model) ?? null;
    const w = await this.get(model);
    return w !== null && w.version === version ? w : null;
  }
}
