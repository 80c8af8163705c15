// Courses and authors as seen in the views table: the first level seen is kept; every author seen is linked.
// @param courses LIST<{id: STRING, level: STRING, author: INTEGER}>
UNWIND $courses AS row
MERGE (c:Course {id: row.id})
FOREACH (_ IN CASE WHEN c.level IS NULL THEN [1] ELSE [] END | SET c.level = row.level)
MERGE (a:Author {handle: toInteger(row.author)})
MERGE (a)-[:AUTHORED]->(c)
