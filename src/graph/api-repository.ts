// Reads for the API: every query batches its handles with UNWIND and answers in key order (null/[] for a miss).
import neo4j, { type Integer } from 'neo4j-driver';
import type { Neighbour } from '../domain';
import { cypher, type Statement } from './cypher';
import type { Graph } from './executor';

export interface NeighbourList {
  /** Whether the user exists at all (an existing user may have no neighbours). */
  found: boolean;
  /** Active version of the model, null when it has none. */
  version: number | null;
  neighbours: Neighbour[];
  /** Computed on demand for a user the active version has no list for (not stored). */
  live?: boolean;
}

export interface InterestItem {
  name: string;
  /** Users following the tag. */
  df: number;
}

export interface ViewItem {
  courseId: string;
  level: string | null;
  seconds: number;
  days: number;
  /** Users who watched the course. */
  df: number;
  /** The course's tags. */
  tags: string[];
}

/** A model's active version with its parameters and, unless the caller knows that version, its frozen weighting. */
export interface WeightingRow {
  version: number;
  params: unknown;
  /** Parsed JSON; null when the version has none or it was not asked for. */
  weighting: unknown;
}

export interface AssessmentItem {
  tag: string;
  score: number;
  takenAt: string | null;
  /** Attempts on the tag by anyone. */
  df: number;
}

export type UserPageRow = {
  handle: number;
};

export interface ModelRow {
  name: string;
  version: number | null;
  trainedAt: string | null;
  writing: number | null;
  params: unknown;
  metrics: unknown;
  users: number | null;
  edges: number | null;
  /** recall@10 on the validation split of the run that made the active version. */
  validation: number | null;
  /** The model served when a client names none. */
  isDefault: boolean;
  /** The sharded run writing a version, and its shards done so far (null when none is writing). */
  writingRun: string | null;
  shardsDone: number[] | null;
  /** The run's shard count, and who holds (planReady false) or made (true) its decisions for the model. */
  shardCount: number | null;
  planOwner: string | null;
  planReady: boolean | null;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    // A hand-written property that is not JSON is still worth showing.
    return value;
  }
}

// JavaScript numbers reach Cypher as floats: handles and limits go as integers (index seeks, LIMIT).
const ints = (values: readonly number[]): Integer[] => values.map((v) => neo4j.int(v));

/** Groups rows `{handle, items}` into one list per requested handle, in request order. */
function byHandle<T>(handles: readonly number[], rows: { handle: number; items: T[] }[]): T[][] {
  const map = new Map<number, T[]>();
  for (const r of rows) map.set(r.handle, r.items);
  return handles.map((h) => map.get(h) ?? []);
}

/** The API's window on the graph: batched, parameterised reads; the statements live in cypher/api/. */
export class ApiRepository {
  readonly graph: Graph;

  constructor(graph: Graph) {
    this.graph = graph;
  }

  async ping(): Promise<void> {
    await this.read(cypher('api/user-count'), {});
  }

  /** One auto-commit read through the executor (its profile bounds the wait), retried once on a stale connection. */
  private read<P extends object, R extends object>(statement: Statement<P, R>, params: P): Promise<R[]> {
    return this.graph.autoCommit(statement, params, { mode: 'READ', retryConnection: true });
  }

  async usersExist(handles: readonly number[]): Promise<boolean[]> {
    const rows = await this.read(cypher('api/users-by-handle'), {
      handles: ints(handles),
    });
    const found = new Set(rows.filter((r) => r.found).map((r) => r.handle));
    return handles.map((h) => found.has(h));
  }

  async neighbours(handles: readonly number[], model: string, limit: number): Promise<NeighbourList[]> {
    const rows = await this.read(cypher('api/similar-users'), {
      handles: ints(handles),
      model,
      limit: neo4j.int(limit),
    });
    const map = new Map(rows.map((r) => [r.handle, r]));
    return handles.map((h) => {
      const r = map.get(h);
      // Best first (score, then handle): a neighbour's rank is its position (no rank is stored on the edges).
      const neighbours = (r?.neighbours ?? []).map((n, i) => ({ handle: n.handle, score: n.score, rank: i + 1 }));
      return { found: r?.found ?? false, version: r?.version ?? null, neighbours };
    });
  }

  async interests(handles: readonly number[]): Promise<InterestItem[][]> {
    const rows = await this.read(cypher('api/interests'), {
      handles: ints(handles),
    });
    return byHandle(handles, rows);
  }

  async viewedCourses(handles: readonly number[]): Promise<ViewItem[][]> {
    const rows = await this.read(cypher('api/viewed-courses'), {
      handles: ints(handles),
    });
    return byHandle(handles, rows);
  }

  async assessments(handles: readonly number[]): Promise<AssessmentItem[][]> {
    const rows = await this.read(cypher('api/assessments'), {
      handles: ints(handles),
    });
    return byHandle(handles, rows);
  }

  /** How many users were forgotten, and their handles unless that count is `known`. */
  async forgotten(known: number): Promise<{ count: number; handles: number[] | null }> {
    const [row] = await this.read(cypher('api/forgotten'), { known: neo4j.int(known) });
    return { count: row?.count ?? 0, handles: row?.handles ?? null };
  }

  /** The active version's params and weighting of a model (the weighting omitted when it is `known`). */
  async weighting(model: string, known: number | null): Promise<WeightingRow | null> {
    const [row] = await this.read(cypher('api/model-weighting'), {
      model,
      known: neo4j.int(known ?? -1),
    });
    if (row === undefined) return null;
    return { version: row.version, params: parseJson(row.params), weighting: parseJson(row.weighting) };
  }

  async userCount(): Promise<number> {
    const [row] = await this.read(cypher('api/user-count'), {});
    return row?.n ?? 0;
  }

  /** Handles after `after` (exclusive; -1 from the start), ascending, at most `take`. */
  async usersPage(after: number, take: number): Promise<UserPageRow[]> {
    return this.read(cypher('api/users-page'), { after: neo4j.int(after), take: neo4j.int(take) });
  }

  async models(): Promise<ModelRow[]> {
    const rows = await this.read(cypher('api/models'), {});
    return rows.map((r) => ({ ...r, params: parseJson(r.params), metrics: parseJson(r.metrics) }));
  }

  async close(): Promise<void> {
    await this.graph.close();
  }
}
