// Takes the lease of every model in $models for $owner, all or none: refused when another owner's lease has not
// expired (database clock, ms). Run after lock-models in the same transaction.
// @param models LIST<STRING>
// @param owner STRING
// @param ttlMs INTEGER
// @column held LIST<{model: STRING, owner: STRING, expiresInMs: INTEGER, heartbeatAgoMs: INTEGER}>  live leases of others
// @column takenOver LIST<{model: STRING, owner: STRING, expiredAgoMs: INTEGER, writing: INTEGER?}>  expired leases replaced
// @column taken BOOLEAN
UNWIND $models AS name
MATCH (m:SimilarityModel {name: name})
WITH collect(m) AS ms, timestamp() AS now
WITH ms, now,
  [m IN ms WHERE m.leaseOwner IS NOT NULL AND m.leaseOwner <> $owner AND m.leaseExpires > now |
    {model: m.name, owner: m.leaseOwner, expiresInMs: m.leaseExpires - now, heartbeatAgoMs: now - m.leaseHeartbeat}] AS held,
  [m IN ms WHERE m.leaseOwner IS NOT NULL AND m.leaseOwner <> $owner AND m.leaseExpires <= now |
    {model: m.name, owner: m.leaseOwner, expiredAgoMs: now - m.leaseExpires, writing: m.writing}] AS takenOver
FOREACH (m IN CASE WHEN size(held) = 0 THEN ms ELSE [] END |
  SET m.leaseOwner = $owner, m.leaseTakenAt = now, m.leaseHeartbeat = now, m.leaseExpires = now + $ttlMs)
RETURN held, takenOver, size(held) = 0 AS taken
