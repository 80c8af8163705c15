// One SimilarityModel node per model name; it records the active version.
CREATE CONSTRAINT similarity_model_name IF NOT EXISTS FOR (m:SimilarityModel) REQUIRE m.name IS UNIQUE
