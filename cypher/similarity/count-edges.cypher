// SIMILAR_TO edges of model $model per version. Params: $model. Columns: version, edges.
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model
RETURN s.version AS version, count(*) AS edges
ORDER BY version
