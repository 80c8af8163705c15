// Neo4j side of the similarity job: streams the signals users carry, and writes versioned SIMILAR_TO edges.
import neo4j from 'neo4j-driver';
import type { Neighbour } from '../domain';
import { AppError } from '../errors';
import { cypher, type CypherName, type ParamsOf, type RowOf } from './cypher';
import type { Graph, RowGetter } from './executor';
import { ModelLease, type ExpiredLease, type LeaseOptions } from './lease';
import type { Logger } from '../log';

/** What asking for a run's decisions gave (see claim-plan.cypher). */
export type PlanClaim =
  | { state: 'claimed'; tookOverFrom: string | null }
  | { state: 'wait'; owner: string; expiresInMs: number }
  | { state: 'ready'; plan: string };

/** One stored chunk of a run's ALS user factors: rows first .. first + rows - 1, base64 of little-endian float32. */
export interface StoredUserFactors {
  chunk: number;
  first: number;
  rows: number;
  factors: number;
  data: string;
}

/** One stored chunk of a version's compact lists (jobs/list-blobs.ts): users [first, first + users) of the version's lists, each array as base64 (little-endian). */
export interface StoredListChunk {
  chunk: number;
  chunks: number;
  users: number;
  /** float64 handles. */
  handles: string;
  /** int32, users + 1 entries, from 0 (offsets within the chunk). */
  offsets: string;
  /** float64 neighbour handles. */
  neighbours: string;
  /** float64 scores (the scores the edges hold, exactly). */
  scores: string;
  /**
   * The version whose full lists these extend (they hold only the lists that differ from its own, each in their
   * place), or null for a full set.
   */
  base?: number | null;
}

/** One stored chunk of a signal's rows (jobs/signal-blobs.ts): base64 of little-endian typed arrays. */
export interface StoredSignalChunk {
  signal: string;
  chunk: number;
  chunks: number;
  users: number;
  /** float64 user handles. */
  handles: string;
  /** int32, users + 1 entries, from 0. */
  offsets: string;
  /** int32 column indices into the stored tag or course names. */
  cols: string;
  /** float32 values. */
  vals: string;
}

/** What completes a read's stored signal rows: when it read, the names of the columns, the signals stored. */
export interface StoredSignalNames {
  asOf: string;
  tags: string[];
  courses: string[];
  signals: string[];
}

/** What an ALS version keeps for folding users in, as stored: float arrays as base64 of little-endian float32. */
export interface StoredAlsFactors {
  factors: number;
  /** Item keys ('c:' + course id, 't:' + tag) in the row order of itemFactors. */
  items: string[];
  itemFactors: string;
  mean: string | null;
  /** JSON of the regularisation and the confidence settings. */
  settings: string;
}

/** One user's neighbours to write: handles and scores in rank order. */
export interface EdgeRow {
  h: number;
  n: number[];
  s: number[];
}

/** One user's change in an incremental version: the neighbours whose edge is ended and the edges created. */
export interface DeltaRow extends EdgeRow {
  end: number[];
}

export interface ModelNode {
  name: string;
  version: number | null;
  writing: number | null;
  trainedAt: string | null;
  params: string | null;
  metrics: string | null;
  users: number | null;
  edges: number | null;
  /** The sharded run that wrote the active version, null when a single process did. */
  activeRun: string | null;
}

/** A stored neighbour, with the version that holds it. */
export interface StoredNeighbour extends Neighbour {
  version: number;
}

export interface ActivateInput {
  model: string;
  version: number;
  /** The full version this one builds on: `version` itself for a full run, the active floor for an incremental one. */
  floor: number;
  params: string;
  metrics: string | null;
  users: number;
  edges: number;
  /** recall@10 on the run's validation split (null when the run did not validate). */
  validation: number | null;
  /** The weighting statistics the version was computed with (JSON; null for models that have none). */
  weighting: string | null;
}

