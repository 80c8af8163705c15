// SIMILAR_TO edges of one version of model $model: those of versions $floor..$version not ended by then (a full
// run's version is its own floor: its own edges). "Not ended" is a coalesce, not an OR, for one index seek (see
// read-version-lists).
// @param model STRING
// @param version INTEGER
// @param floor INTEGER
// @column edges INTEGER
MATCH ()-[s:SIMILAR_TO]->()
WHERE s.model = $model AND s.version >= $floor AND s.version <= $version
  AND coalesce(s.until, $version + 1) > $version
RETURN count(s) AS edges
