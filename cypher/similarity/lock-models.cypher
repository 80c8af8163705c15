// Creates the SimilarityModel nodes of $models if needed and write-locks them (until the transaction ends), so the
// statement that follows in the same transaction (a lease, a plan claim, a shard joining or finishing a run, an
// activation) reads every other run's committed writes and checks and writes without another in between.
// @param models LIST<STRING>
// @column locked INTEGER
UNWIND $models AS name
MERGE (m:SimilarityModel {name: name})
SET m.leaseCheckedAt = timestamp()
RETURN count(m) AS locked
