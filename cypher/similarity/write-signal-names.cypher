// Completes the signal rows stored at $asOf: the tag and course names in column order, and which signals were
// stored. Written after every chunk, so a SignalNames node means its rows are whole.
// @param asOf STRING
// @param tags LIST<STRING>
// @param courses LIST<STRING>
// @param signals LIST<STRING>
// @column asOf STRING
MERGE (n:SignalNames {asOf: $asOf})
SET n.tags = $tags,
  n.courses = $courses,
  n.signals = $signals,
  n.writtenAt = datetime()
RETURN n.asOf AS asOf
