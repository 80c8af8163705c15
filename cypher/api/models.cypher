// Every SimilarityModel node: active version, training time, parameters and metrics (JSON strings), counts.
// Params: none. Columns: name, version, trainedAt, writing, params, metrics, users, edges, validation, isDefault, writingRun, shardsDone.
MATCH (m:SimilarityModel)
RETURN
  m.name AS name,
  m.version AS version,
  toString(m.trainedAt) AS trainedAt,
  m.writing AS writing,
  m.params AS params,
  m.metrics AS metrics,
  m.users AS users,
  m.edges AS edges,
  m.validation AS validation,
  coalesce(m.default, false) AS isDefault,
  m.writingRun AS writingRun,
  m.shardsDone AS shardsDone
ORDER BY name
