// The database's clock, read by a run before it reads the graph: kept with the version (params.dataAsOf) and
// compared with User.changedAt by the next incremental run.
// @column now STRING
RETURN toString(datetime()) AS now
