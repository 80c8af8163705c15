// Deletes the user factors shards read of every version of $model up to $upTo: the run that wrote them is complete
// (or was left unfinished and superseded). Params: $model STRING, $upTo INTEGER. Columns: deleted.
MATCH (c:AlsUserFactors {model: $model})
WHERE c.version <= $upTo
DELETE c
RETURN count(*) AS deleted
