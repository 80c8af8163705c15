// A model's active version with its parameters and frozen weighting statistics (JSON strings); the weighting
// only when the version is not $known (the caller holds it already). Params: $model STRING, $known INTEGER
// (-1 for none). Columns: version, params, weighting.
MATCH (m:SimilarityModel {name: $model})
WHERE m.version IS NOT NULL
RETURN
  m.version AS version,
  m.params AS params,
  CASE WHEN m.version = $known THEN null ELSE m.weighting END AS weighting
