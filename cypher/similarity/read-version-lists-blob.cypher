// The compact lists stored with version $version of $model (see write-version-lists), chunk by chunk; no row when
// the version has none (written by older code, or dropped by forget). `base`: the version whose lists these extend
// (null for a full set; see write-version-lists).
// @param model STRING
// @param version INTEGER
// @column chunk INTEGER
// @column chunks INTEGER
// @column users INTEGER
// @column handles STRING
// @column offsets STRING
// @column neighbours STRING
// @column scores STRING
// @column base INTEGER?
MATCH (l:VersionLists {model: $model, version: $version})
RETURN l.chunk AS chunk, l.chunks AS chunks, l.users AS users, l.handles AS handles, l.offsets AS offsets,
  l.neighbours AS neighbours, l.scores AS scores, l.base AS base
ORDER BY chunk
