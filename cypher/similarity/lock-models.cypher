// Creates the SimilarityModel nodes of $models if needed and write-locks them (until the transaction ends), so the
// lease read that follows in the same transaction sees every other run's committed lease.
// @param models LIST<STRING>
// @column locked INTEGER
UNWIND $models AS name
MERGE (m:SimilarityModel {name: name})
SET m.leaseCheckedAt = timestamp()
RETURN count(m) AS locked
