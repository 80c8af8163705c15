// Import runs that started and never completed (killed, interrupted or failed) and that no later run of their
// folder has redone, oldest first.
// @column id STRING
// @column dir STRING
// @column files LIST<STRING>
// @column owner STRING
// @column startedAt STRING
MATCH (r:ImportRun)
WHERE r.completedAt IS NULL AND r.redoneBy IS NULL
RETURN r.id AS id, r.dir AS dir, r.files AS files, r.owner AS owner, toString(r.startedAt) AS startedAt
ORDER BY r.startedAt
