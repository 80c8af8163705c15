// Node and relationship counts of the imported model (answered from the count store).
// Columns: users, courses, tags, authors, viewed, interested, assessed, tagged, authored
RETURN COUNT { (:User) } AS users,
       COUNT { (:Course) } AS courses,
       COUNT { (:Tag) } AS tags,
       COUNT { (:Author) } AS authors,
       COUNT { ()-[:VIEWED]->() } AS viewed,
       COUNT { ()-[:INTERESTED_IN]->() } AS interested,
       COUNT { ()-[:ASSESSED]->() } AS assessed,
       COUNT { ()-[:TAGGED]->() } AS tagged,
       COUNT { ()-[:AUTHORED]->() } AS authored
