// Neighbours of each of $handles under $model's ACTIVE version only, best first: the edges of versions
// floor..version (SimilarityModel.floor, .version) that no version up to the active one ended (SIMILAR_TO.until);
// score descending, then the neighbour's handle (a neighbour's rank is its position: no rank is stored).
// @param handles LIST<INTEGER>
// @param model STRING
// @param limit INTEGER
// @column handle INTEGER
// @column found BOOLEAN
// @column version INTEGER?
// @column neighbours LIST<{handle: INTEGER, score: FLOAT}>
OPTIONAL MATCH (m:SimilarityModel {name: $model})
WITH m
UNWIND $handles AS h
OPTIONAL MATCH (u:User {handle: h})
USING INDEX SEEK u:User(handle)
RETURN
  h AS handle,
  u IS NOT NULL AS found,
  m.version AS version,
  COLLECT {
    MATCH (u)-[s:SIMILAR_TO]->(v:User)
    // coalesce: not a seekable predicate, so the plan expands the user's own edges (about 50) instead of seeking the
    // model's whole active range on the (model, version) index and keeping this user's (what an empty graph plans).
    WHERE coalesce(s.model, '') = $model AND s.version >= coalesce(m.floor, m.version) AND s.version <= m.version
      AND (s.until IS NULL OR s.until > m.version)
    WITH v, s
    ORDER BY s.score DESC, v.handle
    LIMIT $limit
    RETURN {handle: v.handle, score: s.score}
  } AS neighbours
