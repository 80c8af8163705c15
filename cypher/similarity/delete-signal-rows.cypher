// Deletes the stored signal rows (and their names) of every read but $keep: only the newest are read.
// @param keep STRING
// @column deleted INTEGER
MATCH (n)
WHERE (n:SignalRows OR n:SignalNames) AND n.asOf <> $keep
DELETE n
RETURN count(*) AS deleted
