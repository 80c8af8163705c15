// Number of users (from the count store).
// @column n INTEGER
MATCH (u:User)
RETURN count(u) AS n
