// One ImportRun node per import run (the bookkeeping of imports: started, completed, files, counts).
CREATE CONSTRAINT import_run_id IF NOT EXISTS FOR (r:ImportRun) REQUIRE r.id IS UNIQUE
