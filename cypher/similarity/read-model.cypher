// The model node of $model, if any.
// @param model STRING
// @column name STRING
// @column version INTEGER?
// @column writing INTEGER?
// @column trainedAt STRING?
// @column params STRING?
// @column metrics STRING?
// @column users INTEGER?
// @column edges INTEGER?
// @column activeRun STRING?  the sharded run that wrote the active version (null for a single process)
MATCH (m:SimilarityModel {name: $model})
RETURN m.name AS name, m.version AS version, m.writing AS writing, toString(m.trainedAt) AS trainedAt,
  m.params AS params, m.metrics AS metrics, m.users AS users, m.edges AS edges, m.activeRun AS activeRun