const asNumber = (v: unknown): number => (typeof v === 'number' ? v : neo4j.isInt(v) ? v.toNumber() : Number(v));
const asNullableNumber = (v: unknown): number | null => (v === null || v === undefined ? null : asNumber(v));

export class SimilarityRepository {
  constructor(private readonly graph: Graph) {}

  /**
   * Runs a read statement and hands each record to onRow as it arrives (the driver pulls in pages of
   * fetchSize with back-pressure), so tens of millions of rows never sit in memory at once.
   */
  async stream<N extends CypherName>(
    name: N,
    params: ParamsOf<N>,
    onRow: (get: RowGetter<RowOf<N>>) => void,
  ): Promise<number> {
    return this.graph.stream(cypher(name), params, onRow, { fetchSize: 5000 });
  }

  /** Every user handle, ascending. */
  async userHandles(): Promise<Float64Array> {
    const [row] = await this.graph.read(cypher('similarity/read-users'), {});
    return Float64Array.from(row?.handles ?? [], asNumber);
  }

  async eachInterest(onRow: (handle: number, tags: string[]) => void): Promise<number> {
    return this.stream('similarity/read-interests', {}, (get) => onRow(asNumber(get('handle')), get('tags')));
  }

  async eachViews(onRow: (handle: number, views: [string, number][]) => void): Promise<number> {
    return this.stream('similarity/read-views', {}, (get) =>
      onRow(asNumber(get('handle')), get('views') as [string, number][]),
    );
  }

  async eachAssessments(onRow: (handle: number, scores: [string, number][]) => void): Promise<number> {
    return this.stream('similarity/read-assessments', {}, (get) =>
      onRow(asNumber(get('handle')), get('scores') as [string, number][]),
    );
  }

  /** The interests of the given users (those with any). */
  async eachInterestOf(handles: number[], onRow: (handle: number, tags: string[]) => void): Promise<number> {
    return this.stream('similarity/read-interests-of', { handles }, (get) =>
      onRow(asNumber(get('handle')), get('tags')),
    );
  }

  async eachViewsOf(handles: number[], onRow: (handle: number, views: [string, number][]) => void): Promise<number> {
    return this.stream('similarity/read-views-of', { handles }, (get) =>
      onRow(asNumber(get('handle')), get('views') as [string, number][]),
    );
  }

  async eachAssessmentsOf(
    handles: number[],
    onRow: (handle: number, scores: [string, number][]) => void,
  ): Promise<number> {
    return this.stream('similarity/read-assessments-of', { handles }, (get) =>
      onRow(asNumber(get('handle')), get('scores') as [string, number][]),
    );
  }

  /** Keeps a read's signal rows: every chunk, then the names, which mark them whole. */
  async writeSignalRows(names: StoredSignalNames, chunks: readonly StoredSignalChunk[]): Promise<void> {
    for (const c of chunks) {
      await this.graph.write(cypher('similarity/write-signal-rows'), {
        ...c,
        asOf: names.asOf,
        chunk: neo4j.int(c.chunk),
        chunks: neo4j.int(c.chunks),
        users: neo4j.int(c.users),
      });
    }
    await this.graph.write(cypher('similarity/write-signal-names'), names);
  }

  /** The newest whole stored signal rows' names; null when none are stored. */
  async storedSignalNames(): Promise<StoredSignalNames | null> {
    const [row] = await this.graph.read(cypher('similarity/read-signal-names'), {});
    return row === undefined ? null : { asOf: row.asOf, tags: row.tags, courses: row.courses, signals: row.signals };
  }

  /** One signal's stored chunks of the read at `asOf`. */
  async signalRows(asOf: string, signal: string): Promise<StoredSignalChunk[]> {
    const rows = await this.graph.read(cypher('similarity/read-signal-rows'), { asOf, signal });
    return rows.map((row) => ({
      signal,
      chunk: asNumber(row.chunk),
      chunks: asNumber(row.chunks),
      users: asNumber(row.users),
      handles: row.handles,
      offsets: row.offsets,
      cols: row.cols,
      vals: row.vals,
    }));
  }

