// The strongest SIMILAR_TO edges of a model's active version across all users, each pair shown once.
// :param model => 'interests'
// :param limit => 25
MATCH (m:SimilarityModel {name: $model})
MATCH p = (a:User)-[s:SIMILAR_TO {model: $model}]->(b:User)
WHERE coalesce(m.floor, m.version) <= s.version <= m.version AND (s.until IS NULL OR s.until > m.version)
  AND (a.handle < b.handle OR NOT EXISTS {
    (b)-[r:SIMILAR_TO {model: $model}]->(a)
    WHERE coalesce(m.floor, m.version) <= r.version <= m.version AND (r.until IS NULL OR r.until > m.version)
  })
RETURN p, a.handle AS user, b.handle AS neighbour, s.score AS score
ORDER BY score DESC, user, neighbour
LIMIT toInteger($limit)
