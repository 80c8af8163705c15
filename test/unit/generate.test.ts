// The generator: determinism, exact headers, row formats, calibration at 10,000 users (default and --with-real),
// consistency with the real tables, ground-truth coverage and community signal. Pure: files only, no database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { measure, neighbourPurity, readCommunities, readRows, type Measured } from '../../src/generate/calibration';
import { TABLE_HEADERS } from '../../src/domain';
import { generate } from '../../src/generate/generate';
import { parseTopics, TOPICS } from '../../src/generate/topics';
import { run } from '../../src/cli/run';
import { canonicalTag } from '../../src/tags';

const REAL = path.resolve(__dirname, '../../../shared/data/pluralsight');
const silent = () => ({ tick: () => undefined, set: () => undefined, done: () => undefined });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'generate-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function files(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const f of fs.readdirSync(dir).sort()) out[f] = fs.readFileSync(path.join(dir, f));
  return out;
}
function firstLine(file: string): string {
  const raw = fs.readFileSync(file);
  const text = file.endsWith('.gz') ? zlib.gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return text.slice(0, text.indexOf('\n'));
}
/** Relative tolerance check with a readable failure. */
function near(name: string, got: number, target: number, tolerance: number): void {
  const ok = Math.abs(got - target) <= tolerance * target;
  if (!ok) throw new Error(`${name}: expected ${target} +-${tolerance * 100}%, got ${got}`);
}

describe('determinism', () => {
  it('gives the same bytes for the same arguments, gzip included, and different bytes for another seed', async () => {
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    const c = path.join(tmp, 'c');
    await generate({ users: 400, seed: 7, out: a, gzip: true, progress: silent });
    await generate({ users: 400, seed: 7, out: b, gzip: true, progress: silent });
    await generate({ users: 400, seed: 8, out: c, gzip: true, progress: silent });
    const fa = files(a);
    expect(Object.keys(fa)).toEqual([
      'communities.csv.gz',
      'course_tags.csv.gz',
      'user_assessment_scores.csv.gz',
      'user_course_views.csv.gz',
      'user_interests.csv.gz',
    ]);
    expect(files(b)).toEqual(fa);
    const fc = files(c);
    for (const name of Object.keys(fa)) expect(fc[name]?.equals(fa[name] as Buffer)).toBe(false);
  });
});

describe('default mode: formats', () => {
  const dir = path.join(tmp, 'small');
  beforeAll(async () => {
    await generate({ users: 1500, seed: 3, out: dir, progress: silent });
  });

  it('writes the real headers in the real quoting', () => {
    const quoted = (h: readonly string[]) => h.map((x) => `"${x}"`).join(',');
    expect(firstLine(path.join(dir, 'user_interests.csv'))).toBe(quoted(TABLE_HEADERS.user_interests));
    expect(firstLine(path.join(dir, 'user_course_views.csv'))).toBe(quoted(TABLE_HEADERS.user_course_views));
    expect(firstLine(path.join(dir, 'user_assessment_scores.csv'))).toBe(quoted(TABLE_HEADERS.user_assessment_scores));
    expect(firstLine(path.join(dir, 'course_tags.csv'))).toBe('"course_id","course_tags"');
    expect(firstLine(path.join(dir, 'communities.csv'))).toBe('user_handle,community');
    const text = fs.readFileSync(path.join(dir, 'user_course_views.csv'), 'utf8').split('\n');
    expect(text[1]).toMatch(/^\d+,"\d{4}-\d\d-\d\d","[a-z0-9-]+",\d+,"(Beginner|Intermediate|Advanced)",\d+$/);
    const ct = fs.readFileSync(path.join(dir, 'course_tags.csv'), 'utf8').split('\n');
    expect(ct[1]).toMatch(/^"[a-z0-9-]+","[^"]*"$/);
  });

  it('writes rows that parse: integers, dates, levels, sorted by user then date', () => {
    // Problems are collected and compared once: an expect() per field would dominate the run time.
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok && problems.length < 20) problems.push(what);
    };
    const isDay = (s: string) => /^\d{4}-\d\d-\d\d$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
    const isTime = (s: string) =>
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(s) && !Number.isNaN(Date.parse(`${s.replace(' ', 'T')}Z`));
    const courses = new Map<string, string[]>();
    for (const [id, tag] of readRows(dir, 'course_tags')) {
      check(/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id as string), `course id ${id}`);
      courses.set(id as string, [...(courses.get(id as string) ?? []), tag as string]);
    }
    expect(courses.size).toBe(5942);
    let last = '';
    const perCourse = new Map<string, string>();
    for (const r of readRows(dir, 'user_course_views')) {
      const [u, date, course, author, level, secs] = r as [string, string, string, string, string, string];
      const row = `views ${r.join(',')}`;
      check(r.length === 6, row);
      check(/^[1-9]\d*$/.test(u) && /^[1-9]\d*$/.test(author) && /^\d+$/.test(secs) && Number(secs) < 86400, row);
      check(isDay(date) && date >= '2017-05-01' && date <= '2017-11-28', row);
      check(courses.has(course), row);
      check(['Beginner', 'Intermediate', 'Advanced'].includes(level), row);
      const key = `${u.padStart(8, '0')} ${date}`;
      check(key >= last, `views not sorted at ${row}`);
      last = key;
      const meta = `${author}/${level}`;
      check((perCourse.get(course) ?? meta) === meta, `author or level changes for ${course}`);
      perCourse.set(course, meta);
    }
    last = '';
    for (const r of readRows(dir, 'user_interests')) {
      const [u, tag, when] = r as [string, string, string];
      check(/^[1-9]\d*$/.test(u) && /^\S+$/.test(tag) && isTime(when), `interests ${r.join(',')}`);
      const key = `${u.padStart(8, '0')} ${when}`;
      check(key >= last, `interests not sorted at ${r.join(',')}`);
      last = key;
    }
    const seen = new Set<string>();
    for (const r of readRows(dir, 'user_assessment_scores')) {
      const [u, tag, when, score] = r as [string, string, string, string];
      const row = `assessments ${r.join(',')}`;
      check(isTime(when) && when >= '2016-07-13' && when <= '2017-11-29', row);
      check(/^\d+$/.test(score) && Number(score) <= 300, row);
      check(!seen.has(`${u}/${tag}`), `repeated ${row}`);
      seen.add(`${u}/${tag}`);
    }
    expect(problems).toEqual([]);
  });

  it('writes a community for every user, once', () => {
    const rows = readRows(dir, 'communities');
    expect(rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
    const names = new Set(TOPICS.map((t) => t.name));
    for (const [, c] of rows) expect(names.has(c as string)).toBe(true);
  });
});

