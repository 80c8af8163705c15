// The similarity models: active version, the full version it builds on (floor), when it was trained, how many users and edges it holds, and its metrics.
MATCH (m:SimilarityModel)
RETURN m.name AS model, m.version AS version, m.floor AS floor, m.trainedAt AS trainedAt, m.users AS users, m.edges AS edges,
       m.writing AS writing, m.params AS params, m.metrics AS metrics
ORDER BY model
