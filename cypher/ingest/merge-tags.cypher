// Creates Tag nodes by canonical name and adds the raw spellings not yet among their aliases (kept sorted).
// All right-hand sides of one SET see the values from before it, and nothing is read after a write: no Eager.
// @param tags LIST<{name: STRING, aliases: LIST<STRING>}>  name canonical; aliases the raw forms, distinct and sorted
UNWIND $tags AS t
MERGE (g:Tag {name: t.name})
ON CREATE SET g.aliases = t.aliases
ON MATCH SET g.aliases = reduce(acc = coalesce(g.aliases, []), a IN t.aliases |
    CASE WHEN a IN acc THEN acc ELSE [x IN acc WHERE x < a] + [a] + [x IN acc WHERE x > a] END)