  /** Deletes the stored signal rows of every read but `keep`; returns how many nodes went. */
  async deleteSignalRows(keep: string): Promise<number> {
    const [row] = await this.graph.write(cypher('similarity/delete-signal-rows'), { keep });
    return asNumber(row?.deleted ?? 0);
  }

  async eachCourseTags(onRow: (course: string, tags: string[]) => void): Promise<number> {
    return this.stream('similarity/read-course-tags', {}, (get) => onRow(get('course'), get('tags')));
  }

  /** Takes the lease of the models for one run (all or none); throws LeaseHeldError when another run holds one. */
  async takeLease(
    models: readonly string[],
    opts: LeaseOptions,
    log?: Logger,
  ): Promise<{ lease: ModelLease; takenOver: ExpiredLease[] }> {
    return ModelLease.acquire(this.graph, models, opts, log);
  }

  /**
   * Reserves the next version of a model (SimilarityModel.writing = it); returns it, the active one and the full
   * version the active one builds on (its floor).
   */
  async beginVersion(model: string): Promise<{ active: number | null; floor: number | null; version: number }> {
    const [row] = await this.graph.write(cypher('similarity/begin-version'), { model });
    if (row === undefined) throw new AppError('INTERNAL', `begin-version for ${model} returned no row`);
    return { active: asNullableNumber(row.active), floor: asNullableNumber(row.floor), version: asNumber(row.version) };
  }

  /**
   * Deletes what runs that failed or were killed left behind, before version `below` is written: the model's edges
   * of every version below `below` outside the active lists' range floor..active (a list of versions seeks the
   * (model, version) index, where "not in" would scan), the ends unfinished incremental runs set on active edges
   * (cleared), and edges the active version ended that a killed run's clean-up did not delete.
   */
  async deleteLeftovers(
    model: string,
    active: number | null,
    floor: number | null,
    below: number,
    batch: number,
  ): Promise<number> {
    const versions: ReturnType<typeof neo4j.int>[] = [];
    const from = floor ?? active ?? below;
    const to = active ?? 0;
    for (let v = 1; v < below; v++) if (v < from || v > to) versions.push(neo4j.int(v));
    let deleted = 0;
    if (versions.length > 0) {
      const rows = await this.graph.autoCommit(cypher('similarity/delete-leftovers'), {
        model,
        versions,
        batch: neo4j.int(batch),
      });
      deleted += rows.reduce((sum, r) => sum + asNumber(r.deleted), 0);
    }
    if (active !== null) {
      await this.graph.autoCommit(cypher('similarity/reopen-ended'), {
        model,
        active: neo4j.int(active),
        batch: neo4j.int(batch),
      });
      deleted += await this.deleteEnded(model, active, batch);
    }
    return deleted;
  }

  /** Deletes the model's edges written before `floor`, the full version the active one builds on. */
  async deleteSuperseded(model: string, floor: number, batch: number): Promise<number> {
    const rows = await this.graph.autoCommit(cypher('similarity/delete-superseded'), {
      model,
      floor: neo4j.int(floor),
      batch: neo4j.int(batch),
    });
    return rows.reduce((sum, r) => sum + asNumber(r.deleted), 0);
  }

  /** Deletes the model's edges that version `active` or an earlier one ended (lists an incremental run replaced). */
  async deleteEnded(model: string, active: number, batch: number): Promise<number> {
    const rows = await this.graph.autoCommit(cypher('similarity/delete-ended'), {
      model,
      active: neo4j.int(active),
      batch: neo4j.int(batch),
    });
    return rows.reduce((sum, r) => sum + asNumber(r.deleted), 0);
  }

