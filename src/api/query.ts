// One user's neighbours with the reasons of each match, read straight from the graph (no HTTP): `npm run query`.
import { notFound } from '../errors';
import { ApiRepository } from '../graph/api-repository';
import type { Graph } from '../graph/executor';
import { defaultModelOf, ModelName } from './models';
import { loadProfiles, loadUserItems } from './profiles';
import { exactReasons, explainMatch, type Reason } from './reasons';
import { WeightingMemo } from './weighting';

export interface ExplainedNeighbour {
  rank: number;
  handle: number;
  score: number;
  /** The top shared items, as the API's `reasons` field gives them. */
  reasons: Reason[];
}

export interface ExplainedList {
  model: ModelName;
  /** The model's active version; null when it has none yet (then no neighbours). */
  version: number | null;
  neighbours: ExplainedNeighbour[];
}

/**
 * The user's `limit` best neighbours under `model` (the default model when null), each with its 3 top reasons.
 * Throws NOT_FOUND for a handle that is no user.
 */
export async function explainedNeighbours(
  graph: Graph,
  q: { handle: number; model: ModelName | null; limit: number },
): Promise<ExplainedList> {
  const repo = new ApiRepository(graph);
  const model = q.model ?? defaultModelOf(await repo.models());
  const [list] = await repo.neighbours([q.handle], model, q.limit);
  if (list === undefined || !list.found) throw notFound(`no user with handle ${q.handle}`);
  const handles = [q.handle, ...list.neighbours.map((n) => n.handle)];
  // Cosine-family models: the score taken apart with the version's weighting; ALS: indicative.
  const stored = model === ModelName.ALS ? null : await new WeightingMemo(repo).get(model);
  const weighting = stored !== null && stored.version === list.version ? stored : null;
  const [profiles, items, users] = await Promise.all([
    loadProfiles(repo, handles, model),
    weighting !== null ? loadUserItems(repo, handles) : Promise.resolve([]),
    repo.userCount(),
  ]);
  const neighbours = list.neighbours.map((n, i) => ({
    rank: n.rank,
    handle: n.handle,
    score: n.score,
    reasons:
      weighting !== null && model !== ModelName.ALS
        ? exactReasons(model, weighting, items[0]!, items[i + 1]!, 3)
        : explainMatch(model, profiles[0] ?? [], profiles[i + 1] ?? [], users, n.score, 3),
  }));
  return { model, version: list.version, neighbours };
}
