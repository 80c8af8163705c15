// Heartbeat: extends $owner's lease on each model of $models by $ttlMs from now (database clock); a model whose
// lease another run has taken over is not renewed.
// @param models LIST<STRING>
// @param owner STRING
// @param ttlMs INTEGER
// @column renewed LIST<STRING>
UNWIND $models AS name
MATCH (m:SimilarityModel {name: name})
WHERE m.leaseOwner = $owner
SET m.leaseHeartbeat = timestamp(), m.leaseExpires = timestamp() + $ttlMs
RETURN collect(m.name) AS renewed
