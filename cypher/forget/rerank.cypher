// Renumbers the lists that lost a neighbour, so ranks run 1..n again: each list is a user's edges of one model
// written by one version (full or incremental), whether or not a later version ended it.
// @param holders LIST<{handle: INTEGER, model: STRING, version: INTEGER}>
// @column lists INTEGER  lists renumbered
UNWIND $holders AS h
MATCH (a:User {handle: h.handle})-[s:SIMILAR_TO]->(:User)
WHERE s.model = h.model AND s.version = h.version
WITH a, h, s
ORDER BY s.rank
WITH a, h, collect(s) AS edges
FOREACH (i IN range(0, size(edges) - 1) | SET (edges[i]).rank = i + 1)
RETURN count(*) AS lists
