// Deletes the SIMILAR_TO edges of model $model whose version is in $versions (runs that failed or were killed),
// in batches.
// @param model STRING
// @param versions LIST<INTEGER>
// @param batch INTEGER
// @column deleted INTEGER
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model AND s.version IN $versions
CALL (s) { DELETE s } IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS deleted
