// Stores evaluation figures (JSON) on the model node of $model, creating it if needed.
// @param model STRING
// @param metrics STRING
MERGE (m:SimilarityModel {name: $model})
SET m.metrics = $metrics
