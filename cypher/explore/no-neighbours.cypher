// Users without a neighbour in a model's active version, with how much behaviour each has (why the model found nobody).
// :param model => 'interests'
// :param limit => 50
MATCH (m:SimilarityModel {name: $model})
MATCH (u:User)
WHERE NOT EXISTS {
  (u)-[s:SIMILAR_TO {model: $model}]->()
  WHERE coalesce(m.floor, m.version) <= s.version <= m.version AND (s.until IS NULL OR s.until > m.version)
}
RETURN u, u.handle AS handle,
       COUNT { (u)-[:INTERESTED_IN]->() } AS interests,
       COUNT { (u)-[:VIEWED]->() } AS coursesViewed,
       COUNT { (u)-[:ASSESSED]->() } AS assessments
ORDER BY interests + coursesViewed + assessments DESC, handle
LIMIT toInteger($limit)
