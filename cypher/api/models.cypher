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
// @column shardCount INTEGER?
// @column planOwner STRING?  the shard holding the writing run's decisions for the model (fit, ALS training)
// @column planReady BOOLEAN?  whether those decisions are made and stored
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
  m.shardsDone AS shardsDone,
  m.shardCount AS shardCount,
  CASE WHEN m.writingRun IS NOT NULL AND m.planRun = m.writingRun THEN m.planOwner END AS planOwner,
  CASE WHEN m.writingRun IS NOT NULL AND m.planRun = m.writingRun THEN m.plan IS NOT NULL END AS planReady
ORDER BY name
