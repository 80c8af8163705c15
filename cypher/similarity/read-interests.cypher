// Per user with any interest: the canonical names of the followed tags.
// @column handle INTEGER
// @column tags LIST<STRING>
MATCH (u:User)
WITH u, [(u)-[:INTERESTED_IN]->(t:Tag) | t.name] AS tags
WHERE size(tags) > 0
RETURN u.handle AS handle, tags
