// One VersionLists node per model version and chunk (a version's lists in compact form, for incremental runs).
CREATE CONSTRAINT version_lists_key IF NOT EXISTS FOR (l:VersionLists) REQUIRE (l.model, l.version, l.chunk) IS UNIQUE
