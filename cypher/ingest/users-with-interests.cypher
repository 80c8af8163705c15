// Which of these users already have INTERESTED_IN edges: their follows are merged, the others' simply created.
// @param handles LIST<INTEGER>
// @column handles LIST<INTEGER>
UNWIND $handles AS h
MATCH (u:User {handle: toInteger(h)})
WHERE EXISTS { (u)-[:INTERESTED_IN]->() }
RETURN collect(u.handle) AS handles