// Tolerances at 10,000 users: row counts and distinct pairs +-10%, distinct users +-3%, means +-15%,
// medians and quartiles +-25%, p90 +-25%; canonical interest pairs 205k..225k with the real tables.
function checkCalibration(m: Measured, real: boolean): void {
  near('view rows', m.viewRows, 249_238, 0.1);
  near('view users', m.viewUsers, 8_760, 0.03);
  near('view pairs', m.viewPairs, 105_353, 0.1);
  near('rows per pair', m.rowsPerPair, 2.366, 0.1);
  near('courses per viewer mean', m.coursesPerViewer.mean, 12.03, 0.15);
  near('courses per viewer median', m.coursesPerViewer.p50, 5, 0.25);
  near('courses per viewer p90', m.coursesPerViewer.p90, 28, 0.25);
  near('seconds Q1', m.secondsPerRow.q1, 529, 0.25);
  near('seconds median', m.secondsPerRow.median, 1612, 0.25);
  near('seconds Q3', m.secondsPerRow.q3, 3690, 0.25);
  expect(m.secondsPerRow.zeros).toBeGreaterThan(0);
  expect(m.viewDates).toEqual({ min: '2017-05-01', max: '2017-11-28', distinct: 212 });
  expect(m.topCourseViewers).toBeGreaterThan(real ? 600 : 400);
  expect(m.topCourseViewers).toBeLessThan(1500);
  near('interest rows', m.interestRows, 297_526, 0.1);
  expect(m.interestUsers).toBe(10_000);
  near('interest duplicates', m.interestDuplicates, 18_209, 0.2);
  near('tags per user mean', m.tagsPerUser.mean, 20.1, 0.15);
  near('tags per user median', m.tagsPerUser.p50, 11, 0.25);
  near('tags per user p90', m.tagsPerUser.p90, 45, 0.25);
  near('Beginner share', m.levelShares.Beginner ?? 0, 0.455, 0.15);
  near('Intermediate share', m.levelShares.Intermediate ?? 0, 0.477, 0.15);
  near('Advanced share', m.levelShares.Advanced ?? 0, 0.068, 0.4);
  if (real) {
    expect(m.interestPairs).toBeGreaterThanOrEqual(205_000);
    expect(m.interestPairs).toBeLessThanOrEqual(225_000);
  } else {
    near('interest pairs', m.interestPairs, 211_000, 0.1);
  }
}

