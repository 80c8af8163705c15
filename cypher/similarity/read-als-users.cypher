// The chunks of user factors of version $version of $model (see write-als-users), in order.
// @param model STRING
// @param version INTEGER
// @column chunk INTEGER
// @column first INTEGER
// @column rows INTEGER
// @column factors INTEGER
// @column data STRING
MATCH (c:AlsUserFactors {model: $model, version: $version})
RETURN c.chunk AS chunk, c.first AS first, c.rows AS rows, c.factors AS factors, c.data AS data
ORDER BY chunk
