// A small, fully known graph for the API tests: users, tags, courses, two versions of SIMILAR_TO (one stale).
import type { Graph } from '../../src/graph/executor';

export const USERS = 60;
export const TAGS = ['python', 'java', 'sql', 'react', 'docker', 'kubernetes'];
export const COURSES = ['py-basics', 'java-core', 'sql-joins', 'react-hooks', 'docker-intro'];

/** Cosine neighbours of user h (active version 2): the next ten handles, wrapping around, rank 1 first. */
export function cosineNeighbours(h: number): { handle: number; score: number; rank: number }[] {
  return Array.from({ length: 10 }, (_x, i) => ({
    handle: ((h - 1 + i + 1) % USERS) + 1,
    score: 0.95 - i * 0.05 + 0.000049,
    rank: i + 1,
  }));
}

/**
 * Users 1..60. User h follows tags h%6 and (h+1)%6, watched courses h%5 (h*100 s) and (h+2)%5, took an assessment
 * on tag h%6 (score 100 + h). Models: cosine v2 active (v1 stale edges still present), interests v1 active with
 * 3 neighbours for user 1 only, als being written (no active version).
 */
export async function seedApiGraph(graph: Graph): Promise<void> {
  const handles = Array.from({ length: USERS }, (_x, i) => i + 1);
  await graph.write('UNWIND $tags AS t MERGE (:Tag {name: t})', { tags: TAGS });
  await graph.write(
    "UNWIND range(0, size($courses) - 1) AS i MERGE (c:Course {id: $courses[i]}) SET c.level = ['Beginner', 'Intermediate', 'Advanced'][i % 3]",
    { courses: COURSES },
  );
  await graph.write(
    `UNWIND $handles AS h0
     WITH toInteger(h0) AS h
     MERGE (u:User {handle: h})
     WITH u, h
     MATCH (t1:Tag {name: $tags[h % 6]}), (t2:Tag {name: $tags[(h + 1) % 6]})
     MERGE (u)-[i1:INTERESTED_IN]->(t1) SET i1.followedAt = localdatetime('2020-01-01T10:00:00') + duration({days: h}), i1.lastFollowedAt = i1.followedAt
     MERGE (u)-[i2:INTERESTED_IN]->(t2) SET i2.followedAt = localdatetime('2019-01-01T10:00:00'), i2.lastFollowedAt = i2.followedAt
     WITH u, h
     MATCH (c1:Course {id: $courses[h % 5]}), (c2:Course {id: $courses[(h + 2) % 5]})
     MERGE (u)-[v1:VIEWED]->(c1) SET v1.seconds = h * 100, v1.days = 2
     MERGE (u)-[v2:VIEWED]->(c2) SET v2.seconds = 60, v2.days = 1
     WITH u, h
     MATCH (t:Tag {name: $tags[h % 6]})
     CREATE (u)-[:ASSESSED {score: 100 + h, takenAt: localdatetime('2021-03-04T05:06:07')}]->(t)`,
    { handles, tags: TAGS, courses: COURSES },
  );
  const cosine = handles.flatMap((h) => cosineNeighbours(h).map((n) => ({ from: h, ...n })));
  // The stale version points elsewhere with higher scores: readers must never see it.
  const stale = handles.flatMap((h) =>
    Array.from({ length: 10 }, (_x, i) => ({ from: h, handle: ((h + 29 + i) % USERS) + 1, score: 0.99, rank: i + 1 })),
  );
  const writeEdges = (edges: object[], model: string, version: number) =>
    graph.write(
      `UNWIND $edges AS e
       MATCH (a:User {handle: toInteger(e.from)}), (b:User {handle: toInteger(e.handle)})
       CREATE (a)-[:SIMILAR_TO {model: $model, version: toInteger($version), score: e.score, rank: toInteger(e.rank)}]->(b)`,
      { edges, model, version },
    );
  await writeEdges(cosine, 'cosine', 2);
  await writeEdges(stale, 'cosine', 1);
  await writeEdges(
    [
      { from: 1, handle: 7, score: 0.8, rank: 1 },
      { from: 1, handle: 13, score: 0.7, rank: 2 },
      { from: 1, handle: 2, score: 0.5, rank: 3 },
    ],
    'interests',
    1,
  );
  await writeEdges([{ from: 1, handle: 3, score: 0.9, rank: 1 }], 'als', 1);
  await graph.write(
    `CREATE (:SimilarityModel {name: 'cosine', version: 2, trainedAt: datetime('2026-11-21T12:00:00Z'),
       params: '{"k":10,"blocks":["interests","course_views","assessments"]}', metrics: '{"precisionAt10":0.42}',
       users: toInteger($users), edges: toInteger($edges), validation: 0.19, default: true})
     CREATE (:SimilarityModel {name: 'interests', version: 1, trainedAt: datetime('2026-11-21T11:00:00Z'),
       params: '{"k":10}', metrics: '{}', users: 1, edges: 3, validation: 0.07, default: false})
     CREATE (:SimilarityModel {name: 'als', writing: 1, params: '{"factors":32}'})`,
    { users: USERS, edges: cosine.length },
  );
}

/** Removes the SimilarityModel nodes, so that no model has an active version (readyz must fail). */
export async function dropModels(graph: Graph): Promise<void> {
  await graph.write('MATCH (m:SimilarityModel) DETACH DELETE m');
}
