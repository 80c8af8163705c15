// The decisions of run $run for version $version of model $model (fitted params, ALS factors), made once per run:
// the first shard to ask claims the fitting for $ttlMs (database clock, ms); later shards find it being made
// (wait) or made (ready); a claim whose owner stopped renewing expires and the next shard to ask takes it over.
// Run after lock-models in the same transaction. No row when $version is no longer the one run $run writes.
// @param model STRING
// @param run STRING
// @param version INTEGER
// @param owner STRING
// @param ttlMs INTEGER
// @column state STRING  'claimed' | 'wait' | 'ready'
// @column plan STRING?  JSON, when ready
// @column owner STRING?  the claim's holder
// @column expiresInMs INTEGER?
// @column tookOverFrom STRING?  the expired owner replaced
MATCH (m:SimilarityModel {name: $model})
WHERE m.writing = $version AND m.writingRun = $run
WITH m, timestamp() AS now, (m.planVersion = $version AND m.planRun = $run) AS same
WITH m, now, same,
  CASE
    WHEN same AND m.plan IS NOT NULL THEN 'ready'
    WHEN same AND m.planOwner <> $owner AND m.planExpires > now THEN 'wait'
    ELSE 'claimed'
  END AS state
WITH m, now, state,
  CASE WHEN state = 'claimed' AND same AND m.planOwner <> $owner THEN m.planOwner END AS tookOverFrom
FOREACH (_ IN CASE WHEN state = 'claimed' THEN [1] ELSE [] END |
  SET m.planVersion = $version, m.planRun = $run, m.planOwner = $owner, m.planExpires = now + $ttlMs,
    m.planClaimedAt = now, m.plan = null)
RETURN state, m.plan AS plan, m.planOwner AS owner, m.planExpires - now AS expiresInMs, tookOverFrom
