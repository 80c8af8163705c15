// Extends $owner's claim on the decisions of run $run, version $version of $model, by $ttlMs from now (database
// clock); renewed is false when another shard took it over.
// @param model STRING
// @param run STRING
// @param version INTEGER
// @param owner STRING
// @param ttlMs INTEGER
// @column renewed BOOLEAN
OPTIONAL MATCH (m:SimilarityModel {name: $model})
WHERE m.planVersion = $version AND m.planRun = $run AND m.planOwner = $owner AND m.plan IS NULL
SET m.planExpires = timestamp() + $ttlMs
RETURN m IS NOT NULL AS renewed
