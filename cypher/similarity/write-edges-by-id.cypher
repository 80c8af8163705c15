// Creates a batch of SIMILAR_TO edges of one model version, both ends found by element id (read once per run,
// read-user-ids): per row a user's element id a and handle h, its neighbours' element ids b and handles n, scores s.
// An element-id seek takes no lock, where the unique handle index's seek does: 3,000,000 edges were written in
// ~47 s instead of ~61 s (bench/README.md, edge-writes). The handle is checked on the node found, because a deleted
// user's id can be reused: a pair whose id no longer names its handle is not written, as a handle no longer in the
// graph is not by write-edges. The check cannot be seeked (no label, coalesce): with `b:User` and
// `b.handle = row.n[j]`, the planner seeks the handle index and filters by id. No rank is stored.
// @param rows LIST<{a: STRING, h: INTEGER, b: LIST<STRING>, n: LIST<INTEGER>, s: LIST<FLOAT>}>
// @param model STRING
// @param version INTEGER
// @column edges INTEGER
UNWIND $rows AS row
MATCH (a)
  WHERE elementId(a) = row.a AND coalesce(a.handle, -1) = row.h
UNWIND range(0, size(row.n) - 1) AS j
MATCH (b)
  WHERE elementId(b) = row.b[j] AND coalesce(b.handle, -1) = row.n[j]
CREATE (a)-[:SIMILAR_TO {model: $model, version: $version, score: row.s[j]}]->(b)
RETURN count(*) AS edges
