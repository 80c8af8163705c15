// Deletes the SIMILAR_TO edges of model $model that version $active or an earlier one ended (until <= $active):
// lists an incremental version replaced, which no retained version sees any more. In batches.
// The index hint keeps the plan a seek whatever the statistics say (few edges carry `until`).
// @param model STRING
// @param active INTEGER
// @param batch INTEGER
// @column deleted INTEGER
MATCH ()-[s:SIMILAR_TO]->()
USING INDEX s:SIMILAR_TO(model, until)
WHERE s.model = $model AND s.until <= $active
CALL (s) { DELETE s } IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS deleted
