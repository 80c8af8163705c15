// One chunk of the user factors version $version of $model searches (rows $first .. $first + $rows - 1 of the
// run's users in handle order, $factors each, base64 of little-endian float32), written once per run for its
// shards to read.
// @param model STRING
// @param version INTEGER
// @param chunk INTEGER
// @param first INTEGER
// @param rows INTEGER
// @param factors INTEGER
// @param data STRING
// @column chunk INTEGER
MERGE (c:AlsUserFactors {model: $model, version: $version, chunk: $chunk})
SET c.first = $first, c.rows = $rows, c.factors = $factors, c.data = $data, c.writtenAt = datetime()
RETURN c.chunk AS chunk
