// `similarity --incremental`: a new version of each cosine-family model from the active one, recomputing only the
// users an import changed since that version read the graph, under the version's frozen weighting; other users'
// lists are patched with the changed users who now beat their k-th neighbour, or kept as they are. The version
// stores only the lists it wrote (ending those users' previous lists, SIMILAR_TO.until); the kept lists are not
// rewritten: readers take the edges of versions floor..active not ended (docs/DESIGN.md, Incremental refresh).
import type { LeaseOptions, ModelLease } from '../graph/lease';
import type { DeltaRow, SimilarityRepository } from '../graph/similarity-repository';
import { badInput } from '../errors';
import { silentLogger, type Logger } from '../log';
import { nonEmptyRows } from '../similarity/csr';
import { createPool } from '../similarity/pool';
import { changedNeighbours, cosineTopK } from '../similarity/topk';
import { table } from '../text-table';
import {
  FULL_RUN_DRIFT,
  listAsStored,
  listChange,
  patchLists,
  SCORE_TIE,
  weightingDrift,
  type PreviousList,
  type WeightingDrift,
} from './incremental';
import {
  defaultParams,
  signalsOf,
  thawWeighting,
  weightedMatrix,
  weightingStats,
  type FrozenWeighting,
  type ModelName,
  type ModelParams,
} from './models';
import {
  applyDelta,
  CompactListsBuilder,
  decodeLists,
  eachCompactList,
  encodeLists,
  type CompactLists,
} from './list-blobs';
import { DEFAULT_LEASE_MS } from './similarity-job';
import { SignalLoader } from './signals';

/** The models an incremental run refreshes: those whose weighting a version freezes. ALS is refused (see docs). */
export const INCREMENTAL_MODELS: readonly ModelName[] = ['interests', 'course_views', 'assessments', 'cosine'];

export interface IncrementalOptions {
  models: ModelName[];
  threads: number;
  /** Edges per write transaction. */
  batchEdges?: number;
  /** Write transactions in flight at once (default 1: see leasedIncremental). */
  writers?: number;
  deleteBatch?: number;
  /** Pause between the switch and deleting the ended edges (readers of the previous version finish). */
  graceMs?: number;
  /** The share of users a delta of compact lists may hold (DELTA_LISTS_MAX_SHARE unless given). */
  deltaListsMaxShare?: number;
  log?: Logger;
  lease?: LeaseOptions;
}

export interface IncrementalReport {
  model: ModelName;
  version: number;
  previous: number;
  users: number;
  /** Users an import stamped since the previous version read the graph (and still in the graph). */
  changed: number;
  /** Unchanged users whose list was recomputed (a changed neighbour fell below their k-th). */
  dirty: number;
  /** Unchanged users whose list was patched with changed users. */
  patched: number;
  /** Unchanged users whose list was kept as it was (not rewritten: the new version sees the old edges). */
  kept: number;
  /** Edges of the new version's lists (kept and written). */
  edges: number;
  /** Edges this run wrote (the recomputed and patched lists). */
  writtenEdges: number;
  /** Edges of the previous version this run ended (the written users' previous lists), deleted after the grace. */
  endedEdges: number;
  /** Where the previous lists were read from: the version's compact lists, or its edges (a version without them). */
  listsFrom: 'compact' | 'edges';
  /** Where each signal the model uses came from: stored rows (with the changed users' from the graph), or the graph. */
  signalsFrom: string;
  drift: WeightingDrift;
  fullRunDue: boolean;
  readSeconds: number;
  computeSeconds: number;
  writeSeconds: number;
  /** Where the model's time went, phase by phase: wall seconds and this process's CPU seconds (all its threads). */
  phases: PhaseTime[];
}

/** One phase of a model's incremental run. */
export interface PhaseTime {
  phase: string;
  wallSeconds: number;
  cpuSeconds: number;
}

/** Times named phases, wall and CPU (process.cpuUsage: user + system of every thread of this process). */
class PhaseClock {
  readonly phases: PhaseTime[] = [];
  private wall = performance.now();
  private cpu = process.cpuUsage();

