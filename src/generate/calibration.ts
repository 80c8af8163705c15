// Measures a generated data set against the known figures of the real one (CALIBRATION.md), for the
// calibration test and bench/generate.ts. Reads whole files: meant for sets of about 10,000 users.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { canonicalTag } from '../tags';

/** Known figures of the real tables at 10,000 users (CALIBRATION.md; "D"/"P" facts, "E" where marked). */
export const TARGETS = {
  viewRows: 249_238,
  viewUsers: 8_760,
  viewPairs: 105_353,
  rowsPerPair: 2.366,
  coursesPerViewer: { mean: 12.03, p50: 5, p90: 28 },
  secondsPerRow: { q1: 529, median: 1612, q3: 3690 },
  topCourseViewers: 1_009,
  medianCourseViewers: 7,
  interestRows: 297_526,
  interestUsers: 10_000,
  interestDuplicates: 18_209,
  /** Distinct (user, tag) pairs: about 211k (E). */
  interestPairs: 211_000,
  tagsPerUser: { mean: 20.1, p50: 11, p90: 45 },
  levelShares: { Beginner: 0.455, Intermediate: 0.477, Advanced: 0.068 },
} as const;

export interface Measured {
  viewRows: number;
  viewUsers: number;
  viewPairs: number;
  rowsPerPair: number;
  coursesPerViewer: { mean: number; p50: number; p90: number; p99: number; max: number };
  secondsPerRow: { q1: number; median: number; q3: number; zeros: number; max: number };
  zeroPairs: number;
  viewDates: { min: string; max: string; distinct: number };
  coursesViewed: number;
  topCourseViewers: number;
  medianCourseViewers: number;
  singleViewerCourses: number;
  levelShares: Record<string, number>;
  authors: number;
  interestRows: number;
  interestUsers: number;
  interestDuplicates: number;
  interestPairsRaw: number;
  interestPairs: number;
  interestTags: number;
  interestTimestamps: number;
  interestDates: { min: string; max: string };
  tagsPerUser: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** Each user's canonical tags and viewed courses, for signal checks. */
  userTags: Map<number, Set<string>>;
  userCourses: Map<number, Set<string>>;
}

/** Rows of a table (header dropped) from DIR/name.csv or .csv.gz. */
export function readRows(dir: string, name: string): string[][] {
  const plain = path.join(dir, `${name}.csv`);
  const file = fs.existsSync(plain) ? plain : `${plain}.gz`;
  const raw = fs.readFileSync(file);
  const text = file.endsWith('.gz') ? zlib.gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return parseLines(text).slice(1);
}

/** CSV lines to fields: a fast split for the simple quoted style of these tables, csv-parse for any other line. */
function parseLines(text: string): string[][] {
  const out: string[][] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split(',');
    let simple = !line.includes('""');
    for (let i = 0; simple && i < fields.length; i++) {
      const f = fields[i] as string;
      if (f.startsWith('"')) {
        if (f.length >= 2 && f.endsWith('"')) fields[i] = f.slice(1, -1);
        else simple = false;
      } else if (f.includes('"')) simple = false;
    }
    if (simple) out.push(fields);
    else {
      const rows: string[][] = parse(line);
      out.push(...rows);
    }
  }
  return out;
}

function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function summary(values: number[]) {
  const s = Float64Array.from(values).sort();
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return { mean, p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99), max: quantile(s, 1) };
}

