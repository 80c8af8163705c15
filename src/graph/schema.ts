// Constraints and indexes from cypher/schema, applied idempotently (IF NOT EXISTS) before any write.
import { cypher, statementsUnder } from './cypher';
import type { Graph } from './executor';

export async function applySchema(graph: Graph): Promise<number> {
  const names = statementsUnder('schema');
  for (const name of names) await graph.autoCommit(cypher(name), {});
  await graph.autoCommit('CALL db.awaitIndexes(300)');
  return names.length;
}
