// Lets readers and clean-up find the SIMILAR_TO edges of a model's versions quickly: one version, or the range
// floor..active that the active lists come from (a range seek).
CREATE INDEX similar_to_model_version IF NOT EXISTS FOR ()-[s:SIMILAR_TO]-() ON (s.model, s.version)
