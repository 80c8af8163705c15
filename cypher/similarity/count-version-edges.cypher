// SIMILAR_TO edges of one version of model $model.
// @param model STRING
// @param version INTEGER
// @column edges INTEGER
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model AND s.version = $version
RETURN count(s) AS edges
