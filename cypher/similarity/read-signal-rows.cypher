// The stored chunks of signal $signal read at $asOf (see write-signal-rows), by chunk.
// @param asOf STRING
// @param signal STRING
// @column chunk INTEGER
// @column chunks INTEGER
// @column users INTEGER
// @column handles STRING
// @column offsets STRING
// @column cols STRING
// @column vals STRING
MATCH (r:SignalRows {asOf: $asOf, signal: $signal})
RETURN r.chunk AS chunk, r.chunks AS chunks, r.users AS users, r.handles AS handles, r.offsets AS offsets,
  r.cols AS cols, r.vals AS vals
ORDER BY chunk
