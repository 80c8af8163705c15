// The views of the users $handles (those an import stamped since stored signal rows were read): per user with any,
// [course id, total seconds] pairs.
// @param handles LIST<INTEGER>
// @column handle INTEGER
// @column views LIST<LIST<ANY>>  [STRING, INTEGER] pairs
UNWIND $handles AS h
MATCH (u:User {handle: h})
WITH u, [(u)-[v:VIEWED]->(c:Course) | [c.id, coalesce(v.seconds, 0)]] AS views
WHERE size(views) > 0
RETURN u.handle AS handle, views
