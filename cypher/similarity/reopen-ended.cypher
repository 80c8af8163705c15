// Clears the end that unfinished incremental runs set on SIMILAR_TO edges of model $model (until > $active: a
// version that was never switched to), so the active lists stay whole for the versions that come next. In batches.
// @param model STRING
// @param active INTEGER
// @param batch INTEGER
// @column reopened INTEGER
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model AND s.until > $active
CALL (s) { SET s.until = null } IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS reopened