  /** Ends the current phase under `phase` (added to an earlier one of that name) and starts the next. */
  lap(phase: string): void {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const cpuSeconds = (cpu.user - this.cpu.user + cpu.system - this.cpu.system) / 1e6;
    const wallSeconds = (wall - this.wall) / 1000;
    const known = this.phases.find((p) => p.phase === phase);
    if (known !== undefined) {
      known.wallSeconds += wallSeconds;
      known.cpuSeconds += cpuSeconds;
    } else this.phases.push({ phase, wallSeconds, cpuSeconds });
    this.wall = wall;
    this.cpu = cpu;
  }
}

const seconds = (fromMs: number) => (performance.now() - fromMs) / 1000;

/**
 * Runs the tasks `width` at a time, `before` ahead of each; on a failure the others stop after their current task
 * and the first failure is thrown once they have.
 */
async function inParallel(tasks: Array<() => Promise<unknown>>, width: number, before: () => void): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < tasks.length && !failed) {
      const task = tasks[next++]!;
      try {
        before();
        await task();
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(width, tasks.length) }, worker));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
}

/**
 * An incremental run stores its version's compact lists as a delta over the last full set (the lists that differ
 * from it) while the delta holds at most this share of the users; past it, a full set again.
 */
export const DELTA_LISTS_MAX_SHARE = 0.5;

/** A version's compact lists as readers see them, and what they are stored as. */
export interface VersionListsRead {
  lists: CompactLists;
  /** The version whose full set a delta extends; null for a full set. */
  base: number | null;
  /** The handles of the delta's users (empty for a full set). */
  deltaUsers: Float64Array;
}

/**
 * A version's compact lists: its own chunks, or, when they are a delta, its base's full set with the delta's lists
 * in their place. Null when it has none, or when a chunk (its own or its base's) is missing: the caller reads the
 * edges instead.
 */
export async function readVersionLists(
  repo: SimilarityRepository,
  model: string,
  version: number,
): Promise<VersionListsRead | null> {
  const chunks = await repo.versionLists(model, version);
  const own = decodeLists(chunks);
  if (own === null) return null;
  const bases = new Set(chunks.map((c) => c.base ?? null));
  const base = bases.size === 1 ? [...bases][0]! : undefined;
  if (base === undefined) return null;
  if (base === null) return { lists: own, base: null, deltaUsers: new Float64Array(0) };
  const baseChunks = await repo.versionLists(model, base);
  const full = decodeLists(baseChunks);
  if (full === null || baseChunks.some((c) => (c.base ?? null) !== null)) return null;
  return { lists: applyDelta(full, own), base, deltaUsers: own.handles };
}

/** The parameters that shaped a version's lists, from its stored params (JSON), over the defaults. */
export function versionParams(stored: Record<string, unknown>, threads: number): ModelParams {
  const p = defaultParams();
  p.threads = threads;
  if (typeof stored.k === 'number') p.k = stored.k;
  if (typeof stored.weights === 'object' && stored.weights !== null)
    p.weights = { ...p.weights, ...(stored.weights as Partial<ModelParams['weights']>) };
  if (stored.viewsWeighting === 'bm25' || stored.viewsWeighting === 'idf') p.viewsWeighting = stored.viewsWeighting;
  if (typeof stored.bm25 === 'object' && stored.bm25 !== null)
    p.bm25 = { ...p.bm25, ...(stored.bm25 as Partial<ModelParams['bm25']>) };
  return p;
}

/**
 * Refreshes each model incrementally (one after the other, under one lease on all of them): each is written as a
 * new version and switched to in one transaction, as a full run does; the previous version's edges go after a grace
 * period. Refuses a model without an active version, or whose version records no frozen weighting or no dataAsOf.
 */
export async function runIncrementalJob(
  repo: SimilarityRepository,
  opts: IncrementalOptions,
): Promise<IncrementalReport[]> {
  const log = opts.log ?? silentLogger;
  for (const model of opts.models) {
    if (!INCREMENTAL_MODELS.includes(model)) {
      throw badInput(
        `--incremental: expected models among ${INCREMENTAL_MODELS.join(', ')}, but got ${model}: ALS factors are ` +
          'trained on everyone together and are not refreshed incrementally; run it in full',
      );
    }
  }
  const { lease } = await repo.takeLease(opts.models, opts.lease ?? { ttlMs: DEFAULT_LEASE_MS }, log);
  try {
    return await leasedIncremental(repo, opts, lease, log);
  } finally {
    await lease.release().catch((err: unknown) => {
      log.warn(`could not release the lease of ${lease.models.join(', ')}: ${String(err)} (it expires by itself)`);
    });
  }
}

