// Per user with any view: [course id, total seconds] pairs.
// @column handle INTEGER
// @column views LIST<LIST<ANY>>  [STRING, INTEGER] pairs
MATCH (u:User)
WITH u, [(u)-[v:VIEWED]->(c:Course) | [c.id, coalesce(v.seconds, 0)]] AS views
WHERE size(views) > 0
RETURN u.handle AS handle, views
