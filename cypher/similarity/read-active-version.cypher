// What an incremental run starts from: the model's active version, its parameters, frozen weighting statistics
// and validation recall.
// @param model STRING
// @column version INTEGER
// @column params STRING?
// @column weighting STRING?
// @column validation FLOAT?
MATCH (m:SimilarityModel {name: $model})
WHERE m.version IS NOT NULL
RETURN m.version AS version, m.params AS params, m.weighting AS weighting, m.validation AS validation