  /** Writes one batch of edges in one transaction; returns the number of edges created. */
  /**
   * One statement run after write-locking the model's node in the same transaction (lock-models), its first row: it
   * reads what every other transaction committed and checks and writes with none in between. Neo4j reads committed
   * data, so a check made before the lock could pass on a state another transaction changes before this one writes.
   */
  private async lockedWrite<N extends CypherName>(
    model: string,
    name: N,
    params: ParamsOf<N>,
  ): Promise<RowOf<N> | undefined> {
    return this.graph.unit('WRITE', async (tx) => {
      await tx.run(cypher('similarity/lock-models'), { models: [model] });
      const [row] = await tx.run(cypher(name), params);
      return row;
    });
  }

  /**
   * The version run `run` writes for a model: the one another shard of the run reserved, or a new one (then
   * `joined` is false and the caller deletes what unfinished runs left).
   */
  async joinRun(
    model: string,
    run: string,
    shards: number,
  ): Promise<{ active: number | null; floor: number | null; version: number; joined: boolean; done: boolean }> {
    // Two shards joining together, or one joining while another activates, must see each other's writes.
    const row = await this.lockedWrite(model, 'similarity/join-run', { model, run, shards: neo4j.int(shards) });
    if (row === undefined) throw new AppError('INTERNAL', `join-run for ${model} returned no row`);
    return {
      active: asNullableNumber(row.active),
      floor: asNullableNumber(row.floor),
      version: asNumber(row.version),
      joined: row.joined === true,
      done: row.done === true,
    };
  }

  /** Records a finished shard of a run's version; the shards done so far, or null when the version is not the run's. */
  async finishShard(model: string, run: string, version: number, shard: number): Promise<number[] | null> {
    // Locked: otherwise a shard finishing while another activates the version could pass the check before the
    // activation and add itself to shardsDone after it.
    const row = await this.lockedWrite(model, 'similarity/finish-shard', {
      model,
      run,
      version: neo4j.int(version),
      shard: neo4j.int(shard),
    });
    return row === undefined ? null : (row.done as unknown[]).map(asNumber);
  }

  /** The edges of version `version`'s lists, built on full version `floor` (`version` itself for a full version). */
  async countVersionEdges(model: string, version: number, floor: number): Promise<number> {
    const [row] = await this.graph.read(cypher('similarity/count-version-edges'), {
      model,
      version: neo4j.int(version),
      floor: neo4j.int(floor),
    });
    return asNumber(row?.edges ?? 0);
  }

  /**
   * Writes a batch of list changes of incremental version `version` over the active version `active` (built on
   * `floor`): each row's ended edges get until = version, its new edges are created. Returns the edges created and
   * ended.
   */
  async writeDelta(
    model: string,
    version: number,
    active: number,
    floor: number,
    rows: DeltaRow[],
  ): Promise<{ edges: number; ended: number }> {
    const [row] = await this.graph.write(cypher('similarity/write-edges-delta'), {
      model,
      version: neo4j.int(version),
      active: neo4j.int(active),
      floor: neo4j.int(floor),
      rows,
    });
    return { edges: asNumber(row?.edges ?? 0), ended: asNumber(row?.ended ?? 0) };
  }

  /**
   * Writes a batch of edges; with `replace`, the batch's users' edges of that version that an earlier attempt wrote
   * are replaced (a shard run again rewrites its lists instead of doubling them).
   */
  async writeEdges(model: string, version: number, rows: EdgeRow[], replace = false): Promise<number> {
    // Handles travel as floats (JS numbers); the unique index on User.handle matches them numerically.
    const [row] = await this.graph.write(
      cypher(replace ? 'similarity/write-edges-replace' : 'similarity/write-edges'),
      {
        model,
        version: neo4j.int(version),
        rows,
      },
    );
    return row === undefined ? 0 : asNumber(row.edges);
  }

