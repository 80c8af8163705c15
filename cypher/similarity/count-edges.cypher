// SIMILAR_TO edges of model $model per version.
// @param model STRING
// @column version INTEGER
// @column edges INTEGER
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model
RETURN s.version AS version, count(*) AS edges
ORDER BY version
