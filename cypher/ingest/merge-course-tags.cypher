// Creates courses from the catalogue and links each to its tags (the Tag nodes exist: see merge-tags).
// @param courses LIST<{id: STRING, tags: LIST<STRING>}>  canonical tag names, possibly none
UNWIND $courses AS row
MERGE (c:Course {id: row.id})
WITH c, row
UNWIND row.tags AS name
MATCH (t:Tag {name: name})
MERGE (c)-[:TAGGED]->(t)
