// The model node of $model, if any. Params: $model. Columns: name, version, writing, trainedAt, params, metrics, users, edges.
MATCH (m:SimilarityModel {name: $model})
RETURN m.name AS name, m.version AS version, m.writing AS writing, toString(m.trainedAt) AS trainedAt,
  m.params AS params, m.metrics AS metrics, m.users AS users, m.edges AS edges