async function leasedIncremental(
  repo: SimilarityRepository,
  opts: IncrementalOptions,
  lease: ModelLease,
  log: Logger,
): Promise<IncrementalReport[]> {
  const batchEdges = opts.batchEdges ?? 10_000;
  const deleteBatch = opts.deleteBatch ?? 20_000;
  const graceMs = opts.graceMs ?? 1000;
  // One transaction at a time by default: the written lists share their new neighbours (the changed users enter
  // thousands of lists), so parallel batches would wait on the same users' locks; at 10,000 users one writer was no
  // slower than four (bench/README.md, incremental).
  const writers = Math.max(1, opts.writers ?? 1);
  // Every model's starting point first: a refusal comes before anything is read or written.
  const starts = [];
  for (const model of opts.models) {
    const active = await repo.activeVersion(model);
    if (active === null) throw badInput(`--incremental ${model}: expected an active version, but the model has none`);
    const stored = JSON.parse(active.params ?? '{}') as Record<string, unknown>;
    const since = stored.dataAsOf;
    if (typeof since !== 'string' || active.weighting === null) {
      throw badInput(
        `--incremental ${model}: expected the active version ${active.version} to record when it read the graph ` +
          `(params.dataAsOf) and its frozen weighting, but it has ${typeof since === 'string' ? 'no weighting' : 'no dataAsOf'} ` +
          '(computed before incremental runs existed): run a full run first',
      );
    }
    starts.push({ model, active, stored, since });
  }
  const dataAsOf = await repo.now();
  const t0 = performance.now();
  const firstClock = new PhaseClock();
  // The newest stored signal rows and the users stamped since, when there are some; else every row from the graph.
  const loader = await SignalLoader.open(repo, { fromStored: true });
  firstClock.lap('read users');
  const s = loader.signals;
  const users = s.users;
  const userSeconds = seconds(t0);
  const pool = opts.threads > 1 ? createPool(opts.threads) : undefined;
  const reports: IncrementalReport[] = [];
  try {
    for (const { model, active, stored, since } of starts) {
      const tRead = performance.now();
      const clock = reports.length === 0 ? firstClock : new PhaseClock();
      await loader.need(signalsOf(model));
      clock.lap('read signals');
      const changedHandles = await repo.changedUsers(since);
      const rowOf = (h: number) => users.row(h) ?? -1;
      const previous = new Map<number, PreviousList>();
      // The version's compact lists when it stored them (one read of a few chunks), else its edges, user by user.
      const storedLists = await readVersionLists(repo, model, active.version);
      const listsFrom: 'compact' | 'edges' = storedLists !== null ? 'compact' : 'edges';
      if (storedLists !== null) {
        // Every list a view into two arrays for them all: no arrays per user.
        const allRows = new Int32Array(storedLists.lists.neighbours.length);
        const allScores = new Float64Array(allRows.length);
        let at = 0;
        eachCompactList(storedLists.lists, (h, neighbours, scores) => {
          const r = users.row(h);
          if (r === undefined) return;
          // A neighbour no longer in the graph has no edge left: the edges' list is one shorter, and so is this.
          const from = at;
          for (let i = 0; i < neighbours.length; i++) {
            const n = users.row(neighbours[i]!);
            if (n === undefined) continue;
            allRows[at] = n;
            allScores[at] = scores[i]!;
            at++;
          }
          if (at > from) previous.set(r, { rows: allRows.subarray(from, at), scores: allScores.subarray(from, at) });
        });
      } else {
        log.info(`  ${model}: version ${active.version} has no compact lists: reading its edges`);
        await repo.eachVersionList(model, active.version, active.floor, (h, neighbours, scores) => {
          const r = users.row(h);
          if (r === undefined) return;
          previous.set(r, { rows: Int32Array.from(neighbours, rowOf), scores: Float64Array.from(scores) });
        });
      }
      const readSeconds = seconds(tRead) + (reports.length === 0 ? userSeconds : 0);
      clock.lap('read lists');

      const tCompute = performance.now();
      const exclude = model as Exclude<ModelName, 'als'>;
      const p = versionParams(stored, opts.threads);
      const frozen = thawWeighting(JSON.parse(active.weighting!) as FrozenWeighting, s);
      const { matrix } = weightedMatrix(exclude, s, p, frozen);
      clock.lap('weighting');
      const drift = weightingDrift(frozen, weightingStats(exclude, s, p));
      clock.lap('drift');
      const changed = Int32Array.from(changedHandles.map(rowOf).filter((r) => r >= 0)).sort();
      // A user's previous k-th score (0 for a shorter list): a changed user scoring below it matters to nobody.
      const floor = new Float64Array(users.size);
      for (const [r, list] of previous) if (list.rows.length >= p.k) floor[r] = list.scores[p.k - 1]!;
      for (const r of changed) floor[r] = Infinity;
      // The changed users' own lists and their scores with the users whose lists they may enter: one pass.
      const ofChanged = await changedNeighbours(matrix, p.k, {
        tieKey: users.handles,
        queryRows: changed,
        floor,
        slack: SCORE_TIE,
        threads: opts.threads,
        ...(pool !== undefined ? { pool } : {}),
      });
      const patch = patchLists({ k: p.k, previous, changed: ofChanged.scores, tieKey: users.handles });
      const recompute = Int32Array.from(new Set([...changed, ...patch.dirty])).sort();
      clock.lap('patch');
      // The unchanged users a changed neighbour left from below their k-th: searched in full.
      const exact = ofChanged.neighbours;
      if (patch.dirty.length > 0) {
        const dirty = await cosineTopK(matrix, p.k, {
          tieKey: users.handles,
          queryRows: patch.dirty,
          threads: opts.threads,
          ...(pool !== undefined ? { pool } : {}),
        });
        for (const r of patch.dirty) {
          exact.index.set(dirty.index.subarray(r * p.k, (r + 1) * p.k), r * p.k);
          exact.score.set(dirty.score.subarray(r * p.k, (r + 1) * p.k), r * p.k);
        }
      }
      const computeSeconds = seconds(tCompute);
      clock.lap('search');

      const tWrite = performance.now();
      // Only what changed in each list (no rank is stored): a patched list is mostly one edge ended and one created.
      const rows: DeltaRow[] = [];
      const handlesOf = (rs: Int32Array) => Array.from(rs, (x) => users.handles[x]!);
      // The new version's lists as its readers will see them, for its compact lists.
      const nextLists = new Map<number, PreviousList>();
      const change = (r: number, next: PreviousList) => {
        const c = listChange(previous.get(r), next);
        nextLists.set(r, listAsStored(previous.get(r), next));
        if (c.end.length > 0 || c.add.rows.length > 0) {
          rows.push({ h: users.handles[r]!, end: handlesOf(c.end), n: handlesOf(c.add.rows), s: [...c.add.scores] });
        }
      };
      for (const r of recompute) {
        const n: number[] = [];
        const sc: number[] = [];
        for (let j = 0; j < p.k; j++) {
          const idx = exact.index[r * p.k + j]!;
          if (idx < 0) break;
          n.push(idx);
          sc.push(exact.score[r * p.k + j]!);
        }
        change(r, { rows: Int32Array.from(n), scores: Float64Array.from(sc) });
      }
      for (const [r, list] of patch.patched) change(r, list);
      const written = new Set<number>([...recompute, ...patch.patched.keys()]);
      const kept = [...previous.keys()].filter((r) => !written.has(r)).length;
      // The new version's compact lists: a delta over the last full set (the lists that differ from it: the active
      // delta's and those this run wrote) while it stays small, else a full set.
      const deltaRows = new Set<number>(written);
      for (const h of storedLists?.deltaUsers ?? []) {
        const r = users.row(h);
        if (r !== undefined) deltaRows.add(r);
      }
      const listsBase =
        storedLists === null || deltaRows.size > (opts.deltaListsMaxShare ?? DELTA_LISTS_MAX_SHARE) * users.size
          ? null
          : (storedLists.base ?? active.version);
      const compact = new CompactListsBuilder({ keepEmpty: listsBase !== null });
      const empty: PreviousList = { rows: new Int32Array(0), scores: new Float64Array(0) };
      for (let r = 0; r < users.size; r++) {
        if (listsBase !== null && !deltaRows.has(r)) continue;
        const list = nextLists.get(r) ?? previous.get(r) ?? (listsBase !== null ? empty : undefined);
        if (list !== undefined) compact.add(users.handles[r]!, handlesOf(list.rows), list.scores);
      }
      const compactChunks = encodeLists(compact.build());
      clock.lap('compact lists');
      await lease.confirm();
      const { active: nowActive, floor: nowFloor, version } = await repo.beginVersion(model);
      if (nowActive !== active.version || nowFloor !== active.floor) {
        throw badInput(
          `--incremental ${model}: expected version ${active.version} to stay active while this run read it, ` +
            `but version ${String(nowActive)} is active now: run it again`,
        );
      }
      const leftovers = await repo.deleteLeftovers(model, nowActive, nowFloor, version, deleteBatch);
      if (leftovers > 0) log.info(`  ${model}: deleted ${leftovers} edges left by an unfinished run`);
      // Each batch ends its users' replaced edges and creates their new ones together; about batchEdges of both.
      const batches: Array<() => Promise<void>> = [];
      let writtenEdges = 0;
      let endedEdges = 0;
      for (let i = 0; i < rows.length;) {
        let j = i;
        for (let size = 0; j < rows.length && size < batchEdges; j++) size += rows[j]!.end.length + rows[j]!.n.length;
        const batch = rows.slice(i, j);
        i = j;
        batches.push(async () => {
          const done = await repo.writeDelta(model, version, active.version, active.floor, batch);
          writtenEdges += done.edges;
          endedEdges += done.ended;
        });
      }
      const tLists = performance.now();
      clock.lap('begin, leftovers');
      await inParallel(batches, writers, () => lease.assertHeld());
      clock.lap('write lists');
      lease.assertHeld();
      await repo.writeVersionLists(model, version, compactChunks, listsBase);
      clock.lap('write compact lists');
      log.info(
        `  ${model}: ${rows.length} lists written in ${seconds(tLists).toFixed(1)} s (${batches.length} transactions; ` +
          `leftovers checked in ${((tLists - tWrite) / 1000).toFixed(1)} s)`,
      );
      // The version's edges without counting them all: the previous version's, less those ended, plus those written.
      const edges =
        active.edges !== null
          ? active.edges - endedEdges + writtenEdges
          : await repo.countVersionEdges(model, version, active.floor);
      const fullRunDue = drift.max > FULL_RUN_DRIFT;
      await lease.confirm();
      await repo.activate({
        model,
        version,
        floor: active.floor,
        params: JSON.stringify({
          ...stored,
          dataAsOf,
          incremental: {
            from: active.version,
            since,
            changed: changed.length,
            dirty: patch.dirty.length,
            patched: patch.patched.size,
            kept,
            edgesWritten: writtenEdges,
            edgesEnded: endedEdges,
            listsFrom,
            // The compact lists stored with the version: a full set, or a delta over version `base`.
            listsStored: listsBase === null ? { full: true } : { base: listsBase, users: compact.users },
            signalsFrom: Object.fromEntries(signalsOf(model).map((n) => [n, loader.source.get(n) ?? 'graph'])),
            weightingDrift: drift,
            fullRunDueAbove: FULL_RUN_DRIFT,
            fullRunDue,
          },
        }),
        metrics: null,
        users: nonEmptyRows(matrix),
        edges,
        validation: active.validation,
        weighting: active.weighting,
      });
      await repo.chooseDefault();
      // The previous version's compact lists are no longer read (incremental runs start from the active version),
      // but for the full set the new one extends.
      await repo.deleteVersionLists(model, listsBase === null ? [version] : [version, listsBase]);
      clock.lap('activate');
      const report: IncrementalReport = {
        model,
        version,
        previous: active.version,
        users: users.size,
        changed: changed.length,
        dirty: patch.dirty.length,
        patched: patch.patched.size,
        kept,
        edges,
        writtenEdges,
        endedEdges,
        listsFrom,
        signalsFrom: signalsOf(model)
          .map((n) => `${n}: ${loader.source.get(n) ?? 'graph'}`)
          .join(', '),
        drift,
        fullRunDue,
        readSeconds,
        computeSeconds,
        writeSeconds: seconds(tWrite),
        phases: clock.phases,
      };
      reports.push(report);
      log.info(
        `  ${model}: version ${version} active (${changed.length} changed users recomputed, ${patch.dirty.length} ` +
          `others recomputed, ${patch.patched.size} patched, ${kept} kept; ${writtenEdges} edges written, ` +
          `${endedEdges} ended; weighting drift ` +
          `${(100 * drift.max).toFixed(2)}%)`,
      );
    }
  } finally {
    await pool?.close();
  }
  if (reports.length > 0) {
    // The rows as they are now, for the next incremental run.
    const clock = new PhaseClock();
    await loader.store(dataAsOf);
    clock.lap('store signals');
    reports[0]!.phases.push(...clock.phases);
  }
  if (reports.length > 0) await new Promise((resolve) => setTimeout(resolve, graceMs));
  for (const r of reports) {
    // After the grace, no retained version sees the lists this run ended: only they go (the kept lists stay).
    const t = performance.now();
    const clock = new PhaseClock();
    await repo.deleteEnded(r.model, r.version, deleteBatch);
    clock.lap('delete ended');
    r.phases.push(...clock.phases);
    r.writeSeconds += seconds(t);
  }
  return reports;
}

