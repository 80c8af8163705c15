// Deletes the SIMILAR_TO edges of model $model written before version $floor (the full version the active one
// builds on): no retained version sees them. In batches.
// @param model STRING
// @param floor INTEGER
// @param batch INTEGER
// @column deleted INTEGER
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model AND s.version < $floor
CALL (s) { DELETE s } IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS deleted
