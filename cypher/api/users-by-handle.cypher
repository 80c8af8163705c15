// Which of $handles are users: one row per handle, in the order given.
// Params: $handles LIST<INTEGER>. Columns: handle, found.
UNWIND $handles AS h
OPTIONAL MATCH (u:User {handle: h})
RETURN h AS handle, u IS NOT NULL AS found
