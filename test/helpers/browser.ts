// Headless Chromium for the end-to-end tests: Debian's package driven by playwright-core (no browser download).
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { Graph } from '../../src/graph/executor';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts headless Chromium; fails with the way to install it when Debian's package is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`expected Debian's chromium at ${CHROMIUM_PATH}, found nothing: run scripts/ensure-chromium.sh`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}

/** One user of the small graph the browser tests draw. */
export interface FixtureUser {
  handle: number;
  interests: string[];
  courses: string[];
  skills: string[];
}

export interface FixtureEdge {
  from: number;
  to: number;
  score: number;
  rank: number;
}

// JavaScript numbers reach Neo4j as floats: the statements below turn handles, ranks and versions into integers.
// Three communities (data, operations, web) and one user with no behaviour at all.
export const FIXTURE_USERS: readonly FixtureUser[] = [
  {
    handle: 110,
    interests: ['python', 'sql', 'machine-learning', 'statistics'],
    courses: ['py-intro', 'ml-basics', 'sql-joins'],
    skills: ['python', 'sql'],
  },
  {
    handle: 120,
    interests: ['python', 'machine-learning', 'statistics'],
    courses: ['ml-basics', 'stats-101'],
    skills: ['python'],
  },
  { handle: 130, interests: ['python', 'sql', 'statistics'], courses: ['sql-joins', 'py-intro'], skills: ['sql'] },
  {
    handle: 140,
    interests: ['machine-learning', 'python', 'aws'],
    courses: ['ml-basics', 'aws-core'],
    skills: ['python'],
  },
  { handle: 150, interests: ['sql', 'statistics'], courses: ['sql-joins', 'stats-101'], skills: ['sql'] },
  {
    handle: 160,
    interests: ['python', 'machine-learning', 'docker'],
    courses: ['py-intro', 'docker-start'],
    skills: [],
  },
  { handle: 170, interests: ['statistics', 'machine-learning', 'r'], courses: ['stats-101', 'ml-basics'], skills: [] },
  {
    handle: 210,
    interests: ['docker', 'kubernetes', 'linux'],
    courses: ['docker-start', 'k8s-core'],
    skills: ['linux'],
  },
  { handle: 220, interests: ['docker', 'aws', 'linux'], courses: ['docker-start', 'aws-core'], skills: ['linux'] },
  { handle: 230, interests: ['kubernetes', 'aws', 'linux', 'python'], courses: ['k8s-core', 'aws-core'], skills: [] },
  { handle: 310, interests: ['react', 'javascript', 'css'], courses: ['react-hooks'], skills: ['javascript'] },
  {
    handle: 320,
    interests: ['javascript', 'typescript', 'react'],
    courses: ['react-hooks', 'ts-basics'],
    skills: ['javascript'],
  },
  { handle: 330, interests: ['css', 'javascript'], courses: ['css-grid'], skills: [] },
  { handle: 999, interests: [], courses: [], skills: [] },
];

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/** Top-k neighbours of every fixture user by Jaccard overlap of the given item sets (ties by handle). */
export function fixtureEdges(items: (u: FixtureUser) => readonly string[], k: number): FixtureEdge[] {
  const sets = FIXTURE_USERS.map((u) => ({ handle: u.handle, set: new Set(items(u)) }));
  return sets.flatMap((a) =>
    sets
      .filter((b) => b.handle !== a.handle)
      .map((b) => ({ to: b.handle, score: Math.round(jaccard(a.set, b.set) * 10_000) / 10_000 }))
      .filter((e) => e.score > 0)
      .sort((x, y) => y.score - x.score || x.to - y.to)
      .slice(0, k)
      .map((e, i) => ({ from: a.handle, to: e.to, score: e.score, rank: i + 1 })),
  );
}

export const FIXTURE_K = 5;
export const interestEdges = (): FixtureEdge[] => fixtureEdges((u) => u.interests, FIXTURE_K);
export const cosineEdges = (): FixtureEdge[] =>
  fixtureEdges((u) => [...u.interests.map((t) => `t:${t}`), ...u.courses.map((c) => `c:${c}`)], FIXTURE_K);
/** An edge of the superseded interests version 1: readers must never show it. */
export const STALE_EDGE: FixtureEdge = { from: 110, to: 310, score: 0.99, rank: 1 };

const WRITE_USERS = `
UNWIND $users AS u
MERGE (user:User {handle: toInteger(u.handle)})
WITH user, u
CALL (user, u) {
  UNWIND range(0, size(u.interests) - 1) AS i
  WITH user, u.interests[i] AS name, localdatetime('2024-01-01T09:00:00') + duration({days: 10 - i}) AS at
  MERGE (t:Tag {name: name})
  MERGE (user)-[r:INTERESTED_IN]->(t)
  SET r.followedAt = at, r.lastFollowedAt = at, r.follows = 1, r.followTimes = [at]
}
CALL (user, u) {
  UNWIND u.courses AS id
  MERGE (c:Course {id: id}) ON CREATE SET c.level = 'Beginner'
  MERGE (user)-[v:VIEWED]->(c)
  SET v.seconds = 600 + size(id) * 60, v.days = 2, v.firstViewed = date('2024-02-01'), v.lastViewed = date('2024-02-02')
}
CALL (user, u) {
  UNWIND u.skills AS name
  MERGE (t:Tag {name: name})
  CREATE (user)-[:ASSESSED {score: 150 + size(name) * 5, takenAt: localdatetime('2024-03-01T10:00:00')}]->(t)
}`;

const WRITE_EDGES = `
UNWIND $edges AS e
MATCH (a:User {handle: toInteger(e.from)}), (b:User {handle: toInteger(e.to)})
CREATE (a)-[:SIMILAR_TO {model: $model, version: toInteger($version), score: toFloat(e.score), rank: toInteger(e.rank)}]->(b)`;

const WRITE_MODEL = `
MERGE (m:SimilarityModel {name: $name})
SET m.version = toInteger($version), m.trainedAt = datetime('2024-04-01T12:00:00Z'), m.params = '{"k":5}', m.metrics = '{}',
    m.users = toInteger($users), m.edges = toInteger($edges), m.writing = null`;

/** Writes the fixture graph: interests (active version 2, with a stale version-1 edge) and cosine (version 1). */
export async function writeNeighbourhoodFixture(graph: Graph): Promise<void> {
  await graph.write(WRITE_USERS, { users: FIXTURE_USERS.map((u) => ({ ...u })) });
  const models = [
    { name: 'interests', version: 2, edges: interestEdges() },
    { name: 'cosine', version: 1, edges: cosineEdges() },
  ];
  for (const m of models) {
    await graph.write(WRITE_EDGES, { model: m.name, version: m.version, edges: m.edges.map((e) => ({ ...e })) });
    await graph.write(WRITE_MODEL, {
      name: m.name,
      version: m.version,
      users: new Set(m.edges.map((e) => e.from)).size,
      edges: m.edges.length,
    });
  }
  await graph.write(WRITE_EDGES, { model: 'interests', version: 1, edges: [{ ...STALE_EDGE }] });
}
