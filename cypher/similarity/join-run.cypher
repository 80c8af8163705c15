// The version run $run writes for model $model: the one it reserved already (another shard of the run started
// first), or a new one above the active one and any unfinished one; or, when run $run already completed this model
// (its version is the active one, nothing is being written), that version, reserving nothing (done).
// @param model STRING
// @param run STRING
// @param shards INTEGER  the run's shard count (N of --shard I/N), shown by `models` while the run writes
// @column active INTEGER?
// @column floor INTEGER?  the full version the active one builds on
// @column version INTEGER
// @column joined BOOLEAN  true when another shard of the run reserved it
// @column done BOOLEAN  true when the run's version is already active: a retried shard has nothing to write
MERGE (m:SimilarityModel {name: $model})
WITH m, (m.writing IS NOT NULL AND m.writingRun = $run) AS joined,
  coalesce(m.writing IS NULL AND m.version IS NOT NULL AND m.activeRun = $run, false) AS done,
  coalesce(m.version, 0) AS active, coalesce(m.writing, 0) AS writing
FOREACH (_ IN CASE WHEN done THEN [] ELSE [1] END |
  SET m.writing = CASE WHEN joined THEN m.writing WHEN active > writing THEN active + 1 ELSE writing + 1 END,
    m.writingRun = $run,
    m.shardCount = $shards,
    m.shardsDone = CASE WHEN joined THEN coalesce(m.shardsDone, []) ELSE [] END)
RETURN m.version AS active, coalesce(m.floor, m.version) AS floor,
  CASE WHEN done THEN m.version ELSE m.writing END AS version, joined, done
