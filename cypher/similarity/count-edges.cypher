// SIMILAR_TO edges of model $model per version that wrote them, and how many of those a later version ended.
// @param model STRING
// @column version INTEGER
// @column edges INTEGER
// @column ended INTEGER  edges with SIMILAR_TO.until set (superseded by an incremental version)
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model
RETURN s.version AS version, count(*) AS edges, count(s.until) AS ended
ORDER BY version
