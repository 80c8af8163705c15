// Writes a batch of lists of an incremental version $version of model $model over the active version $active
// (whose full version is $floor): per row a user handle h, neighbour handles n and scores s (rank = position + 1;
// n may be empty). Each user's list of the active version is ended first (SIMILAR_TO.until = $version), so only
// the lists written here change; the others stay as they are, unwritten.
// @param rows LIST<{h: INTEGER, n: LIST<INTEGER>, s: LIST<FLOAT>}>
// @param model STRING
// @param version INTEGER
// @param active INTEGER
// @param floor INTEGER
// @column edges INTEGER  edges created
// @column ended INTEGER  edges of the active version ended
UNWIND $rows AS row
MATCH (a:User {handle: row.h})
CALL (a) {
  OPTIONAL MATCH (a)-[old:SIMILAR_TO]->()
  WHERE old.model = $model AND old.version >= $floor AND old.version <= $active
    AND (old.until IS NULL OR old.until > $active)
  SET old.until = $version
  RETURN count(old) AS ended
}
CALL (a, row) {
  UNWIND range(0, size(row.n) - 1) AS j
  MATCH (b:User {handle: row.n[j]})
  CREATE (a)-[:SIMILAR_TO {model: $model, version: $version, rank: j + 1, score: row.s[j]}]->(b)
  RETURN count(*) AS created
}
RETURN sum(created) AS edges, sum(ended) AS ended
