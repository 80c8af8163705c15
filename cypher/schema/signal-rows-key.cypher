// One SignalRows node per read, signal and chunk (signal rows kept for incremental runs).
CREATE CONSTRAINT signal_rows_key IF NOT EXISTS FOR (r:SignalRows) REQUIRE (r.asOf, r.signal, r.chunk) IS UNIQUE
