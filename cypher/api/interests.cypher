// Tags followed by each of $handles (latest follow first), with each tag's follower count (document frequency);
// handles without interests give no row.
// @param handles LIST<INTEGER>
// @column handle INTEGER
// @column items LIST<{name: STRING, df: INTEGER}>
UNWIND $handles AS h
MATCH (u:User {handle: h})-[i:INTERESTED_IN]->(t:Tag)
WITH h, t, coalesce(i.lastFollowedAt, i.followedAt) AS at
ORDER BY h, at DESC, t.name
RETURN h AS handle, collect({name: t.name, df: COUNT { (t)<-[:INTERESTED_IN]-() }}) AS items
