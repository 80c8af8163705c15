// Number of users (from the count store).
// Params: none. Columns: n.
MATCH (u:User)
RETURN count(u) AS n
