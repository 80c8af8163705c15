// The chunks of user factors of version $version of $model (see write-als-users), in order. Params: $model STRING,
// $version INTEGER. Columns: chunk, first, rows, factors, data.
MATCH (c:AlsUserFactors {model: $model, version: $version})
RETURN c.chunk AS chunk, c.first AS first, c.rows AS rows, c.factors AS factors, c.data AS data
ORDER BY chunk
