// Which of $handles are users: one row per handle, in the order given.
// @param handles LIST<INTEGER>
// @column handle INTEGER
// @column found BOOLEAN
UNWIND $handles AS h
OPTIONAL MATCH (u:User {handle: h})
RETURN h AS handle, u IS NOT NULL AS found
