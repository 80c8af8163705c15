// Deletes the SIMILAR_TO edges of model $model whose version is in $versions (runs that failed or were killed, and
// versions below the active floor that a run killed in its grace period left), in batches.
// @param model STRING
// @param versions LIST<INTEGER>
// @param batch INTEGER
// @column deleted INTEGER
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model AND s.version IN $versions
CALL (s) { DELETE s } IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS deleted
