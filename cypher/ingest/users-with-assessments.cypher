// Which of these users already have ASSESSED edges: their attempts are merged, the others' simply created.
// @param handles LIST<INTEGER>
// @column handles LIST<INTEGER>
UNWIND $handles AS h
MATCH (u:User {handle: toInteger(h)})
WHERE EXISTS { (u)-[:ASSESSED]->() }
RETURN collect(u.handle) AS handles
