// Deletes the fold-in factors of every version of $model but $keep (the active one): superseded versions and
// runs that never completed.
// @param model STRING
// @param keep INTEGER
// @column deleted INTEGER
MATCH (f:AlsFactors {model: $model})
WHERE f.version <> $keep
DELETE f
RETURN count(*) AS deleted
