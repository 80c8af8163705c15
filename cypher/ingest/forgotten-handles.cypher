// Handles of forgotten users (npm run forget): an import rejects their rows.
// @column handles LIST<INTEGER>
OPTIONAL MATCH (f:Forgotten)
RETURN collect(f.handle) AS handles
