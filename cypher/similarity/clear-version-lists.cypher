// Deletes the compact lists of version $version of $model, before they are written: a run that died after
// writing some (its version number is taken again) leaves no chunk of its own behind.
// @param model STRING
// @param version INTEGER
// @column deleted INTEGER
MATCH (l:VersionLists {model: $model, version: $version})
DELETE l
RETURN count(*) AS deleted
