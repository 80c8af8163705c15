// Every user's list in version $version of model $model: neighbour handles and scores in rank order. Params: $model, $version. Columns: handle, neighbours, scores.
MATCH (a:User)-[s:SIMILAR_TO]->(b:User)
WHERE s.model = $model AND s.version = $version
WITH a, b, s
ORDER BY a.handle, s.rank
RETURN a.handle AS handle, collect(b.handle) AS neighbours, collect(s.score) AS scores