  /**
   * Switches the model's active version in one transaction, if this run still owns the version it wrote;
   * returns the version that was active before (null if none).
   */
  async activate(input: ActivateInput): Promise<number | null> {
    const row = await this.lockedWrite(input.model, 'similarity/activate-version', {
      ...input,
      version: neo4j.int(input.version),
      floor: neo4j.int(input.floor),
      users: neo4j.int(input.users),
      edges: neo4j.int(input.edges),
    });
    if (row === undefined) {
      throw new AppError(
        'INTERNAL',
        `Could not activate ${input.model} version ${input.version}: expected SimilarityModel.writing = ${input.version}, but another run took over`,
      );
    }
    return asNullableNumber(row.previous);
  }

  /**
   * Forgets a user: records the handle, deletes the user and all its relationships (SIMILAR_TO of every version
   * included); the lists that named it are one shorter (no rank is stored to renumber). Returns whether the user
   * existed and what was removed.
   */
  async forgetUser(handle: number): Promise<{ found: boolean; lists: number; edges: number }> {
    const [row] = await this.graph.write(cypher('forget/forget-user'), { handle: neo4j.int(handle) });
    // The compact lists hold the user's handle and list: they go too (the next incremental run reads the edges).
    if (row?.found === true) await this.graph.write(cypher('forget/forget-version-lists'), {});
    const holders = row?.holders ?? [];
    return { found: row?.found === true, lists: holders.length, edges: asNumber(row?.edges ?? 0) };
  }

  /**
   * Keeps a version's lists in compact form (chunks of base64 arrays), written before the version is switched to: a
   * full set, or with `base`, only the lists that differ from version base's (see StoredListChunk.base).
   */
  async writeVersionLists(
    model: string,
    version: number,
    chunks: readonly StoredListChunk[],
    base: number | null = null,
  ): Promise<void> {
    await this.graph.write(cypher('similarity/clear-version-lists'), { model, version: neo4j.int(version) });
    for (const c of chunks) {
      await this.graph.write(cypher('similarity/write-version-lists'), {
        model,
        version: neo4j.int(version),
        chunk: neo4j.int(c.chunk),
        chunks: neo4j.int(c.chunks),
        users: neo4j.int(c.users),
        handles: c.handles,
        offsets: c.offsets,
        neighbours: c.neighbours,
        scores: c.scores,
        base: base === null ? null : neo4j.int(base),
      });
    }
  }

  /** The compact lists stored with a version, by chunk; empty when it has none. */
  async versionLists(model: string, version: number): Promise<StoredListChunk[]> {
    const rows = await this.graph.read(cypher('similarity/read-version-lists-blob'), {
      model,
      version: neo4j.int(version),
    });
    return rows.map((row) => ({
      chunk: asNumber(row.chunk),
      chunks: asNumber(row.chunks),
      users: asNumber(row.users),
      handles: row.handles,
      offsets: row.offsets,
      neighbours: row.neighbours,
      scores: row.scores,
      base: asNullableNumber(row.base),
    }));
  }

  /** Deletes the compact lists of every version of the model but those in `keep`; returns how many chunks went. */
  async deleteVersionLists(model: string, keep: readonly number[]): Promise<number> {
    const [row] = await this.graph.write(cypher('similarity/delete-version-lists'), {
      model,
      keep: keep.map((v) => neo4j.int(v)),
    });
    return asNumber(row?.deleted ?? 0);
  }

  /** Keeps with a version what folding users into it needs (ALS item factors, mean row, settings). */
  async writeAlsFactors(model: string, version: number, stored: StoredAlsFactors): Promise<void> {
    await this.graph.write(cypher('similarity/write-als-factors'), {
      model,
      version: neo4j.int(version),
      ...stored,
      factors: neo4j.int(stored.factors),
    });
  }

  /** The fold-in factors of a version; null when it has none (written before versions kept them). */
  async alsFactors(model: string, version: number): Promise<StoredAlsFactors | null> {
    const [row] = await this.graph.read(cypher('similarity/read-als-factors'), { model, version: neo4j.int(version) });
    if (row === undefined) return null;
    return {
      factors: asNumber(row.factors),
      items: row.items,
      itemFactors: row.itemFactors,
      mean: row.mean ?? null,
      settings: row.settings,
    };
  }

