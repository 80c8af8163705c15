// A model's active version with its parameters and frozen weighting statistics (JSON strings); the weighting
// only when the version is not $known (the caller holds it already).
// @param model STRING
// @param known INTEGER  -1 for none
// @column version INTEGER
// @column params STRING?
// @column weighting STRING?
MATCH (m:SimilarityModel {name: $model})
WHERE m.version IS NOT NULL
RETURN
  m.version AS version,
  m.params AS params,
  CASE WHEN m.version = $known THEN null ELSE m.weighting END AS weighting
