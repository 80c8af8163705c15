// Node and relationship counts of the imported model (answered from the count store).
// @column users INTEGER
// @column courses INTEGER
// @column tags INTEGER
// @column authors INTEGER
// @column viewed INTEGER
// @column interested INTEGER
// @column assessed INTEGER
// @column tagged INTEGER
// @column authored INTEGER
RETURN COUNT { (:User) } AS users,
       COUNT { (:Course) } AS courses,
       COUNT { (:Tag) } AS tags,
       COUNT { (:Author) } AS authors,
       COUNT { ()-[:VIEWED]->() } AS viewed,
       COUNT { ()-[:INTERESTED_IN]->() } AS interested,
       COUNT { ()-[:ASSESSED]->() } AS assessed,
       COUNT { ()-[:TAGGED]->() } AS tagged,
       COUNT { ()-[:AUTHORED]->() } AS authored
