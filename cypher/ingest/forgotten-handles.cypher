// Handles of forgotten users (npm run forget): an import rejects their rows. Params: none. Columns: handles.
OPTIONAL MATCH (f:Forgotten)
RETURN collect(f.handle) AS handles
