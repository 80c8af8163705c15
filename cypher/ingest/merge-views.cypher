// Adds daily views to one VIEWED edge per (user, course). A day already on the edge is left as it is, so
// re-importing changes nothing; new days are inserted in date order. The courses exist (merge-courses runs
// first in the same transaction). Every right-hand side of ON MATCH SET sees the edge as it was: no Eager.
// Stamps u.changedAt (the database's clock): `similarity --incremental` recomputes users stamped after its version read the graph.
// @param users LIST<{handle: INTEGER, views: LIST<{course: STRING, dates: LIST<STRING>, secs: LIST<INTEGER>}>}>  dates YYYY-MM-DD, ascending, distinct
UNWIND $users AS row
MERGE (u:User {handle: toInteger(row.handle)})
SET u.changedAt = datetime()
WITH u, row
UNWIND row.views AS v
MATCH (c:Course {id: v.course})
WITH u, c, [i IN range(0, size(v.dates) - 1) | {d: date(v.dates[i]), s: toInteger(v.secs[i])}] AS incoming
MERGE (u)-[r:VIEWED]->(c)
ON CREATE SET
  r.viewDates = [p IN incoming | p.d],
  r.daySeconds = [p IN incoming | p.s],
  r.days = size(incoming),
  r.seconds = reduce(total = 0, p IN incoming | total + p.s),
  r.firstViewed = incoming[0].d,
  r.lastViewed = incoming[-1].d
ON MATCH SET
  r.viewDates = reduce(acc = r.viewDates, p IN incoming |
    CASE WHEN p.d IN acc THEN acc ELSE [d IN acc WHERE d < p.d] + [p.d] + [d IN acc WHERE d > p.d] END),
  r.daySeconds = [x IN reduce(acc = [i IN range(0, size(r.viewDates) - 1) | {d: r.viewDates[i], s: r.daySeconds[i]}],
      p IN [p IN incoming WHERE NOT p.d IN r.viewDates] |
      [x IN acc WHERE x.d < p.d] + [p] + [x IN acc WHERE x.d > p.d]) | x.s],
  r.days = r.days + size([p IN incoming WHERE NOT p.d IN r.viewDates]),
  r.seconds = r.seconds + reduce(total = 0, p IN incoming | total + CASE WHEN p.d IN r.viewDates THEN 0 ELSE p.s END),
  r.firstViewed = CASE WHEN incoming[0].d < r.firstViewed THEN incoming[0].d ELSE r.firstViewed END,
  r.lastViewed = CASE WHEN incoming[-1].d > r.lastViewed THEN incoming[-1].d ELSE r.lastViewed END
