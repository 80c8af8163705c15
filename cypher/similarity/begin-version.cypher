// Reserves a new version of model $model (above the active one and any unfinished one) and marks it as being
// written.
// @param model STRING
// @column active INTEGER?
// @column floor INTEGER?  the full version the active one builds on (the active one itself after a full run)
// @column version INTEGER
MERGE (m:SimilarityModel {name: $model})
WITH m, coalesce(m.version, 0) AS active, coalesce(m.writing, 0) AS writing
SET m.writing = CASE WHEN active > writing THEN active ELSE writing END + 1
RETURN m.version AS active, coalesce(m.floor, m.version) AS floor, m.writing AS version
