// One ASSESSED edge per attempt (user, tag, takenAt); the first score recorded for an attempt is kept.
// The tags exist (see merge-tags, run first in the same transaction).
// Stamps u.changedAt (the database's clock): `similarity --incremental` recomputes users stamped after its version read the graph.
// @param users LIST<{handle: INTEGER, attempts: LIST<{tag: STRING, at: STRING, score: INTEGER}>}>  tags canonical; at YYYY-MM-DDTHH:MM:SS
UNWIND $users AS row
MERGE (u:User {handle: toInteger(row.handle)})
SET u.changedAt = datetime()
WITH u, row
UNWIND row.attempts AS a
MATCH (g:Tag {name: a.tag})
MERGE (u)-[r:ASSESSED {takenAt: localdatetime(a.at)}]->(g)
ON CREATE SET r.score = toInteger(a.score)
