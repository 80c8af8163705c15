// Extends $owner's claim on the decisions of run $run, version $version of $model, by $ttlMs from now (database
// clock). Params: $model, $run, $version, $owner, $ttlMs. Columns: renewed (false when another shard took it over).
OPTIONAL MATCH (m:SimilarityModel {name: $model})
WHERE m.planVersion = $version AND m.planRun = $run AND m.planOwner = $owner AND m.plan IS NULL
SET m.planExpires = timestamp() + $ttlMs
RETURN m IS NOT NULL AS renewed
