// What the database holds, for db:status: its users and SIMILAR_TO edges (every model and version).
// @column users INTEGER
// @column edges INTEGER
MATCH (u:User)
WITH count(u) AS users
OPTIONAL MATCH ()-[s:SIMILAR_TO]->()
RETURN users, count(s) AS edges
