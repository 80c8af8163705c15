// Stores evaluation figures (JSON) on the model node of $model, creating it if needed. Params: $model, $metrics.
MERGE (m:SimilarityModel {name: $model})
SET m.metrics = $metrics
