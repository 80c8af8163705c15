// Users an import stamped at or after $since (an ISO date-time: the active version's params.dataAsOf), by handle,
// in one list (see read-users).
// @param since STRING
// @column handles LIST<INTEGER>
MATCH (u:User)
WHERE u.changedAt >= datetime($since)
WITH u.handle AS handle
ORDER BY handle
RETURN collect(handle) AS handles
