// Every user's list in version $version of model $model, whose full version is $floor: the edges of versions
// $floor..$version not ended by then (a range seek on the (model, version) index); neighbour handles and scores
// best first (score descending, then the neighbour's handle: the order every reader numbers ranks by).
// "Not ended" is a coalesce, not `until IS NULL OR until > $version`: with the OR, Neo4j also seeks the (model,
// until) index and unions both with a Distinct over every edge (about twice the CPU for the same rows).
// @param model STRING
// @param version INTEGER
// @param floor INTEGER
// @column handle INTEGER
// @column neighbours LIST<INTEGER>
// @column scores LIST<FLOAT>
MATCH (a:User)-[s:SIMILAR_TO]->(b:User)
WHERE s.model = $model AND s.version >= $floor AND s.version <= $version
  AND coalesce(s.until, $version + 1) > $version
WITH a, b, s
ORDER BY a.handle, s.score DESC, b.handle
RETURN a.handle AS handle, collect(b.handle) AS neighbours, collect(s.score) AS scores