describe('calibration at 10,000 users, default mode', () => {
  const dir = path.join(tmp, 'default10k');
  let m: Measured;
  beforeAll(async () => {
    await generate({ users: 10_000, seed: 1, out: dir, progress: silent });
    m = measure(dir);
  });

  it('matches the known figures of the real tables within the stated tolerances', () => {
    checkCalibration(m, false);
    const assessments = readRows(dir, 'user_assessment_scores');
    near('assessment rows', assessments.length, 6_571, 0.15);
    near('assessed users', new Set(assessments.map((r) => r[0])).size, 3_114, 0.1);
    const scores = assessments.map((r) => Number(r[3]));
    near('score mean', scores.reduce((a, b) => a + b, 0) / scores.length, 142.5, 0.1);
    const courseTags = readRows(dir, 'course_tags');
    near('course_tags rows', courseTags.length, 11_337, 0.1);
    near('distinct course tags', new Set(courseTags.map((r) => r[1]).filter((t) => t !== '')).size, 998, 0.2);
  });

  it('has a community signal: same-community users share more tags, and cosine neighbours agree more than chance', () => {
    const communities = readCommunities(dir);
    const users = [...m.userTags.keys()];
    const shared = (a: number, b: number) => {
      const sa = m.userTags.get(a) as Set<string>;
      let n = 0;
      for (const t of m.userTags.get(b) as Set<string>) if (sa.has(t)) n++;
      return n;
    };
    let same = 0;
    let sameN = 0;
    let other = 0;
    let otherN = 0;
    for (let i = 0; i < 200_000; i++) {
      const a = users[(i * 7919) % users.length] as number;
      const b = users[(i * 104_729 + 13) % users.length] as number;
      if (a === b) continue;
      if (communities.get(a) === communities.get(b)) {
        same += shared(a, b);
        sameN++;
      } else {
        other += shared(a, b);
        otherN++;
      }
    }
    expect(same / sameN).toBeGreaterThan((1.3 * other) / otherN);
    const { purity, random } = neighbourPurity(m, communities, 10, 500);
    // Interests follow communities only loosely, as in the real data (calibrated by bench/generate.ts's signal strength).
    expect(purity).toBeGreaterThan(3 * random);
    expect(purity).toBeLessThan(0.85);
    expect(random).toBeLessThan(0.15);
  });
});

describe('topics.json', () => {
  const valid = fs.readFileSync(path.resolve(__dirname, '../../src/generate/topics.json'), 'utf8');
  const edit = (f: (d: { topics: Record<string, unknown>[] }) => void) => {
    const d = JSON.parse(valid) as { topics: Record<string, unknown>[] };
    f(d);
    return JSON.stringify(d);
  };

  it('is read into the topics the generator uses', () => {
    expect(parseTopics(valid)).toEqual(TOPICS);
    expect(TOPICS.length).toBeGreaterThanOrEqual(20);
  });

  it.each([
    ['not JSON', () => '{ topics: [', /expected JSON, got a parse error/],
    ['a missing field', () => edit((d) => delete d.topics[0]!.tags), /at topics\.0\.tags/],
    ['a wrong type', () => edit((d) => (d.topics[1]!.users = 'many')), /at topics\.1\.users/],
    ['an unknown field', () => edit((d) => (d.topics[0]!.colour = 'red')), /at topics\.0/],
    ['a one-tag bundle', () => edit((d) => (d.topics[0]!.bundles = [['a']])), /at topics\.0\.bundles\.0/],
    [
      'a repeated name',
      () => edit((d) => (d.topics[1]!.name = d.topics[0]!.name)),
      /expected unique topic names, got "web-frontend" twice/,
    ],
  ])('refuses %s, naming where', (_name, text, message) => {
    expect(() => parseTopics(text(), 'topics.json')).toThrow(message);
  });
});

describe('--interest-share', () => {
  it('makes interests follow the communities more strongly, and keeps the default calibrated bytes', async () => {
    const calibrated = path.join(tmp, 'share-default');
    const explicit = path.join(tmp, 'share-explicit');
    const strong = path.join(tmp, 'share-strong');
    await generate({ users: 2000, seed: 5, out: calibrated, progress: silent });
    await generate({ users: 2000, seed: 5, out: explicit, progress: silent, interestShare: 0.38 });
    await generate({ users: 2000, seed: 5, out: strong, progress: silent, interestShare: 0.95 });
    expect(files(explicit)).toEqual(files(calibrated));
    // Share of users' top-10 cosine neighbours (tags and courses) in their own planted community.
    const purityOf = (dir: string) => neighbourPurity(measure(dir), readCommunities(dir), 10, 400).purity;
    const weak = purityOf(calibrated);
    const high = purityOf(strong);
    expect(high).toBeGreaterThan(weak + 0.1);
  });
});

