// Users an import stamped at or after $since (an ISO date-time: the active version's params.dataAsOf), by handle.
// @param since STRING
// @column handle INTEGER
MATCH (u:User)
WHERE u.changedAt >= datetime($since)
RETURN u.handle AS handle
ORDER BY handle
