// Makes version $version of model $model the active one, in one transaction, if this run still owns it. $floor is
// the full version it builds on: $version itself for a full run, the active version's floor for an incremental one
// (whose lists are the edges of versions floor..version not ended by then: see explore/README.md).
// @param model STRING
// @param version INTEGER
// @param floor INTEGER
// @param params STRING  JSON
// @param metrics STRING?  JSON; null keeps the figures stored
// @param users INTEGER
// @param edges INTEGER
// @param validation FLOAT?  recall@10 on the run's validation split, or null
// @param weighting STRING?  the version's frozen weighting statistics (JSON), or null
// @column previous INTEGER?
MATCH (m:SimilarityModel {name: $model})
WHERE m.writing = $version
WITH m, m.version AS previous, m.writingRun AS run
SET m.version = $version,
  m.floor = $floor,
  m.writing = null,
  m.activeRun = run,
  m.writingRun = null,
  m.shardsDone = null,
  m.shardCount = null,
  m.planVersion = null,
  m.planRun = null,
  m.planOwner = null,
  m.planExpires = null,
  m.planClaimedAt = null,
  m.plan = null,
  m.trainedAt = datetime(),
  m.params = $params,
  m.metrics = coalesce($metrics, m.metrics),
  m.users = $users,
  m.edges = $edges,
  m.validation = $validation,
  m.weighting = $weighting
RETURN previous
