// Releases $owner's lease on each model of $models (a lease taken over by another run is left alone).
// @param models LIST<STRING>
// @param owner STRING
// @column released INTEGER
UNWIND $models AS name
MATCH (m:SimilarityModel {name: name})
WHERE m.leaseOwner = $owner
REMOVE m.leaseOwner, m.leaseTakenAt, m.leaseHeartbeat, m.leaseExpires
RETURN count(m) AS released
