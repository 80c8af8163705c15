// Records that an import of folder $dir has started: its files (names, sizes, modification times) and who runs it;
// completedAt stays null until it completes.
// @param id STRING
// @param dir STRING
// @param files LIST<STRING>
// @param sizes LIST<INTEGER>
// @param mtimes LIST<STRING>
// @param owner STRING
// @column id STRING
CREATE (r:ImportRun {
  id: $id,
  dir: $dir,
  files: $files,
  sizes: $sizes,
  mtimes: $mtimes,
  owner: $owner,
  startedAt: datetime()
})
RETURN r.id AS id
