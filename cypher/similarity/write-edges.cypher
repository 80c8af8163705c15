// Creates a batch of SIMILAR_TO edges of one model version: per row a user handle h, neighbour handles n and
// scores s. No rank is stored: readers order a list by score, then the neighbour's handle.
// @param rows LIST<{h: INTEGER, n: LIST<INTEGER>, s: LIST<FLOAT>}>
// @param model STRING
// @param version INTEGER
// @column edges INTEGER
UNWIND $rows AS row
MATCH (a:User {handle: row.h})
UNWIND range(0, size(row.n) - 1) AS j
MATCH (b:User {handle: row.n[j]})
CREATE (a)-[:SIMILAR_TO {model: $model, version: $version, score: row.s[j]}]->(b)
RETURN count(*) AS edges
