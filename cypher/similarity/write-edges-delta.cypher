// Writes a batch of changes to lists for an incremental version $version of model $model over the active version
// $active (whose full version is $floor): per row a user handle h, the neighbours whose visible edge from h is ended
// (`end`, handles) and the edges created (neighbour handles n, scores s).
// Ending sets SIMILAR_TO.until = $version, so readers of $active still see the edge and readers of $version do not.
// A list changed by one neighbour is one edge ended and one created, not the list rewritten: no rank is stored
// (readers order a list by score, then the neighbour's handle).
// @param rows LIST<{h: INTEGER, end: LIST<INTEGER>, n: LIST<INTEGER>, s: LIST<FLOAT>}>
// @param model STRING
// @param version INTEGER
// @param active INTEGER
// @param floor INTEGER
// @column edges INTEGER  edges created
// @column ended INTEGER  edges of the active version ended
UNWIND $rows AS row
MATCH (a:User {handle: row.h})
CALL (a, row) {
  OPTIONAL MATCH (a)-[old:SIMILAR_TO]->(b)
  // coalesce: not a seekable predicate, so the plan expands this user's own edges (about 50), never seeks the model's
  // whole range on the (model, version) index (what a graph with no SIMILAR_TO edges yet in its statistics plans).
  // No label on b (SIMILAR_TO joins users only): with one, `b.handle IN row.end` could plan a scan of all users'
  // handles per row.
  WHERE coalesce(old.model, '') = $model AND old.version >= $floor AND old.version <= $active
    AND (old.until IS NULL OR old.until > $active) AND b.handle IN row.end
  SET old.until = $version
  RETURN count(old) AS ended
}
CALL (a, row) {
  UNWIND range(0, size(row.n) - 1) AS j
  MATCH (b:User {handle: row.n[j]})
  CREATE (a)-[:SIMILAR_TO {model: $model, version: $version, score: row.s[j]}]->(b)
  RETURN count(*) AS created
}
RETURN sum(created) AS edges, sum(ended) AS ended
