// Deletes the user factors shards read of every version of $model up to $upTo: the run that wrote them is complete
// (or was left unfinished and superseded).
// @param model STRING
// @param upTo INTEGER
// @column deleted INTEGER
MATCH (c:AlsUserFactors {model: $model})
WHERE c.version <= $upTo
DELETE c
RETURN count(*) AS deleted
