// Which of these users already have VIEWED edges: their views are merged, the others' simply created.
// $handles: [INTEGER]. Columns: handles [INTEGER]
UNWIND $handles AS h
MATCH (u:User {handle: toInteger(h)})
WHERE EXISTS { (u)-[:VIEWED]->() }
RETURN collect(u.handle) AS handles
