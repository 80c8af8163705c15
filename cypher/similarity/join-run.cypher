// The version run $run writes for model $model: the one it reserved already (another shard of the run started
// first), or a new one above the active one and any unfinished one.
// @param model STRING
// @param run STRING
// @column active INTEGER?
// @column version INTEGER
// @column joined BOOLEAN  true when another shard of the run reserved it
MERGE (m:SimilarityModel {name: $model})
WITH m, (m.writing IS NOT NULL AND m.writingRun = $run) AS joined, coalesce(m.version, 0) AS active,
  coalesce(m.writing, 0) AS writing
SET m.writing = CASE WHEN joined THEN m.writing WHEN active > writing THEN active + 1 ELSE writing + 1 END,
  m.writingRun = $run,
  m.shardsDone = CASE WHEN joined THEN coalesce(m.shardsDone, []) ELSE [] END
RETURN m.version AS active, m.writing AS version, joined
