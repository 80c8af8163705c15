// Deletes the SIMILAR_TO edges of one version of model $model, in batches.
// @param model STRING
// @param version INTEGER
// @param batch INTEGER
// @column deleted INTEGER
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model AND s.version = $version
CALL (s) { DELETE s } IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS deleted
