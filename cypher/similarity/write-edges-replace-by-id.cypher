// write-edges-replace with both ends found by element id, as write-edges-by-id finds them (and checks their handles):
// the batch's users' edges of this version that an earlier attempt wrote are replaced, so a shard run again rewrites
// its lists instead of doubling them.
// @param rows LIST<{a: STRING, h: INTEGER, b: LIST<STRING>, n: LIST<INTEGER>, s: LIST<FLOAT>}>
// @param model STRING
// @param version INTEGER
// @column edges INTEGER
UNWIND $rows AS row
MATCH (a)
  WHERE elementId(a) = row.a AND coalesce(a.handle, -1) = row.h
CALL (a) {
  OPTIONAL MATCH (a)-[old:SIMILAR_TO]->()
  // coalesce: not seekable, so the plan expands this user's own edges (see write-edges-replace).
  WHERE coalesce(old.model, '') = $model AND old.version = $version
  DELETE old
}
WITH a, row
UNWIND range(0, size(row.n) - 1) AS j
MATCH (b)
  WHERE elementId(b) = row.b[j] AND coalesce(b.handle, -1) = row.n[j]
CREATE (a)-[:SIMILAR_TO {model: $model, version: $version, score: row.s[j]}]->(b)
RETURN count(*) AS edges
