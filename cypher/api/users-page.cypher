// One page of user handles in ascending order after $after (-1 for the first page), index-backed.
// @param after INTEGER
// @param take INTEGER
// @column handle INTEGER
MATCH (u:User)
WHERE u.handle > $after
RETURN u.handle AS handle
ORDER BY u.handle
LIMIT $take
