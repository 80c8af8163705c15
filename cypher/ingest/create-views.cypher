// VIEWED edges of users who have none yet (see users-with-views, same transaction): plain CREATE, cheaper than
// MERGE; each (user, course) comes once per batch. The courses exist (merge-courses runs first).
// Stamps u.changedAt (the database's clock): `similarity --incremental` recomputes users stamped after its version read the graph.
// @param users LIST<{handle: INTEGER, views: LIST<{course: STRING, dates: LIST<STRING>, secs: LIST<INTEGER>, seconds: INTEGER}>}>  dates YYYY-MM-DD, ascending, distinct; seconds the sum of secs
UNWIND $users AS row
MERGE (u:User {handle: toInteger(row.handle)})
SET u.changedAt = datetime()
WITH u, row
UNWIND row.views AS v
MATCH (c:Course {id: v.course})
CREATE (u)-[r:VIEWED]->(c)
SET r.viewDates = [d IN v.dates | date(d)],
    r.daySeconds = [s IN v.secs | toInteger(s)],
    r.days = size(v.dates),
    r.seconds = toInteger(v.seconds),
    r.firstViewed = date(v.dates[0]),
    r.lastViewed = date(v.dates[-1])
