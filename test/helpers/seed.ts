// A small graph for the tests of fresh answers (live lists, forgotten users): written straight in Cypher, every model
// computed on it with quick settings.
import type { Graph } from '../../src/graph/executor';
import { SimilarityJob } from '../../src/jobs/jobs';
import { defaultParams } from '../../src/jobs/models';
import { resetGraph } from './neo4j';

// 60 users over 6 tags and 10 courses; user h follows two tags and watches three courses, chosen by h.
const SMALL_GRAPH = `
UNWIND range(0, 5) AS i CREATE (:Tag {name: 't' + i})
WITH count(*) AS _
UNWIND range(0, 9) AS i CREATE (:Course {id: 'c' + i})
WITH count(*) AS _
UNWIND range(1, 60) AS h
CREATE (u:User {handle: h})
WITH u, h
MATCH (c:Course) WHERE c.id IN ['c' + (h % 10), 'c' + ((h * 3) % 10), 'c' + ((h * 7 + 1) % 10)]
CREATE (u)-[:VIEWED {seconds: 100 + (h * 37) % 900}]->(c)
WITH DISTINCT u, h
MATCH (t:Tag) WHERE t.name IN ['t' + (h % 6), 't' + ((h * 5 + 2) % 6)]
CREATE (u)-[:INTERESTED_IN]->(t)
`;

/**
 * Empties the database and writes the small graph (users 1..60), then computes interests, course_views, cosine and
 * als on it (no fit, one thread, 8 ALS factors over 4 iterations).
 */
export async function seedSmallGraph(admin: Graph): Promise<void> {
  await resetGraph(admin);
  await admin.write(SMALL_GRAPH);
  const p = defaultParams();
  p.threads = 1;
  p.fit.enabled = false;
  p.als.factors = 8;
  p.als.iterations = 4;
  await new SimilarityJob(admin, {
    models: ['interests', 'course_views', 'cosine', 'als'],
    params: p,
    graceMs: 0,
  }).run();
}

/** A user imported after the run, handle 9001, who copies user 12's follows and views: answered live. */
export async function addNewcomer(admin: Graph): Promise<void> {
  await admin.write(`
    MATCH (src:User {handle: 12})
    CREATE (n:User {handle: 9001})
    WITH src, n
    CALL (src, n) { MATCH (src)-[v:VIEWED]->(c:Course) CREATE (n)-[:VIEWED {seconds: v.seconds}]->(c) }
    CALL (src, n) { MATCH (src)-[:INTERESTED_IN]->(t:Tag) CREATE (n)-[:INTERESTED_IN]->(t) }
    RETURN n.handle AS handle
  `);
}
