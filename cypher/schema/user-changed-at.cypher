// Lets `similarity --incremental` find the users an import touched since a version read the graph.
CREATE INDEX user_changed_at IF NOT EXISTS FOR (u:User) ON (u.changedAt)
