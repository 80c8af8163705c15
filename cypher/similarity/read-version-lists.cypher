// Every user's list in version $version of model $model: neighbour handles and scores in rank order.
// @param model STRING
// @param version INTEGER
// @column handle INTEGER
// @column neighbours LIST<INTEGER>
// @column scores LIST<FLOAT>
MATCH (a:User)-[s:SIMILAR_TO]->(b:User)
WHERE s.model = $model AND s.version = $version
WITH a, b, s
ORDER BY a.handle, s.rank
RETURN a.handle AS handle, collect(b.handle) AS neighbours, collect(s.score) AS scores
