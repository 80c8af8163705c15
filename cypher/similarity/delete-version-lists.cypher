// Deletes the compact lists of every version of $model but $keep (the active one): superseded versions and runs
// that never completed.
// @param model STRING
// @param keep INTEGER
// @column deleted INTEGER
MATCH (l:VersionLists {model: $model})
WHERE l.version <> $keep
DELETE l
RETURN count(*) AS deleted
