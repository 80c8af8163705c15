// Users forgotten (npm run forget): their number, and their handles unless the caller knows that number already.
// @param known INTEGER  -1 for none
// @column count INTEGER
// @column handles LIST<INTEGER>?  null when count = $known
OPTIONAL MATCH (f:Forgotten)
WITH count(f) AS n, collect(f.handle) AS hs
RETURN n AS count, CASE WHEN n = $known THEN null ELSE hs END AS handles
