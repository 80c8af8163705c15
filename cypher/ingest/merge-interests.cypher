// Adds follow times to one INTERESTED_IN edge per (user, canonical tag); a time already there is not added
// again, new ones are inserted in order. The tags exist (merge-tags runs first in the same transaction).
// Every right-hand side of ON MATCH SET sees the edge as it was: no Eager.
// Stamps u.changedAt (the database's clock): `similarity --incremental` recomputes users stamped after its version read the graph.
// @param users LIST<{handle: INTEGER, tags: LIST<{name: STRING, times: LIST<STRING>}>}>  tag names canonical; times YYYY-MM-DDTHH:MM:SS, ascending, distinct
UNWIND $users AS row
MERGE (u:User {handle: toInteger(row.handle)})
SET u.changedAt = datetime()
WITH u, row
UNWIND row.tags AS t
MATCH (g:Tag {name: t.name})
WITH u, g, [s IN t.times | localdatetime(s)] AS incoming
MERGE (u)-[r:INTERESTED_IN]->(g)
ON CREATE SET
  r.followTimes = incoming,
  r.follows = size(incoming),
  r.followedAt = incoming[0],
  r.lastFollowedAt = incoming[-1]
ON MATCH SET
  r.followTimes = reduce(acc = r.followTimes, x IN incoming |
    CASE WHEN x IN acc THEN acc ELSE [y IN acc WHERE y < x] + [x] + [y IN acc WHERE y > x] END),
  r.follows = r.follows + size([x IN incoming WHERE NOT x IN r.followTimes]),
  r.followedAt = CASE WHEN incoming[0] < r.followedAt THEN incoming[0] ELSE r.followedAt END,
  r.lastFollowedAt = CASE WHEN incoming[-1] > r.lastFollowedAt THEN incoming[-1] ELSE r.lastFollowedAt END
