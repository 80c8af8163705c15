// Stores the decisions of run $run for version $version of $model (JSON), if $owner still holds the claim; the
// shards waiting for them read them from here.
// @param model STRING
// @param run STRING
// @param version INTEGER
// @param owner STRING
// @param plan STRING
// @column stored BOOLEAN
OPTIONAL MATCH (m:SimilarityModel {name: $model})
WHERE m.planVersion = $version AND m.planRun = $run AND m.planOwner = $owner AND m.writing = $version
SET m.plan = $plan, m.planExpires = null
RETURN m IS NOT NULL AS stored
