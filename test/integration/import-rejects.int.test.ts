// Bad input against a real Neo4j: malformed rows are listed with file, line and reason and create nothing;
// the counts reconcile; the acceptance check's three broken rows leave an imported graph unchanged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Graph } from '../../src/graph/executor';
import { Importer, type ImportReport } from '../../src/ingest/importer';
import { findTables } from '../../src/ingest/reader';
import { silentLogger } from '../../src/log';
import { resetGraph, testGraph } from '../helpers/neo4j';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'import');
let graph: Graph;
let work: string;

function copyFixture(name: string): string {
  const dir = fs.mkdtempSync(path.join(work, `${name}-`));
  for (const f of fs.readdirSync(path.join(FIXTURES, name))) {
    fs.copyFileSync(path.join(FIXTURES, name, f), path.join(dir, f));
  }
  return dir;
}

async function importDir(dir: string): Promise<ImportReport> {
  const devNull = fs.createWriteStream('/dev/null') as unknown as NodeJS.WriteStream;
  return new Importer(graph, {
    batchSize: 1000,
    rejectsPath: path.join(dir, 'import-rejects.csv'),
    log: silentLogger,
    progressStream: devNull,
  }).run(findTables(dir));
}

function rejectsOf(dir: string): { file: string; line: string; reason: string; row: string }[] {
  return parse(fs.readFileSync(path.join(dir, 'import-rejects.csv')), { columns: true });
}

async function counts(): Promise<unknown> {
  return (
    await graph.read(
      `MATCH (n) WHERE NOT n:ImportRun WITH count(n) AS nodes OPTIONAL MATCH ()-[r]->() RETURN nodes, count(r) AS rels`,
    )
  )[0];
}

beforeAll(() => {
  graph = testGraph();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'import-rejects-'));
});