  /** Deletes the fold-in factors of every version of the model but `keep`; returns how many went. */
  async deleteAlsFactors(model: string, keep: number): Promise<number> {
    const [row] = await this.graph.write(cypher('similarity/delete-als-factors'), { model, keep: neo4j.int(keep) });
    return asNumber(row?.deleted ?? 0);
  }

  /**
   * Asks for the decisions of run `run` on version `version` of a model: claims making them (the first to ask, or
   * the next after a claim expired), or says they are being made by another shard, or returns them. The model's node
   * is write-locked first, so two shards asking together cannot both claim.
   */
  async claimPlan(model: string, run: string, version: number, owner: string, ttlMs: number): Promise<PlanClaim> {
    const row = await this.lockedWrite(model, 'similarity/claim-plan', {
      model,
      run,
      version: neo4j.int(version),
      owner,
      ttlMs: neo4j.int(ttlMs),
    });
    if (row === undefined) {
      throw new AppError(
        'INTERNAL',
        `${model}: expected version ${version} to be the one run ${run} writes, but another run took it over`,
      );
    }
    switch (row.state) {
      case 'ready':
        return { state: 'ready', plan: row.plan as string };
      case 'wait':
        return { state: 'wait', owner: String(row.owner), expiresInMs: asNumber(row.expiresInMs) };
      case 'claimed':
        return { state: 'claimed', tookOverFrom: row.tookOverFrom ?? null };
      default:
        throw new AppError(
          'INTERNAL',
          `claim-plan: expected state claimed, wait or ready, but got ${String(row.state)}`,
        );
    }
  }

  /** Extends `owner`'s claim on a run's decisions; false when it no longer holds it. */
  async renewPlan(model: string, run: string, version: number, owner: string, ttlMs: number): Promise<boolean> {
    const [row] = await this.graph.write(cypher('similarity/renew-plan'), {
      model,
      run,
      version: neo4j.int(version),
      owner,
      ttlMs: neo4j.int(ttlMs),
    });
    return row?.renewed === true;
  }

  /** Gives up `owner`'s claim on a run's decisions before storing them (it failed); false when it held none. */
  async releasePlan(model: string, run: string, version: number, owner: string): Promise<boolean> {
    const [row] = await this.graph.write(cypher('similarity/release-plan'), {
      model,
      run,
      version: neo4j.int(version),
      owner,
    });
    return row?.released === true;
  }

  /** Stores a run's decisions (JSON) if `owner` still holds the claim; false otherwise. */
  async storePlan(model: string, run: string, version: number, owner: string, plan: string): Promise<boolean> {
    const [row] = await this.graph.write(cypher('similarity/store-plan'), {
      model,
      run,
      version: neo4j.int(version),
      owner,
      plan,
    });
    return row?.stored === true;
  }

  /** Writes the user factors a run's shards read, one chunk per transaction. */
  async writeAlsUserFactors(model: string, version: number, chunks: readonly StoredUserFactors[]): Promise<void> {
    for (const c of chunks) {
      await this.graph.write(cypher('similarity/write-als-users'), {
        model,
        version: neo4j.int(version),
        chunk: neo4j.int(c.chunk),
        first: neo4j.int(c.first),
        rows: neo4j.int(c.rows),
        factors: neo4j.int(c.factors),
        data: c.data,
      });
    }
  }

  /** The stored user factors of a version, chunk by chunk. */
  async alsUserFactors(model: string, version: number): Promise<StoredUserFactors[]> {
    const rows = await this.graph.read(cypher('similarity/read-als-users'), { model, version: neo4j.int(version) });
    return rows.map((r) => ({
      chunk: asNumber(r.chunk),
      first: asNumber(r.first),
      rows: asNumber(r.rows),
      factors: asNumber(r.factors),
      data: r.data,
    }));
  }

