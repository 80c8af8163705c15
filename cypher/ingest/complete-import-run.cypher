// Marks import run $id completed with its row counts and the graph's counts ($counts, JSON), and marks every
// earlier incomplete run of the same folder as redone by it.
// @param id STRING
// @param read INTEGER
// @param imported INTEGER
// @param duplicates INTEGER
// @param rejected INTEGER
// @param counts STRING
// @column redone INTEGER
MATCH (r:ImportRun {id: $id})
SET r.completedAt = datetime(),
  r.read = $read,
  r.imported = $imported,
  r.duplicates = $duplicates,
  r.rejected = $rejected,
  r.counts = $counts
WITH r
CALL (r) {
  MATCH (old:ImportRun)
  WHERE old.dir = r.dir AND old.completedAt IS NULL AND old.redoneBy IS NULL AND old.startedAt < r.startedAt
  SET old.redoneBy = r.id
  RETURN count(old) AS redone
}
RETURN redone