/** The per-model table the CLI prints, and a line per model whose weighting drifted past FULL_RUN_DRIFT. */
export function formatIncremental(reports: IncrementalReport[]): string {
  const head = [
    'model',
    'version',
    'changed',
    'recomputed others',
    'patched',
    'kept',
    'edges',
    'written',
    'ended',
    'weighting drift',
    'lists from',
    'read s',
    'compute s',
    'write s',
  ];
  const rows = reports.map((r) => [
    r.model,
    `${r.previous} -> ${r.version}`,
    r.changed.toLocaleString('en-US'),
    r.dirty.toLocaleString('en-US'),
    r.patched.toLocaleString('en-US'),
    r.kept.toLocaleString('en-US'),
    r.edges.toLocaleString('en-US'),
    r.writtenEdges.toLocaleString('en-US'),
    r.endedEdges.toLocaleString('en-US'),
    `${(100 * r.drift.max).toFixed(2)}%`,
    r.listsFrom,
    r.readSeconds.toFixed(1),
    r.computeSeconds.toFixed(1),
    r.writeSeconds.toFixed(1),
  ]);
  const due = reports
    .filter((r) => r.fullRunDue)
    .map(
      (r) =>
        `${r.model}: the weighting drifted ${(100 * r.drift.max).toFixed(1)}% from the frozen statistics ` +
        `(above ${100 * FULL_RUN_DRIFT}%): a full run is due (npm run similarity -- --model ${r.model})`,
    );
  const phases = [...new Set(reports.flatMap((r) => r.phases.map((p) => p.phase)))];
  const byPhase = phases.map((phase) => [
    phase,
    ...reports.map((r) => {
      const p = r.phases.find((x) => x.phase === phase);
      return p === undefined ? '-' : `${p.wallSeconds.toFixed(1)} / ${p.cpuSeconds.toFixed(1)}`;
    }),
  ]);
  const total = (r: IncrementalReport, key: 'wallSeconds' | 'cpuSeconds') =>
    r.phases.reduce((sum, p) => sum + p[key], 0).toFixed(1);
  byPhase.push(['total', ...reports.map((r) => `${total(r, 'wallSeconds')} / ${total(r, 'cpuSeconds')}`)]);
  return [
    table(head, rows),
    '',
    'phases, wall s / CPU s of this process (all its threads; wall beyond CPU is waiting for Neo4j or for a core):',
    table(['phase', ...reports.map((r) => r.model)], byPhase),
    ...due,
  ].join('\n');
}
