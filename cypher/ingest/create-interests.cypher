// INTERESTED_IN edges of users who have none yet (see users-with-interests, same transaction): plain CREATE;
// each (user, tag) comes once per batch. The tags exist (merge-tags runs first).
// Stamps u.changedAt (the database's clock): `similarity --incremental` recomputes users stamped after its version read the graph.
// @param users LIST<{handle: INTEGER, tags: LIST<{name: STRING, times: LIST<STRING>}>}>  tag names canonical; times YYYY-MM-DDTHH:MM:SS, ascending, distinct
UNWIND $users AS row
MERGE (u:User {handle: toInteger(row.handle)})
SET u.changedAt = datetime()
WITH u, row
UNWIND row.tags AS t
MATCH (g:Tag {name: t.name})
CREATE (u)-[r:INTERESTED_IN]->(g)
SET r.followTimes = [s IN t.times | localdatetime(s)],
    r.follows = size(t.times),
    r.followedAt = localdatetime(t.times[0]),
    r.lastFollowedAt = localdatetime(t.times[-1])
