// Keeps with version $version of $model one chunk of its lists in compact form, so that an incremental run reads
// them in one go instead of edge by edge: the users' handles, the offsets of each user's list in the neighbour
// arrays (users + 1 of them), the neighbours' handles and the scores (base64 of little-endian float64, int32 for
// the offsets), each list in the order readers see it (score descending, then handle). $chunks is how many chunks
// the version has. Written before the version is switched to. $base, when set, is the version whose full lists
// these extend: they hold only the lists that differ from base's (an incremental run's, an empty list included),
// and a reader takes base's lists with these in their place (docs/DESIGN.md, Freshness).
// @param model STRING
// @param version INTEGER
// @param chunk INTEGER
// @param chunks INTEGER
// @param users INTEGER
// @param handles STRING
// @param offsets STRING
// @param neighbours STRING
// @param scores STRING
// @param base INTEGER?
// @column chunk INTEGER
MERGE (l:VersionLists {model: $model, version: $version, chunk: $chunk})
SET l.chunks = $chunks,
  l.users = $users,
  l.handles = $handles,
  l.offsets = $offsets,
  l.neighbours = $neighbours,
  l.scores = $scores,
  l.base = $base,
  l.writtenAt = datetime()
RETURN l.chunk AS chunk
