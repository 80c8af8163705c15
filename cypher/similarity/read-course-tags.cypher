// Per course with any tag: the canonical tag names.
// @column course STRING
// @column tags LIST<STRING>
MATCH (c:Course)
WITH c, [(c)-[:TAGGED]->(t:Tag) | t.name] AS tags
WHERE size(tags) > 0
RETURN c.id AS course, tags