export function measure(dir: string): Measured {
  const views = readRows(dir, 'user_course_views');
  const userCourses = new Map<number, Set<string>>();
  const pairSeconds = new Map<string, number>();
  const courseViewers = new Map<string, number>();
  const levelPairs: Record<string, number> = {};
  const seconds: number[] = [];
  const dates = new Set<string>();
  const authors = new Set<string>();
  for (const [u, date, course, author, level, secs] of views) {
    const h = Number(u);
    let set = userCourses.get(h);
    if (set === undefined) userCourses.set(h, (set = new Set()));
    const key = `${h}\t${course}`;
    if (!set.has(course as string)) {
      set.add(course as string);
      courseViewers.set(course as string, (courseViewers.get(course as string) ?? 0) + 1);
      levelPairs[level as string] = (levelPairs[level as string] ?? 0) + 1;
    }
    pairSeconds.set(key, (pairSeconds.get(key) ?? 0) + Number(secs));
    seconds.push(Number(secs));
    dates.add(date as string);
    authors.add(author as string);
  }
  const sortedSecs = Float64Array.from(seconds).sort();
  const perViewer = [...userCourses.values()].map((s) => s.size);
  const viewers = [...courseViewers.values()].sort((a, b) => a - b);
  const pairs = pairSeconds.size;
  const sortedDates = [...dates].sort();

  const interests = readRows(dir, 'user_interests');
  const rowKeys = new Set<string>();
  const raw = new Set<string>();
  const userTags = new Map<number, Set<string>>();
  const tags = new Set<string>();
  const stamps = new Set<string>();
  let duplicates = 0;
  let minDate = '9999';
  let maxDate = '0000';
  for (const [u, tag, when] of interests) {
    const h = Number(u);
    const line = `${u}\t${tag}\t${when}`;
    if (rowKeys.has(line)) duplicates++;
    else rowKeys.add(line);
    raw.add(`${u}\t${tag}`);
    tags.add(tag as string);
    stamps.add(when as string);
    if ((when as string) < minDate) minDate = when as string;
    if ((when as string) > maxDate) maxDate = when as string;
    let set = userTags.get(h);
    if (set === undefined) userTags.set(h, (set = new Set()));
    set.add(canonicalTag(tag as string));
  }
  const perUser = [...userTags.values()].map((s) => s.size);
  const canonicalPairs = perUser.reduce((a, b) => a + b, 0);
  const levelShares: Record<string, number> = {};
  for (const [l, n] of Object.entries(levelPairs)) levelShares[l] = n / pairs;
  return {
    viewRows: views.length,
    viewUsers: userCourses.size,
    viewPairs: pairs,
    rowsPerPair: views.length / Math.max(1, pairs),
    coursesPerViewer: summary(perViewer),
    secondsPerRow: {
      q1: quantile(sortedSecs, 0.25),
      median: quantile(sortedSecs, 0.5),
      q3: quantile(sortedSecs, 0.75),
      zeros: seconds.filter((s) => s === 0).length,
      max: quantile(sortedSecs, 1),
    },
    zeroPairs: [...pairSeconds.values()].filter((s) => s === 0).length,
    viewDates: { min: sortedDates[0] ?? '', max: sortedDates[sortedDates.length - 1] ?? '', distinct: dates.size },
    coursesViewed: courseViewers.size,
    topCourseViewers: viewers[viewers.length - 1] ?? 0,
    medianCourseViewers: quantile(viewers, 0.5),
    singleViewerCourses: viewers.filter((v) => v === 1).length,
    levelShares,
    authors: authors.size,
    interestRows: interests.length,
    interestUsers: userTags.size,
    interestDuplicates: duplicates,
    interestPairsRaw: raw.size,
    interestPairs: canonicalPairs,
    interestTags: tags.size,
    interestTimestamps: stamps.size,
    interestDates: { min: minDate, max: maxDate },
    tagsPerUser: summary(perUser),
    userTags,
    userCourses,
  };
}

/**
 * Share of each user's top-k cosine neighbours (binary vectors of canonical tags and courses) that are in the
 * user's community, averaged over `sample` users; and the share expected of random neighbours.
 */
export function neighbourPurity(
  m: Pick<Measured, 'userTags' | 'userCourses'>,
  communities: Map<number, string>,
  k = 10,
  sample = 1000,
): { purity: number; random: number } {
  const items = new Map<string, number>();
  const vectors = new Map<number, number[]>();
  const add = (h: number, key: string) => {
    let id = items.get(key);
    if (id === undefined) items.set(key, (id = items.size));
    let v = vectors.get(h);
    if (v === undefined) vectors.set(h, (v = []));
    v.push(id);
  };
  for (const [h, set] of m.userTags) for (const t of set) add(h, `t:${t}`);
  for (const [h, set] of m.userCourses) for (const c of set) add(h, `c:${c}`);
  const users = [...vectors.keys()].sort((a, b) => a - b);
  const index = new Map<number, number>(users.map((h, i) => [h, i]));
  const postings: number[][] = Array.from({ length: items.size }, () => []);
  users.forEach((h, i) => {
    for (const id of vectors.get(h) ?? []) postings[id]?.push(i);
  });
  const norms = users.map((h) => Math.sqrt(vectors.get(h)?.length ?? 0));
  const scores = new Float64Array(users.length);
  const counts = new Map<string, number>();
  for (const c of communities.values()) counts.set(c, (counts.get(c) ?? 0) + 1);
  let random = 0;
  for (const n of counts.values()) random += (n / communities.size) ** 2;
  const step = Math.max(1, Math.floor(users.length / sample));
  let same = 0;
  let total = 0;
  for (let qi = 0; qi < users.length; qi += step) {
    const q = users[qi] as number;
    scores.fill(0);
    for (const id of vectors.get(q) ?? []) for (const j of postings[id] ?? []) scores[j] = (scores[j] ?? 0) + 1;
    scores[index.get(q) as number] = 0;
    const top: [number, number][] = [];
    scores.forEach((s, j) => {
      if (s === 0) return;
      const cos = s / ((norms[qi] ?? 1) * (norms[j] ?? 1));
      if (top.length < k || cos > (top[top.length - 1] as [number, number])[0]) {
        top.push([cos, j]);
        top.sort((a, b) => b[0] - a[0]);
        if (top.length > k) top.pop();
      }
    });
    for (const [, j] of top) {
      total++;
      if (communities.get(users[j] as number) === communities.get(q)) same++;
    }
  }
  return { purity: same / Math.max(1, total), random };
}

export function readCommunities(dir: string): Map<number, string> {
  const plain = path.join(dir, 'communities.csv');
  const file = fs.existsSync(plain) ? plain : `${plain}.gz`;
  const raw = fs.readFileSync(file);
  const text = file.endsWith('.gz') ? zlib.gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const rows = parseLines(text).slice(1);
  return new Map(rows.map(([h, c]) => [Number(h), c as string]));
}
