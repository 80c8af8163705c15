// The interests of the users $handles (those an import stamped since stored signal rows were read): per user with
// any, the canonical names of the followed tags.
// @param handles LIST<INTEGER>
// @column handle INTEGER
// @column tags LIST<STRING>
UNWIND $handles AS h
MATCH (u:User {handle: h})
WITH u, [(u)-[:INTERESTED_IN]->(t:Tag) | t.name] AS tags
WHERE size(tags) > 0
RETURN u.handle AS handle, tags
