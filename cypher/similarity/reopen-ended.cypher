// Clears the end that unfinished incremental runs set on SIMILAR_TO edges of model $model (until > $active: a
// version that was never switched to), so the active lists stay whole for the versions that come next. In batches.
// The index hint keeps the plan a seek whatever the statistics say (few edges carry `until`).
// @param model STRING
// @param active INTEGER
// @param batch INTEGER
// @column reopened INTEGER
MATCH ()-[s:SIMILAR_TO]->()
USING INDEX s:SIMILAR_TO(model, until)
WHERE s.model = $model AND s.until > $active
CALL (s) { SET s.until = null } IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS reopened
