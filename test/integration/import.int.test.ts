// The importer against a real Neo4j: hand-written fixtures import to exact values, re-imports change nothing,
// .csv.gz reads the same, and a second data set adds to the first without corrupting it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import neo4j from 'neo4j-driver';
import { importCommand } from '../../src/cli/commands/import';
import type { Graph } from '../../src/graph/executor';
import { Importer, type ImportReport } from '../../src/ingest/importer';
import { findTables } from '../../src/ingest/reader';
import { silentLogger } from '../../src/log';
import { resetGraph, testGraph } from '../helpers/neo4j';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'import');
let graph: Graph;
let work: string;

/** Copies a fixture set to a scratch folder (the default rejects file is written beside the data). */
function copyFixture(name: string, gzip = false): string {
  const dir = fs.mkdtempSync(path.join(work, `${name}-`));
  for (const f of fs.readdirSync(path.join(FIXTURES, name))) {
    const text = fs.readFileSync(path.join(FIXTURES, name, f));
    if (gzip) fs.writeFileSync(path.join(dir, `${f}.gz`), zlib.gzipSync(text));
    else fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

async function importDir(dir: string, batchSize = 10_000, writers?: number): Promise<ImportReport> {
  const devNull = fs.createWriteStream('/dev/null') as unknown as NodeJS.WriteStream;
  const importer = new Importer(graph, {
    batchSize,
    ...(writers !== undefined ? { writers } : {}),
    rejectsPath: path.join(dir, 'import-rejects.csv'),
    log: silentLogger,
    progressStream: devNull,
  });
  return importer.run(findTables(dir));
}

/** Driver temporals as ISO strings, maps with sorted keys: a plain, comparable picture of a value. */
function plain(v: unknown): unknown {
  if (neo4j.isDate(v) || neo4j.isLocalDateTime(v)) return String(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, plain((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

interface Dump {
  nodes: Record<string, unknown[]>;
  rels: Record<string, unknown[]>;
}

/** Every node and relationship with all its properties, sorted, for exact comparison. */
async function dump(): Promise<Dump> {
  const nodes = await graph.read<{ label: string; props: unknown }>(
    // ImportRun nodes are the import's bookkeeping (tested in import-recovery), not imported data.
    'MATCH (n) WHERE NOT n:ImportRun RETURN labels(n)[0] AS label, properties(n) AS props',
  );
  const rels = await graph.read<{ type: string; from: unknown; to: unknown; props: unknown }>(
    `MATCH (a)-[r]->(b)
     RETURN type(r) AS type, coalesce(a.handle, a.id, a.name) AS from, coalesce(b.id, b.name) AS to, properties(r) AS props`,
  );
  const out: Dump = { nodes: {}, rels: {} };
  const key = (x: unknown) => JSON.stringify(x);
  for (const n of nodes) {
    // A user's changedAt is the import's clock (for similarity --incremental), not data read from the files.
    const { changedAt, ...props } = n.props as Record<string, unknown>;
    if (n.label === 'User') expect(changedAt).toBeDefined();
    (out.nodes[n.label] ??= []).push(plain(n.label === 'User' ? props : n.props));
  }
  for (const r of rels) (out.rels[r.type] ??= []).push({ from: r.from, to: r.to, ...(plain(r.props) as object) });
  for (const list of [...Object.values(out.nodes), ...Object.values(out.rels)]) {
    list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  return out;
}

const sortBy = <T>(list: T[]) => list.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** What the basic fixture must become, written out by hand from its CSV files. */
const BASIC: Dump = {
  nodes: {
    Author: [{ handle: 281 }, { handle: 795 }, { handle: 875 }],
    Course: sortBy([
      { id: 'blank-course', level: 'Advanced' },
      { id: 'cloud-intro' },
      { id: 'csharp-fundamentals', level: 'Beginner' },
      { id: 'python-getting-started', level: 'Intermediate' },
      { id: 'unlisted-course', level: 'Beginner' },
    ]),
    Tag: sortBy([
      { name: 'c#', aliases: ['C-Sharp', 'c#', 'c-sharp', 'csharp'] },
      { name: 'cloud-computing', aliases: ['Cloud-computing'] },
      { name: 'data-analysis', aliases: ['data-analysis'] },
      { name: 'javascript', aliases: ['javascript'] },
      { name: 'python', aliases: ['python'] },
    ]),
    User: [{ handle: 1 }, { handle: 2 }, { handle: 3 }, { handle: 4 }],
  },
  rels: {
    ASSESSED: sortBy([
      { from: 1, to: 'c#', score: 0, takenAt: '2017-08-01T10:00:00' },
      { from: 4, to: 'c#', score: 143, takenAt: '2017-11-28T19:34:32' },
      { from: 4, to: 'c#', score: 150, takenAt: '2017-11-29T09:00:00' },
      { from: 4, to: 'python', score: 298, takenAt: '2016-07-13T15:30:44' },
    ]),
    AUTHORED: sortBy([
      { from: 281, to: 'blank-course' },
      { from: 281, to: 'python-getting-started' },
      { from: 795, to: 'unlisted-course' },
      { from: 875, to: 'csharp-fundamentals' },
    ]),
    INTERESTED_IN: sortBy([
      {
        from: 1,
        to: 'c#',
        followTimes: ['2017-06-27T16:26:52', '2017-06-27T16:27:34'],
        followedAt: '2017-06-27T16:26:52',
        follows: 2,
        lastFollowedAt: '2017-06-27T16:27:34',
      },
      {
        from: 1,
        to: 'python',
        followTimes: ['2017-06-27T16:26:52', '2017-06-27T16:27:34'],
        followedAt: '2017-06-27T16:26:52',
        follows: 2,
        lastFollowedAt: '2017-06-27T16:27:34',
      },
      {
        from: 3,
        to: 'c#',
        followTimes: ['2017-10-24T14:57:41'],
        followedAt: '2017-10-24T14:57:41',
        follows: 1,
        lastFollowedAt: '2017-10-24T14:57:41',
      },
      {
        from: 3,
        to: 'javascript',
        followTimes: ['2017-10-24T14:57:41'],
        followedAt: '2017-10-24T14:57:41',
        follows: 1,
        lastFollowedAt: '2017-10-24T14:57:41',
      },
    ]),
    TAGGED: sortBy([
      { from: 'cloud-intro', to: 'cloud-computing' },
      { from: 'csharp-fundamentals', to: 'c#' },
      { from: 'python-getting-started', to: 'data-analysis' },
      { from: 'python-getting-started', to: 'python' },
    ]),
    VIEWED: sortBy([
      {
        from: 1,
        to: 'csharp-fundamentals',
        daySeconds: [3786, 1098, 553],
        days: 3,
        firstViewed: '2017-06-27',
        lastViewed: '2017-07-27',
        seconds: 5437,
        viewDates: ['2017-06-27', '2017-06-28', '2017-07-27'],
      },
      {
        from: 1,
        to: 'python-getting-started',
        daySeconds: [4406],
        days: 1,
        firstViewed: '2017-06-28',
        lastViewed: '2017-06-28',
        seconds: 4406,
        viewDates: ['2017-06-28'],
      },
      {
        from: 2,
        to: 'blank-course',
        daySeconds: [0],
        days: 1,
        firstViewed: '2017-09-12',
        lastViewed: '2017-09-12',
        seconds: 0,
        viewDates: ['2017-09-12'],
      },
      {
        from: 2,
        to: 'unlisted-course',
        daySeconds: [102],
        days: 1,
        firstViewed: '2017-09-12',
        lastViewed: '2017-09-12',
        seconds: 102,
        viewDates: ['2017-09-12'],
      },
    ]),
  },
};

beforeAll(async () => {
  graph = testGraph();
  await resetGraph(graph);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'import-test-'));
});

afterAll(async () => {
  await graph.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('the basic fixture', () => {
  let dir: string;
  let first: ImportReport;

  beforeAll(async () => {
    await resetGraph(graph);
    dir = copyFixture('basic');
    first = await importDir(dir);
  });

  test('imports to exactly the nodes, relationships and properties written in the CSV files', async () => {
    expect(await dump()).toEqual(BASIC);
  });

  test('stores handles, seconds and scores as integers, dates as DATE and times as LOCAL DATETIME', async () => {
    const [row] = await graph.read(
      `MATCH (u:User {handle: 1})-[v:VIEWED]->(:Course {id: 'csharp-fundamentals'}),
             (u)-[i:INTERESTED_IN]->(:Tag {name: 'c#'}), (u)-[a:ASSESSED]->()
       RETURN valueType(u.handle) AS handle, valueType(v.seconds) AS seconds, valueType(v.viewDates) AS viewDates,
              valueType(v.daySeconds) AS daySeconds, valueType(v.firstViewed) AS firstViewed,
              valueType(i.followTimes) AS followTimes, valueType(i.followedAt) AS followedAt,
              valueType(a.score) AS score, valueType(a.takenAt) AS takenAt`,
    );
    expect(row).toEqual({
      handle: 'INTEGER NOT NULL',
      seconds: 'INTEGER NOT NULL',
      viewDates: 'LIST<DATE NOT NULL> NOT NULL',
      daySeconds: 'LIST<INTEGER NOT NULL> NOT NULL',
      firstViewed: 'DATE NOT NULL',
      followTimes: 'LIST<LOCAL DATETIME NOT NULL> NOT NULL',
      followedAt: 'LOCAL DATETIME NOT NULL',
      score: 'INTEGER NOT NULL',
      takenAt: 'LOCAL DATETIME NOT NULL',
    });
  });

  test('reconciles every file: read = imported + duplicates + rejected', () => {
    expect(
      first.files.map(({ file, read, imported, duplicates, rejected, blankTags }) => ({
        file,
        read,
        imported,
        duplicates,
        rejected,
        blankTags,
      })),
    ).toEqual([
      { file: 'course_tags.csv', read: 6, imported: 6, duplicates: 0, rejected: 0, blankTags: 1 },
      { file: 'user_course_views.csv', read: 7, imported: 6, duplicates: 1, rejected: 0, blankTags: 0 },
      { file: 'user_interests.csv', read: 7, imported: 6, duplicates: 1, rejected: 0, blankTags: 0 },
      { file: 'user_assessment_scores.csv', read: 4, imported: 4, duplicates: 0, rejected: 0, blankTags: 0 },
    ]);
    expect(first.counts).toEqual({
      users: 4,
      courses: 5,
      tags: 5,
      authors: 3,
      viewed: 4,
      interested: 4,
      assessed: 4,
      tagged: 4,
      authored: 4,
    });
  });

  test('importing the same files again changes nothing', async () => {
    const before = await dump();
    const again = await importDir(dir);
    expect(await dump()).toEqual(before);
    expect(again.counts).toEqual(first.counts);
  });

  test('a batch size of one row (a write per user) gives the same graph', async () => {
    await resetGraph(graph);
    await importDir(dir, 1);
    expect(await dump()).toEqual(BASIC);
  });

  test("a user's rows split over several batches merge into one edge per course", async () => {
    await resetGraph(graph);
    const split = copyFixture('basic');
    const days = ['2017-09-13', '2017-09-14', '2017-09-15', '2017-09-16', '2017-09-17', '2017-09-18'];
    fs.appendFileSync(
      path.join(split, 'user_course_views.csv'),
      days.map((d, i) => `2,${d},blank-course,281,Advanced,${i + 1}\n`).join(''),
    );
    fs.appendFileSync(path.join(split, 'user_interests.csv'), days.map((d) => `3,javascript,${d} 00:00:00\n`).join(''));
    // User 3's attempts, the first repeated at the end: created by the first write, merged by the second.
    fs.appendFileSync(
      path.join(split, 'user_assessment_scores.csv'),
      [...days, days[0]].map((d, i) => `3,python,${d} 08:00:00,${100 + (i % days.length)}\n`).join(''),
    );
    // Batches of one row keep a user's rows together only up to 4 rows: user 2's 8 rows go in 2 writes.
    await importDir(split, 1);
    const [row] = await graph.read(
      `MATCH (:User {handle: 2})-[v:VIEWED]->(:Course {id: 'blank-course'})
       MATCH (:User {handle: 3})-[i:INTERESTED_IN]->(:Tag {name: 'javascript'})
       RETURN v.days AS days, v.seconds AS seconds, v.daySeconds AS daySeconds, toString(v.lastViewed) AS last,
              i.follows AS follows, toString(i.followedAt) AS firstFollowed,
              toString(i.lastFollowedAt) AS lastFollowed, [t IN i.followTimes | toString(t)][0..2] AS times,
              COUNT { (:User {handle: 2})-[:VIEWED]->(:Course {id: 'blank-course'}) } AS edges`,
    );
    expect(row).toEqual({
      days: 7,
      seconds: 21,
      daySeconds: [0, 1, 2, 3, 4, 5, 6],
      last: '2017-09-18',
      follows: 7,
      // The earlier times of the second write are inserted before the one already there.
      firstFollowed: '2017-09-13T00:00:00',
      lastFollowed: '2017-10-24T14:57:41',
      times: ['2017-09-13T00:00:00', '2017-09-14T00:00:00'],
      edges: 1,
    });
    const attempts = await graph.read<{ at: string; score: number }>(
      `MATCH (:User {handle: 3})-[a:ASSESSED]->(:Tag {name: 'python'})
       RETURN toString(a.takenAt) AS at, a.score AS score ORDER BY at`,
    );
    expect(attempts).toEqual(days.map((d, i) => ({ at: `${d}T08:00:00`, score: 100 + i })));
  });

  test('an ungrouped file written by 4 transactions at once gives the graph one writer gives', async () => {
    const mixed = copyFixture('basic');
    // Rows in day order, not grouped by user: with batches of 3 rows, the batches of a user's first and second day
    // are in flight together, and so are the batch that first meets a course or tag and the next one that views
    // or follows it. Without the write queue's rules the second of each pair misses what the first is writing.
    const views: string[] = [];
    const follows: string[] = [];
    for (let day = 1; day <= 3; day++) {
      const date = `2017-10-0${day}`;
      for (let u = 100; u < 106; u++) views.push(`${u},${date},csharp-fundamentals,875,Beginner,${u + day}`);
      for (let u = 100; u < 106; u++) follows.push(`${u},python,${date} 10:00:00`);
    }
    for (let day = 1; day <= 3; day++) {
      const date = `2017-10-0${day}`;
      for (let k = 0; k < 3; k++) {
        for (let u = 200; u < 206; u++) views.push(`${u},${date},new-course-${day}-${k},${900 + k},Advanced,${u}`);
        for (let u = 200; u < 206; u++) follows.push(`${u},new-topic-${day}-${k},${date} 11:00:00`);
      }
    }
    fs.appendFileSync(path.join(mixed, 'user_course_views.csv'), `${views.join('\n')}\n`);
    fs.appendFileSync(path.join(mixed, 'user_interests.csv'), `${follows.join('\n')}\n`);
    await resetGraph(graph);
    const one = await importDir(mixed, 3, 1);
    const serial = await dump();
    await resetGraph(graph);
    const four = await importDir(mixed, 3, 4);
    const [row] = await graph.read(
      `RETURN COUNT { (u:User)-[v:VIEWED]->(:Course {id: 'csharp-fundamentals'}) WHERE u.handle >= 100 AND v.days = 3 } AS threeDays,
              COUNT { (u:User)-[v:VIEWED]->(:Course) WHERE u.handle >= 100 } AS viewed,
              COUNT { (u:User)-[i:INTERESTED_IN]->(:Tag) WHERE u.handle >= 100 } AS followed`,
    );
    // 6 users x 1 course on 3 days, one edge each; 6 users x 9 new courses and 6 x 9 new tags.
    expect(row).toEqual({ threeDays: 6, viewed: 6 + 54, followed: 6 + 54 });
    expect(await dump()).toEqual(serial);
    expect(four.counts).toEqual(one.counts);
  });

  test('.csv.gz files import to the same graph', async () => {
    await resetGraph(graph);
    const gz = copyFixture('basic', true);
    expect(findTables(gz).map((f) => f.name)).toContain('user_course_views.csv.gz');
    const report = await importDir(gz);
    expect(report.files.map((f) => f.read)).toEqual([6, 7, 7, 4]);
    expect(await dump()).toEqual(BASIC);
  });
});

describe('a second data set', () => {
  beforeAll(async () => {
    await resetGraph(graph);
    await importDir(copyFixture('basic'));
    await importDir(copyFixture('second'));
  });

  test('adds its rows and leaves what the first set wrote as it was', async () => {
    const d = await dump();
    // New users, course, tag and author appear.
    expect(d.nodes.User).toEqual([{ handle: 1 }, { handle: 2 }, { handle: 3 }, { handle: 4 }, { handle: 5 }]);
    expect(d.nodes.Course).toContainEqual({ id: 'node-intro', level: 'Intermediate' });
    expect(d.nodes.Tag).toContainEqual({ name: 'nodejs', aliases: ['node-js', 'node.js'] });
    // A new earlier day is inserted in order; a day already imported keeps its first time (1098, not 9999).
    expect(d.rels.VIEWED).toContainEqual({
      from: 1,
      to: 'csharp-fundamentals',
      daySeconds: [10, 3786, 1098, 553],
      days: 4,
      firstViewed: '2017-06-26',
      lastViewed: '2017-07-27',
      seconds: 5447,
      viewDates: ['2017-06-26', '2017-06-27', '2017-06-28', '2017-07-27'],
    });
    // A known follow time is not counted twice; an earlier one moves followedAt.
    expect(d.rels.INTERESTED_IN).toContainEqual({
      from: 1,
      to: 'c#',
      followTimes: ['2017-06-26T08:00:00', '2017-06-27T16:26:52', '2017-06-27T16:27:34'],
      followedAt: '2017-06-26T08:00:00',
      follows: 3,
      lastFollowedAt: '2017-06-27T16:27:34',
    });
    // The same attempt with another score keeps the first score.
    expect(d.rels.ASSESSED).toContainEqual({ from: 4, to: 'c#', score: 143, takenAt: '2017-11-28T19:34:32' });
    expect(d.rels.ASSESSED).toContainEqual({ from: 5, to: 'nodejs', score: 120, takenAt: '2017-10-02T10:00:00' });
    expect(d.rels.TAGGED).toContainEqual({ from: 'node-intro', to: 'nodejs' });
    // Everything of the first set that the second does not touch is exactly as before.
    const touched = (r: { from?: unknown; to?: unknown }) =>
      (r.from === 1 && (r.to === 'csharp-fundamentals' || r.to === 'c#')) || r.from === 5 || r.to === 'nodejs';
    for (const type of Object.keys(BASIC.rels)) {
      const untouched = (BASIC.rels[type] ?? []).filter((r) => !touched(r as { from?: unknown; to?: unknown }));
      for (const r of untouched) expect(d.rels[type]).toContainEqual(r);
    }
    const [counts] = await graph.read('MATCH (n) WHERE NOT n:ImportRun RETURN count(n) AS n');
    expect(counts).toEqual({ n: 5 + 6 + 6 + 4 });
  });

  test('importing both sets again changes nothing', async () => {
    const before = await dump();
    await importDir(copyFixture('basic'));
    await importDir(copyFixture('second'));
    expect(await dump()).toEqual(before);
  });
});

describe('the import command', () => {
  let out = '';
  let err = '';

  beforeAll(() => {
    const uri = process.env.TEST_NEO4J_URI;
    const password = process.env.TEST_NEO4J_PASSWORD;
    if (uri === undefined || password === undefined) throw new Error('integration setup did not start Neo4j');
    process.env.NEO4J_URI = uri;
    process.env.NEO4J_PASSWORD = password;
  });

  async function run(argv: string[]): Promise<number> {
    out = '';
    err = '';
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    const e = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err += String(chunk);
      return true;
    });
    try {
      return await importCommand.run(argv);
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  test('prints the reconciled table and exits 0; other files in the folder are ignored', async () => {
    await resetGraph(graph);
    const dir = copyFixture('basic');
    const code = await run(['--data', dir, '--batch-size', '2']);
    expect(code).toBe(0);
    expect(out).toMatch(/course_tags\.csv\s+6\s+6\s+0\s+0\s+yes/);
    expect(out).toMatch(/user_course_views\.csv\s+7\s+6\s+1\s+0\s+yes/);
    expect(out).toMatch(/all files\s+24\s+22\s+2\s+0\s+yes/);
    expect(out).toContain('1 rows have a blank tag: those courses are imported without a tag (counted as imported)');
    expect(out).toContain(`No rows rejected (${path.join(dir, 'import-rejects.csv')}`);
    expect(err).toMatch(/user_interests\.csv: 7 rows/);
    expect(await dump()).toEqual(BASIC);
  });

  test('a wrong header is refused before anything is written, naming expected and found columns', async () => {
    await resetGraph(graph);
    const dir = copyFixture('bad-header');
    await expect(run(['--data', dir])).rejects.toThrow(
      /user_course_views\.csv: expected columns user_handle,view_date,course_id,author_handle,level,view_time_seconds but found user_handle,view_date,course,author_handle,level/,
    );
    const [row] = await graph.read('MATCH (n) RETURN count(n) AS n');
    expect(row).toEqual({ n: 0 });
    expect(fs.existsSync(path.join(dir, 'import-rejects.csv'))).toBe(false);
  });

  test('--writers outside 1..16 is refused before anything is written', async () => {
    await resetGraph(graph);
    const dir = copyFixture('basic');
    await expect(run(['--data', dir, '--writers', '0'])).rejects.toThrow(
      '--writers: expected an integer 1..16, got "0"',
    );
    await expect(run(['--data', dir, '--writers', 'two'])).rejects.toThrow('got "two"');
    expect((await graph.read('MATCH (u:User) RETURN count(u) AS n'))[0]).toEqual({ n: 0 });
  });

  test('a missing table is refused by name', async () => {
    const dir = copyFixture('basic');
    fs.rmSync(path.join(dir, 'user_interests.csv'));
    await expect(run(['--data', dir])).rejects.toThrow(/user_interests\.csv \(or \.csv\.gz\) is missing/);
  });
});
