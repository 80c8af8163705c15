// One AlsFactors node per model version (what folding a user into that version needs).
CREATE CONSTRAINT als_factors_model_version IF NOT EXISTS FOR (f:AlsFactors) REQUIRE (f.model, f.version) IS UNIQUE
