// Writes a batch of SIMILAR_TO edges of one model version, replacing what an earlier attempt wrote for the same
// users (so a shard that is run again rewrites its users' lists instead of doubling them): per row a user handle h,
// neighbour handles n and scores s (no rank stored: readers order by score, then handle).
// @param rows LIST<{h: INTEGER, n: LIST<INTEGER>, s: LIST<FLOAT>}>
// @param model STRING
// @param version INTEGER
// @column edges INTEGER
UNWIND $rows AS row
MATCH (a:User {handle: row.h})
CALL (a) {
  OPTIONAL MATCH (a)-[old:SIMILAR_TO]->()
  // coalesce: not a seekable predicate, so the plan expands this user's own edges, never seeks all of the version's
  // edges on the (model, version) index per row (what a graph with no SIMILAR_TO edges yet in its statistics plans).
  WHERE coalesce(old.model, '') = $model AND old.version = $version
  DELETE old
}
WITH a, row
UNWIND range(0, size(row.n) - 1) AS j
MATCH (b:User {handle: row.n[j]})
CREATE (a)-[:SIMILAR_TO {model: $model, version: $version, score: row.s[j]}]->(b)
RETURN count(*) AS edges
