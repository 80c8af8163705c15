// Forgets a user: records the handle (Forgotten, so an import of old files does not bring it back), and deletes
// the user with every relationship (its interests, views, assessments and SIMILAR_TO edges of every version, both
// ways: a full version's and the incremental versions' over it alike). A holder is a list: its user, model and the
// version that wrote it (a list comes whole from one version).
// @param handle INTEGER
// @column found BOOLEAN
// @column holders LIST<{handle: INTEGER, model: STRING, version: INTEGER}>  lists that named the user
// @column edges INTEGER  SIMILAR_TO edges removed
MERGE (f:Forgotten {handle: $handle})
SET f.at = datetime()
WITH f
OPTIONAL MATCH (u:User {handle: $handle})
OPTIONAL MATCH (a:User)-[s:SIMILAR_TO]->(u)
WITH u, collect(DISTINCT {handle: a.handle, model: s.model, version: s.version}) AS holders
OPTIONAL MATCH (u)-[e:SIMILAR_TO]-()
WITH u, holders, count(e) AS edges
FOREACH (x IN CASE WHEN u IS NULL THEN [] ELSE [u] END | DETACH DELETE x)
RETURN u IS NOT NULL AS found, [h IN holders WHERE h.handle IS NOT NULL] AS holders, edges
