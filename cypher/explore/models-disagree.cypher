// How the models disagree on one user: each neighbour of the active versions, which models found it and with what score.
// :param handle => 110
MATCH (u:User {handle: $handle})-[s:SIMILAR_TO]->(v:User)
MATCH (m:SimilarityModel {name: s.model})
WHERE coalesce(m.floor, m.version) <= s.version <= m.version AND (s.until IS NULL OR s.until > m.version)
WITH u, v, collect(s) AS edges
RETURN u, v, edges, v.handle AS neighbour, size(edges) AS models,
       [e IN edges | e.model + ' (' + toString(round(e.score, 3)) + ')'] AS foundBy,
       COLLECT { MATCH (n:SimilarityModel) WHERE NOT n.name IN [e IN edges | e.model] RETURN n.name } AS missedBy
ORDER BY models DESC, reduce(best = 0.0, e IN edges | CASE WHEN e.score > best THEN e.score ELSE best END) DESC, neighbour
