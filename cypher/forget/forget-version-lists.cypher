// Deletes every version's compact lists (VersionLists) and the stored signal rows (SignalRows, SignalNames) once a
// user is forgotten: they hold the user's handle, list and rows. The next incremental run reads the lists and the
// signals from the graph instead (which forget-user cleaned) and stores new ones.
// @column deleted INTEGER
MATCH (n)
WHERE n:VersionLists OR n:SignalRows OR n:SignalNames
DELETE n
RETURN count(*) AS deleted
