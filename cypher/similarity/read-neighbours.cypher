// The neighbours of user $handle in the active version of model $model, best first (score descending, then handle:
// the rank is the position): the edges of versions floor..active that no version up to the active one ended (the
// version column is the one that wrote the edge).
// @param model STRING
// @param handle INTEGER
// @column handle INTEGER
// @column score FLOAT
// @column version INTEGER
MATCH (m:SimilarityModel {name: $model})
MATCH (u:User {handle: $handle})-[s:SIMILAR_TO]->(v:User)
// The hint keeps the plan on this user's own edges (about 50): with statistics that count no SIMILAR_TO edge yet
// (users imported, no run) the planner seeks the model's whole active range on the (model, version) index instead.
USING INDEX SEEK u:User(handle)
WHERE s.model = $model AND s.version >= coalesce(m.floor, m.version) AND s.version <= m.version
  AND (s.until IS NULL OR s.until > m.version)
RETURN v.handle AS handle, s.score AS score, s.version AS version
ORDER BY score DESC, handle
