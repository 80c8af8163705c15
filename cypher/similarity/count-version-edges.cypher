// SIMILAR_TO edges of one version of model $model: those of versions $floor..$version not ended by then (a full
// run's version is its own floor: its own edges).
// @param model STRING
// @param version INTEGER
// @param floor INTEGER
// @column edges INTEGER
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model AND s.version >= $floor AND s.version <= $version
  AND (s.until IS NULL OR s.until > $version)
RETURN count(s) AS edges
