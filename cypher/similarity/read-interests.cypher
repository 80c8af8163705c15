// Per user with any interest: the canonical names of the followed tags. Columns: handle, tags.
MATCH (u:User)
WITH u, [(u)-[:INTERESTED_IN]->(t:Tag) | t.name] AS tags
WHERE size(tags) > 0
RETURN u.handle AS handle, tags
