// A forgotten handle is recorded once.
CREATE CONSTRAINT forgotten_handle_unique IF NOT EXISTS FOR (f:Forgotten) REQUIRE f.handle IS UNIQUE
