// The assessments of the users $handles (those an import stamped since stored signal rows were read): per user with
// any, [tag name, score] per attempt.
// @param handles LIST<INTEGER>
// @column handle INTEGER
// @column scores LIST<LIST<ANY>>  [STRING, INTEGER] pairs
UNWIND $handles AS h
MATCH (u:User {handle: h})
WITH u, [(u)-[a:ASSESSED]->(t:Tag) | [t.name, coalesce(a.score, 0)]] AS scores
WHERE size(scores) > 0
RETURN u.handle AS handle, scores
