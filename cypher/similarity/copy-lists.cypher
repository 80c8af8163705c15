// Carries the lists of users $handles over from version $from to version $version of model $model, edge for edge
// (rank and score as they were).
// @param handles LIST<INTEGER>
// @param model STRING
// @param from INTEGER
// @param version INTEGER
// @column edges INTEGER
UNWIND $handles AS h
MATCH (a:User {handle: h})-[s:SIMILAR_TO]->(b:User)
WHERE s.model = $model AND s.version = $from
CREATE (a)-[:SIMILAR_TO {model: $model, version: $version, rank: s.rank, score: s.score}]->(b)
RETURN count(*) AS edges
