// The newest complete stored signal rows (see write-signal-names): when they were read, the tag and course names in
// column order, and the signals stored; no row when none are.
// @column asOf STRING
// @column tags LIST<STRING>
// @column courses LIST<STRING>
// @column signals LIST<STRING>
MATCH (n:SignalNames)
RETURN n.asOf AS asOf, n.tags AS tags, n.courses AS courses, n.signals AS signals
ORDER BY datetime(n.asOf) DESC
LIMIT 1
