// Per user with any assessment: [tag name, score] per attempt.
// @column handle INTEGER
// @column scores LIST<LIST<ANY>>  [STRING, INTEGER] pairs
MATCH (u:User)
WITH u, [(u)-[a:ASSESSED]->(t:Tag) | [t.name, coalesce(a.score, 0)]] AS scores
WHERE size(scores) > 0
RETURN u.handle AS handle, scores
