// Records that shard $shard of run $run has written its part of version $version of model $model (idempotent);
// no row when the version is no longer this run's.
// @param model STRING
// @param version INTEGER
// @param run STRING
// @param shard INTEGER
// @column done LIST<INTEGER>  the shards of the run finished so far
MATCH (m:SimilarityModel {name: $model})
WHERE m.writing = $version AND m.writingRun = $run
SET m.shardsDone = CASE WHEN $shard IN coalesce(m.shardsDone, []) THEN m.shardsDone
  ELSE coalesce(m.shardsDone, []) + $shard END
RETURN m.shardsDone AS done