describe('--with-real against the real tables', () => {
  const dir = path.join(tmp, 'real10k');
  let m: Measured;
  beforeAll(async () => {
    for (const f of ['course_tags.csv.gz', 'user_assessment_scores.csv.gz']) {
      if (!fs.existsSync(path.join(REAL, f))) throw new Error(`expected the real table ${f} in ${REAL}, found nothing`);
    }
    fs.mkdirSync(dir, { recursive: true });
    for (const f of ['course_tags.csv.gz', 'user_assessment_scores.csv.gz'])
      fs.copyFileSync(path.join(REAL, f), path.join(dir, f));
    await generate({ users: 10_000, seed: 1, out: dir, withReal: dir, progress: silent });
    m = measure(dir);
  });

  it('writes only interests, views and communities beside the real tables', () => {
    expect(fs.readdirSync(dir).sort()).toEqual([
      'communities.csv',
      'course_tags.csv.gz',
      'user_assessment_scores.csv.gz',
      'user_course_views.csv',
      'user_interests.csv',
    ]);
  });

  it('matches the known figures within the stated tolerances, and the acceptance counts', () => {
    checkCalibration(m, true);
    expect(m.interestUsers).toBe(10_000);
    expect(m.viewPairs).toBeGreaterThan(100_000);
    expect(m.interestPairs).toBeGreaterThan(205_000);
    expect(m.coursesViewed).toBeGreaterThanOrEqual(5_800);
  });

  it('stays consistent with the real tables: course ids, course-tag spellings, assessed users and their topics', () => {
    const courseTags = readRows(dir, 'course_tags');
    const ids = new Set(courseTags.map((r) => r[0]));
    const spellings = new Set(courseTags.map((r) => r[1]));
    const unknownCourses = [...m.userCourses.values()].flatMap((c) => [...c].filter((id) => !ids.has(id)));
    expect(unknownCourses).toEqual([]);
    const unknownTags = readRows(dir, 'user_interests').filter(([, tag]) => !spellings.has(tag));
    expect(unknownTags.slice(0, 5)).toEqual([]);
    const assessed = new Map<number, Set<string>>();
    for (const [u, tag] of readRows(dir, 'user_assessment_scores')) {
      const h = Number(u);
      assessed.set(h, (assessed.get(h) ?? new Set()).add(canonicalTag(tag as string)));
    }
    expect([...assessed.keys()].filter((h) => !m.userTags.has(h))).toEqual([]);
    let echoed = 0;
    for (const [h, tags] of assessed) if ([...tags].some((t) => m.userTags.get(h)?.has(t))) echoed++;
    expect(echoed / assessed.size).toBeGreaterThan(0.4);
    // Users assessed in c-sharp follow c# far more often than everyone else.
    const follows = (users: number[]) => users.filter((h) => m.userTags.get(h)?.has('c#')).length / users.length;
    const csharp = [...assessed].filter(([, t]) => t.has('c#')).map(([h]) => h);
    const rest = [...m.userTags.keys()].filter((h) => !assessed.has(h));
    expect(follows(csharp)).toBeGreaterThan(2 * follows(rest));
    const viewers = [...assessed.keys()].filter((h) => m.userCourses.has(h)).length;
    near('assessed users who view', viewers, 2_909, 0.05);
  });

  it('refuses --users below the largest assessed handle, with exit code 2', async () => {
    const err: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      const code = await run(['generate', '--users', '500', '--out', path.join(tmp, 'x'), '--with-real', dir]);
      expect(code).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(err.join('')).toMatch(/--users: expected at least 9999 .* got 500/);
  });
});

describe('command-line arguments', () => {
  async function exitOf(argv: string[]): Promise<[number, string]> {
    const err: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      return [await run(argv), err.join('')];
    } finally {
      spy.mockRestore();
    }
  }

  it.each([
    [['generate', '--out', 'x'], /--users: expected an integer 1\.\.10000000, got nothing/],
    [['generate', '--users', 'ten', '--out', 'x'], /--users: expected an integer 1\.\.10000000, got "ten"/],
    [['generate', '--users', '0', '--out', 'x'], /--users: expected an integer 1\.\.10000000, got "0"/],
    [['generate', '--users', '10', '--seed=-1', '--out', 'x'], /--seed: expected an integer 0\.\.2147483647, got "-1"/],
    [['generate', '--users', '10'], /--out: expected a folder, got nothing/],
    [['generate', '--users', '10', '--out', 'x', '--colour'], /Unknown option '--colour'/],
    [
      ['generate', '--users', '10', '--out', 'x', '--interest-share', '1.5'],
      /--interest-share: expected a number from 0 to 1 .*got "1\.5"/,
    ],
    [['generate', '--users', '10', '--out', 'x', '--interest-share', ''], /--interest-share: expected a number/],
    [
      ['generate', '--users', '10', '--out', path.join(tmp, 'y'), '--with-real', path.join(tmp, 'nowhere')],
      /expected user_assessment_scores\.csv or user_assessment_scores\.csv\.gz in/,
    ],
  ])('%j exits 2 with a clear message', async (argv, message) => {
    const [code, err] = await exitOf(argv);
    expect(err).toMatch(message);
    expect(code).toBe(2);
  });
});
