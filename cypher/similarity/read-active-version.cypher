// What an incremental run starts from: the model's active version, its parameters, frozen weighting statistics and validation recall. Params: $model. Columns: version, params, weighting, validation.
MATCH (m:SimilarityModel {name: $model})
WHERE m.version IS NOT NULL
RETURN m.version AS version, m.params AS params, m.weighting AS weighting, m.validation AS validation
