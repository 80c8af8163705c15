// Lets readers and clean-up find the SIMILAR_TO edges of one model version quickly.
CREATE INDEX similar_to_model_version IF NOT EXISTS FOR ()-[s:SIMILAR_TO]-() ON (s.model, s.version)
