// After an import asked to bring forgotten users back (--include-forgotten): the users it imported are no longer
// forgotten.
// @column unforgotten INTEGER
MATCH (f:Forgotten)
WHERE EXISTS { MATCH (:User {handle: f.handle}) }
DELETE f
RETURN count(*) AS unforgotten
