// Deletes the compact lists of every version of $model but those in $keep (the active one, and the version its
// lists extend when they are a delta): superseded versions and runs that never completed.
// @param model STRING
// @param keep LIST<INTEGER>
// @column deleted INTEGER
MATCH (l:VersionLists {model: $model})
WHERE NOT l.version IN $keep
DELETE l
RETURN count(*) AS deleted
