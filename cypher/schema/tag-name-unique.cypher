// A tag is identified by its canonical name (see src/ingest/tags.ts).
CREATE CONSTRAINT tag_name IF NOT EXISTS FOR (t:Tag) REQUIRE t.name IS UNIQUE
