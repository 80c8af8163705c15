// Warms a freshly started Neo4j for the writes a similarity run makes, untimed: a throw-away model's full version,
// an incremental version over it, its compact lists, and the clean-up of all of it. A server that has just started
// compiles its write paths (the JVM's JIT) during the first minutes of writing, on the same two cores as the job;
// a serving Neo4j did that long ago. The graph is left as it was (the throw-away model's edges and lists are gone).
import type { Graph } from '../src/graph/executor';
import { SimilarityRepository, type DeltaRow, type EdgeRow } from '../src/graph/similarity-repository';
import { Rng } from '../src/generate/prng';
import { CompactListsBuilder, encodeLists } from '../src/jobs/list-blobs';

/** The throw-away model's name: no model of the engine has it. */
export const WARM_UP_MODEL = 'bench-warm-up';

const K = 10;
const BATCH_EDGES = 10_000;

/**
 * Writes and deletes `rounds` times a throw-away version of up to `users` users' lists of 10 random neighbours and
 * an incremental version changing a fifth of them; returns the seconds and the edges written.
 */
export async function warmWrites(
  graph: Graph,
  opts: { users?: number; rounds?: number; seed?: number } = {},
): Promise<{ seconds: number; edges: number }> {
  const t = performance.now();
  const repo = new SimilarityRepository(graph);
  const all = await repo.userHandles();
  const users = Math.min(all.length, opts.users ?? 30_000);
  const rng = new Rng(opts.seed ?? 7);
  const pick = () => all[rng.int(all.length)]!;
  let edges = 0;
  for (let round = 0; round < (opts.rounds ?? 2); round++) {
    const lists: EdgeRow[] = [];
    for (let i = 0; i < users; i++) {
      const n = Array.from({ length: K }, pick);
      lists.push({ h: all[i]!, n, s: n.map((_, j) => 1 - j / K) });
    }
    for (let i = 0; i < lists.length; i += BATCH_EDGES / K) {
      edges += await repo.writeEdges(WARM_UP_MODEL, 1, lists.slice(i, i + BATCH_EDGES / K));
    }
    const delta: DeltaRow[] = lists
      .filter((_, i) => i % 5 === 0)
      .map((l) => ({ h: l.h, end: [l.n[K - 1]!], n: [pick()], s: [0.5] }));
    for (let i = 0; i < delta.length; i += BATCH_EDGES / 2) {
      edges += (await repo.writeDelta(WARM_UP_MODEL, 2, 1, 1, delta.slice(i, i + BATCH_EDGES / 2))).edges;
    }
    const compact = new CompactListsBuilder();
    for (const l of lists) compact.add(l.h, l.n, l.s);
    await repo.writeVersionLists(WARM_UP_MODEL, 2, encodeLists(compact.build()));
    await repo.deleteVersionLists(WARM_UP_MODEL, []);
    await repo.deleteEnded(WARM_UP_MODEL, 2, 20_000);
    // Versions 1 and 2, as leftovers of a model with no active version.
    await repo.deleteLeftovers(WARM_UP_MODEL, null, null, 3, 20_000);
  }
  return { seconds: (performance.now() - t) / 1000, edges };
}
