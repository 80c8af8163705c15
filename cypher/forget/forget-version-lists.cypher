// Deletes every version's compact lists (VersionLists) once a user is forgotten: they hold the user's handle and
// list. The next incremental run reads the lists from the edges instead (which forget-user cleaned) and stores
// new ones.
// @column deleted INTEGER
MATCH (l:VersionLists)
DELETE l
RETURN count(*) AS deleted
