// Assessment attempts of each of $handles (latest first), with each tag's attempt count (document frequency).
// @param handles LIST<INTEGER>
// @column handle INTEGER
// @column items LIST<{tag: STRING, score: INTEGER, takenAt: STRING?, df: INTEGER}>
UNWIND $handles AS h
MATCH (u:User {handle: h})-[a:ASSESSED]->(t:Tag)
WITH h, t, a
ORDER BY h, a.takenAt DESC, t.name
RETURN
  h AS handle,
  collect({tag: t.name, score: a.score, takenAt: toString(a.takenAt), df: COUNT { (t)<-[:ASSESSED]-() }}) AS items
