// Deletes the SIMILAR_TO edges of one version of model $model, in batches. Params: $model, $version, $batch. Columns: deleted.
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model AND s.version = $version
CALL (s) { DELETE s } IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS deleted
