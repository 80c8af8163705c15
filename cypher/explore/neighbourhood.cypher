// One user's neighbourhood for a model: the user, their similar users of the active version, and the interests they share.
// :param handle => 110
// :param model => 'interests'
MATCH (m:SimilarityModel {name: $model})
MATCH p = (u:User {handle: $handle})-[s:SIMILAR_TO {model: $model}]->(v:User)
WHERE s.version = m.version
RETURN p, s.rank AS rank, s.score AS score, v.handle AS neighbour,
       COLLECT { MATCH shared = (u)-[:INTERESTED_IN]->(:Tag)<-[:INTERESTED_IN]-(v) RETURN shared } AS sharedInterests
ORDER BY rank