afterAll(async () => {
  await graph.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('malformed rows', () => {
  let dir: string;
  let report: ImportReport;

  beforeAll(async () => {
    await resetGraph(graph);
    dir = copyFixture('rejects');
    report = await importDir(dir);
  });

  test('each is listed with file, 1-based physical line and reason', () => {
    const listed = rejectsOf(dir).map((r) => [r.file, Number(r.line), r.reason]);
    expect(listed).toEqual([
      ['course_tags.csv', 3, 'course_id: expected a course id, got nothing'],
      ['user_course_views.csv', 3, 'view_time_seconds: expected a whole number of seconds, got "notanumber"'],
      [
        'user_course_views.csv',
        4,
        'expected 6 columns (user_handle,view_date,course_id,author_handle,level,view_time_seconds), got 2',
      ],
      ['user_course_views.csv', 5, 'user_handle: expected a non-negative integer, got nothing'],
      // line 6 is blank: not a row
      ['user_course_views.csv', 7, 'view_date: expected a date YYYY-MM-DD, got "2017-13-01"'],
      ['user_course_views.csv', 8, 'view_time_seconds: expected a time >= 0 (negative time), got "-5"'],
      ['user_course_views.csv', 9, 'level: expected Beginner, Intermediate or Advanced, got "Expert"'],
      ['user_course_views.csv', 10, 'course_id: expected a course id, got nothing'],
      ['user_course_views.csv', 11, 'user_handle: expected a non-negative integer, got "abc"'],
      // line 12 repeats line 2 exactly: a duplicate, not an error
      [
        'user_course_views.csv',
        13,
        'another row for user 1, course csharp-fundamentals on 2017-06-27 (line 2, 3786 s) was imported first',
      ],
      ['user_interests.csv', 2, 'date_followed: expected a date-time YYYY-MM-DD HH:MM:SS, got "yesterday"'],
      ['user_interests.csv', 3, 'interest_tag: expected a tag name, got nothing'],
      ['user_interests.csv', 5, expect.stringMatching(/^not valid CSV: Quote Not Closed/)],
      ['user_assessment_scores.csv', 2, 'user_assessment_score: expected a non-negative integer score, got "high"'],
      ['user_assessment_scores.csv', 3, 'user_assessment_score: expected a non-negative integer score, got "-1"'],
    ]);
    expect(rejectsOf(dir)[1]?.row).toBe('1,2017-01-01,some-course,5,Beginner,notanumber');
  });

  test('are counted so that every file reconciles', () => {
    expect(report.files.map((f) => [f.file, f.read, f.imported, f.duplicates, f.rejected])).toEqual([
      ['course_tags.csv', 2, 1, 0, 1],
      ['user_course_views.csv', 11, 1, 1, 9],
      ['user_interests.csv', 4, 1, 0, 3],
      ['user_assessment_scores.csv', 3, 1, 0, 2],
    ]);
    expect(report.rejects).toBe(15);
  });

  test('create nothing: only the good rows are in the graph', async () => {
    const [row] = await graph.read(
      `RETURN COUNT { (:Course {id: 'some-course'}) } AS someCourse, COUNT { (:User) } AS users,
              COUNT { (:Author) } AS authors, COUNT { ()-[:VIEWED]->() } AS viewed,
              [(:User {handle: 1})-[v:VIEWED]->() | v.seconds] AS seconds`,
    );
    expect(row).toEqual({ someCourse: 0, users: 1, authors: 1, viewed: 1, seconds: [3786] });
  });
});

test('broken quoting: the line and every line it swallows are listed and counted, nothing vanishes', async () => {
  await resetGraph(graph);
  const dir = copyFixture('rejects');
  fs.appendFileSync(path.join(dir, 'user_interests.csv'), '8,java,2017-01-01 00:00:00\n9,java,2017-01-01 00:00:00\n');
  const report = await importDir(dir);
  const interests = rejectsOf(dir).filter((r) => r.file === 'user_interests.csv');
  expect(interests.map((r) => Number(r.line))).toEqual([2, 3, 5, 6, 7]);
  expect(interests[3]?.reason).toBe('not valid CSV: swallowed by the broken quoting that starts on line 5');
  expect(report.files[2]).toMatchObject({ read: 6, imported: 1, duplicates: 0, rejected: 5 });
});

test("the acceptance check's three broken view rows leave an imported graph unchanged", async () => {
  await resetGraph(graph);
  const dir = copyFixture('basic');
  await importDir(dir);
  const before = await counts();
  const views = path.join(dir, 'user_course_views.csv');
  const n = fs.readFileSync(views, 'utf8').split('\n').length - 1;
  fs.appendFileSync(
    views,
    [
      '1,2017-01-01,some-course,5,Beginner,notanumber',
      '2,2017-01-01',
      ',2017-01-01,some-course,5,Beginner,60',
      '',
    ].join('\n'),
  );
  const report = await importDir(dir);
  expect(await counts()).toEqual(before);
  const listed = rejectsOf(dir).map((r) => Number(r.line));
  expect(listed).toEqual([n + 1, n + 2, n + 3]);
  expect(report.files[1]).toMatchObject({ read: 10, imported: 6, duplicates: 1, rejected: 3 });
});

test('an over-long field, invalid UTF-8 and an unclosed quote in a long file each reject their row; the rest imports', async () => {
  await resetGraph(graph);
  const dir = copyFixture('basic');
  const file = path.join(dir, 'user_interests.csv');
  const n = fs.readFileSync(file, 'utf8').split('\n').length - 1; // lines so far (the header is line 1)
  const good = (h: number) => `${h},tag-${h % 40},2017-01-01 00:00:00\n`;
  const parts: Buffer[] = [
    // A tag far over Neo4j's index-key limit (8 kB): before, it failed its whole batch and the import.
    Buffer.from(`100,${'t'.repeat(9000)},2017-01-01 00:00:00\n`),
    Buffer.concat([Buffer.from('101,caf'), Buffer.from([0xc3, 0x28]), Buffer.from(',2017-01-01 00:00:00\n')]),
    Buffer.from('102,"unclosed,2017-01-01 00:00:00\n'),
  ];
  // 4,000 good rows after the unclosed quote: far more than MAX_RECORD_CHARS, all read once the parser resumes.
  for (let h = 1000; h < 5000; h++) parts.push(Buffer.from(good(h)));
  fs.appendFileSync(file, Buffer.concat(parts));
  const report = await importDir(dir);
  const interests = rejectsOf(dir).filter((r) => r.file === 'user_interests.csv');
  expect(interests.map((r) => [Number(r.line), r.reason])).toEqual([
    [n + 1, expect.stringMatching(/^interest_tag: expected at most 256 characters, got 9,000 \("t{57}\.\.\."\)$/)],
    [
      n + 2,
      expect.stringMatching(/^interest_tag: expected UTF-8 text, got bytes that are not valid UTF-8 at character 4/),
    ],
    [n + 3, expect.stringMatching(/^not valid CSV: the record starting on this line runs over 65,536 characters/)],
  ]);
  expect(report.files[2]).toMatchObject({ read: 7 + 3 + 4000, rejected: 3, imported: 7 + 4000 - 1 });
  const [row] = await graph.read<{ users: number; long: number }>(
    `RETURN COUNT { (u:User) WHERE u.handle >= 1000 } AS users, COUNT { (t:Tag) WHERE size(t.name) > 256 } AS long`,
  );
  expect(row).toEqual({ users: 4000, long: 0 });
});
