// Every user's handle and element id, in two lists of the same order: the similarity job writes its edges by element
// id (write-edges-by-id). One record, as read-users.
// @column handles LIST<INTEGER>
// @column ids LIST<STRING>
MATCH (u:User)
RETURN collect(u.handle) AS handles, collect(elementId(u)) AS ids
