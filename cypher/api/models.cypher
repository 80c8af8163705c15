// Every SimilarityModel node: active version, training time, parameters and metrics (JSON strings), counts.
// @column name STRING
// @column version INTEGER?
// @column trainedAt STRING?
// @column writing INTEGER?
// @column params STRING?
// @column metrics STRING?
// @column users INTEGER?
// @column edges INTEGER?
// @column validation FLOAT?
// @column isDefault BOOLEAN
// @column writingRun STRING?
// @column shardsDone LIST<INTEGER>?
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
