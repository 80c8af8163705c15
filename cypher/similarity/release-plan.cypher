// Gives up $owner's claim on the decisions of run $run, version $version of $model before they are stored (the
// shard failed while making them), so the next shard to ask claims them at once instead of after the claim's life.
// @param model STRING
// @param run STRING
// @param version INTEGER
// @param owner STRING
// @column released BOOLEAN
OPTIONAL MATCH (m:SimilarityModel {name: $model})
WHERE m.planVersion = $version AND m.planRun = $run AND m.planOwner = $owner AND m.plan IS NULL
SET m.planExpires = 0
RETURN m IS NOT NULL AS released
