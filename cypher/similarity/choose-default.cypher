// Marks the active model with the best validation recall@10 as the one served when a client names none
// (default: true) and every other model default: false; ties by name.
// @column name STRING?  null when no model is active
MATCH (m:SimilarityModel)
WITH m
ORDER BY m.version IS NOT NULL DESC, coalesce(m.validation, -1.0) DESC, m.name ASC
WITH collect(m) AS models
WITH models, CASE WHEN models[0].version IS NULL THEN null ELSE models[0] END AS best
FOREACH (x IN models | SET x.default = coalesce(x = best, false))
RETURN best.name AS name
