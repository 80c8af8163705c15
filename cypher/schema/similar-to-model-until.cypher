// Lets clean-up find the SIMILAR_TO edges an incremental version ended (SIMILAR_TO.until) quickly; edges without
// `until` (most of them) are not in this index.
CREATE INDEX similar_to_model_until IF NOT EXISTS FOR ()-[s:SIMILAR_TO]-() ON (s.model, s.until)
