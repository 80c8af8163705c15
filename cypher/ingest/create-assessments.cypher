// ASSESSED edges of users who have none yet (see users-with-assessments, same transaction): plain CREATE, which
// takes no lock on the tag beyond the edge's own (a MERGE locks both ends, and tags are shared by most users);
// each attempt (tag, takenAt) comes once per batch. The tags exist (merge-tags runs first).
// Stamps u.changedAt (the database's clock): `similarity --incremental` recomputes users stamped after its version read the graph.
// @param users LIST<{handle: INTEGER, attempts: LIST<{tag: STRING, at: STRING, score: INTEGER}>}>  tags canonical; at YYYY-MM-DDTHH:MM:SS, (tag, at) distinct per user
UNWIND $users AS row
MERGE (u:User {handle: toInteger(row.handle)})
SET u.changedAt = datetime()
WITH u, row
UNWIND row.attempts AS a
MATCH (g:Tag {name: a.tag})
CREATE (u)-[r:ASSESSED {takenAt: localdatetime(a.at)}]->(g)
SET r.score = toInteger(a.score)
