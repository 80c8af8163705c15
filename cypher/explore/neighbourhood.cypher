// One user's neighbourhood for a model: the user, their similar users of the active version, and the rarest interests each pair shares.
// :param handle => 110
// :param model => 'interests'
// :param shared => 3
MATCH (m:SimilarityModel {name: $model})
MATCH p = (u:User {handle: $handle})-[s:SIMILAR_TO {model: $model}]->(v:User)
USING INDEX SEEK u:User(handle)
WHERE coalesce(m.floor, m.version) <= s.version <= m.version AND (s.until IS NULL OR s.until > m.version)
RETURN p, s.score AS score, v.handle AS neighbour,
       COLLECT {
         MATCH shared = (u)-[:INTERESTED_IN]->(t:Tag)<-[:INTERESTED_IN]-(v)
         RETURN shared
         ORDER BY COUNT { (t)<-[:INTERESTED_IN]-() }, t.name
         LIMIT toInteger($shared)
       } AS sharedInterests
ORDER BY score DESC, neighbour
