// Courses watched by each of $handles (most seconds first), with each course's viewer count (document frequency)
// and tags.
// @param handles LIST<INTEGER>
// @column handle INTEGER
// @column items LIST<{courseId: STRING, level: STRING?, seconds: INTEGER, days: INTEGER, df: INTEGER, tags: LIST<STRING>}>
UNWIND $handles AS h
MATCH (u:User {handle: h})-[w:VIEWED]->(c:Course)
WITH h, c, w
ORDER BY h, w.seconds DESC, c.id
RETURN
  h AS handle,
  collect({
    courseId: c.id,
    level: c.level,
    seconds: coalesce(w.seconds, 0),
    days: coalesce(w.days, 0),
    df: COUNT { (c)<-[:VIEWED]-() },
    tags: [(c)-[:TAGGED]->(t:Tag) | t.name]
  }) AS items
