// What an incremental run starts from: the model's active version, the full version it builds on, its parameters,
// frozen weighting statistics, validation recall and edge count.
// @param model STRING
// @column version INTEGER
// @column floor INTEGER
// @column params STRING?
// @column weighting STRING?
// @column validation FLOAT?
// @column edges INTEGER?
MATCH (m:SimilarityModel {name: $model})
WHERE m.version IS NOT NULL
RETURN m.version AS version, coalesce(m.floor, m.version) AS floor, m.params AS params, m.weighting AS weighting, m.validation AS validation,
  m.edges AS edges
