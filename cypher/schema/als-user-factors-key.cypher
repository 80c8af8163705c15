// One AlsUserFactors node per model version and chunk (the user factors the shards of a run read).
CREATE CONSTRAINT als_user_factors_key IF NOT EXISTS FOR (c:AlsUserFactors) REQUIRE (c.model, c.version, c.chunk) IS UNIQUE
