// Every user handle, ascending (the dense user index of the similarity job follows this order).
// @column handle INTEGER
MATCH (u:User)
RETURN u.handle AS handle
ORDER BY handle
