// Courses watched by each of $handles (most seconds first), with each course's viewer count (document frequency)
// and tags. Params: $handles LIST<INTEGER>. Columns: handle, items [{courseId, level, seconds, days, df, tags}].
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
