// Records that an import of folder $dir has started: its files (names, sizes, modification times) and who runs it; completedAt stays null until it completes. Params: $id, $dir, $files, $sizes, $mtimes, $owner. Columns: id.
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
