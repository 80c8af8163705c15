// Keeps one chunk of the signal rows a run read at $asOf (the database's clock before it read the graph), so that a
// later incremental run reads them in one go and only the users stamped since from the graph: signal $signal
// (interests, views or assessments) for $users users, their handles (base64 float64), the offsets of each row
// (int32, users + 1), the columns (int32, indices into the names stored by write-signal-names) and the values
// (float32, as the job's matrices hold them).
// @param asOf STRING
// @param signal STRING
// @param chunk INTEGER
// @param chunks INTEGER
// @param users INTEGER
// @param handles STRING
// @param offsets STRING
// @param cols STRING
// @param vals STRING
// @column chunk INTEGER
MERGE (r:SignalRows {asOf: $asOf, signal: $signal, chunk: $chunk})
SET r.chunks = $chunks,
  r.users = $users,
  r.handles = $handles,
  r.offsets = $offsets,
  r.cols = $cols,
  r.vals = $vals
RETURN r.chunk AS chunk
