// Deletes the fold-in factors of every version of $model but $keep (the active one): superseded versions and
// runs that never completed. Params: $model STRING, $keep INTEGER. Columns: deleted.
MATCH (f:AlsFactors {model: $model})
WHERE f.version <> $keep
DELETE f
RETURN count(*) AS deleted
