// What two users share: common interests, courses both viewed, skills both assessed, and the active SIMILAR_TO edges between them.
// :param handle => 110
// :param other => 120
MATCH (a:User {handle: $handle}), (b:User {handle: $other})
RETURN a, b,
       COLLECT { MATCH p = (a)-[:INTERESTED_IN]->(:Tag)<-[:INTERESTED_IN]-(b) RETURN p } AS interests,
       COLLECT { MATCH p = (a)-[:VIEWED]->(:Course)<-[:VIEWED]-(b) RETURN p } AS courses,
       COLLECT {
         MATCH (a)-[:ASSESSED]->(t:Tag)<-[:ASSESSED]-(b)
         WITH DISTINCT t
         MATCH p = (a)-[:ASSESSED]->(t)<-[:ASSESSED]-(b)
         RETURN p
       } AS skills,
       COLLECT {
         MATCH (a)-[s:SIMILAR_TO]-(b)
         MATCH (m:SimilarityModel {name: s.model})
         WHERE coalesce(m.floor, m.version) <= s.version <= m.version AND (s.until IS NULL OR s.until > m.version)
         RETURN s
       } AS similarity
