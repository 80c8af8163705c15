// One SignalNames node per read (what completes a read's stored signal rows).
CREATE CONSTRAINT signal_names_key IF NOT EXISTS FOR (n:SignalNames) REQUIRE n.asOf IS UNIQUE