  /** Deletes the stored user factors of every version of the model up to `upTo`; returns how many chunks went. */
  async deleteAlsUserFactors(model: string, upTo: number): Promise<number> {
    const [row] = await this.graph.write(cypher('similarity/delete-als-users'), { model, upTo: neo4j.int(upTo) });
    return asNumber(row?.deleted ?? 0);
  }

  /** Marks the active model with the best validation recall as the default; returns its name. */
  async chooseDefault(): Promise<string | null> {
    const [row] = await this.graph.write(cypher('similarity/choose-default'), {});
    return row?.name ?? null;
  }

  async model(model: string): Promise<ModelNode | null> {
    const [row] = await this.graph.read(cypher('similarity/read-model'), { model });
    if (row === undefined) return null;
    return {
      name: row.name,
      version: asNullableNumber(row.version),
      writing: asNullableNumber(row.writing),
      trainedAt: row.trainedAt ?? null,
      params: row.params ?? null,
      metrics: row.metrics ?? null,
      users: asNullableNumber(row.users),
      edges: asNullableNumber(row.edges),
      activeRun: row.activeRun ?? null,
    };
  }

  /** A user's neighbours in the model's active version, best first (what the API and Browser read); rank = position. */
  async neighbours(model: string, handle: number): Promise<StoredNeighbour[]> {
    const rows = await this.graph.read(cypher('similarity/read-neighbours'), { model, handle: neo4j.int(handle) });
    return rows.map((r, i) => ({
      handle: asNumber(r.handle),
      score: asNumber(r.score),
      rank: i + 1,
      version: asNumber(r.version),
    }));
  }

  /** Edge counts per version that wrote them, of one model (all versions, active or not; ended edges included). */
  async edgeCounts(model: string): Promise<Map<number, number>> {
    const rows = await this.graph.read(cypher('similarity/count-edges'), { model });
    return new Map(rows.map((r) => [asNumber(r.version), asNumber(r.edges)]));
  }

  /** The database's clock (ISO date-time), the time a run's data is as of (compared with User.changedAt). */
  async now(): Promise<string> {
    const [row] = await this.graph.read(cypher('similarity/now'), {});
    if (typeof row?.now !== 'string') throw new AppError('INTERNAL', 'similarity/now: expected a date-time, got none');
    return row.now;
  }

  /** Handles of the users an import stamped at or after `since` (ISO date-time), ascending. */
  async changedUsers(since: string): Promise<number[]> {
    const [row] = await this.graph.read(cypher('similarity/changed-users'), { since });
    return Array.from(row?.handles ?? [], asNumber);
  }

  /**
   * The model's active version with the full version it builds on, its parameters, frozen weighting (JSON),
   * validation recall and edge count; null if none.
   */
  async activeVersion(model: string): Promise<{
    version: number;
    floor: number;
    params: string | null;
    weighting: string | null;
    validation: number | null;
    edges: number | null;
  } | null> {
    const [row] = await this.graph.read(cypher('similarity/read-active-version'), { model });
    if (row === undefined) return null;
    return {
      version: asNumber(row.version),
      floor: asNumber(row.floor),
      edges: asNullableNumber(row.edges),
      params: row.params ?? null,
      weighting: row.weighting ?? null,
      validation: asNullableNumber(row.validation),
    };
  }

  /**
   * Every user's list in one version of a model (built on full version `floor`), streamed: handle, neighbour
   * handles and scores by rank.
   */
  async eachVersionList(
    model: string,
    version: number,
    floor: number,
    onRow: (handle: number, neighbours: number[], scores: number[]) => void,
  ): Promise<number> {
    return this.stream(
      'similarity/read-version-lists',
      { model, version: neo4j.int(version), floor: neo4j.int(floor) },
      (get) => onRow(asNumber(get('handle')), get('neighbours').map(asNumber), get('scores')),
    );
  }

  async setMetrics(model: string, metrics: string): Promise<void> {
    await this.graph.write(cypher('similarity/set-metrics'), { model, metrics });
  }
}
