// SIMILAR_TO edges of one version of model $model. Params: $model, $version. Columns: edges.
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model AND s.version = $version
RETURN count(s) AS edges
