// The generator: a seeded, deterministic writer of the platform's tables, streamed user by user.
// Default mode writes all four tables; --with-real reads the real course_tags and assessments tables and
// writes only the two missing ones (interests and views), consistent with them. communities.csv holds each
// user's latent community (ground truth for evaluation, never imported).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { TABLE_HEADERS } from '../domain';
import { badInput } from '../errors';
import { consoleLogger, type Logger, progress, type Progress } from '../log';
import { canonicalTag } from '../tags';
import { type Catalogue, realCatalogue, syntheticCatalogue } from './catalogue';
import { buildModel } from './model';
import { hashString } from './prng';
import { Sink } from './sink';
import { TOPICS } from './topics';
import { Formats, planUsers, quote, type RealAssessments, Scratch, userRows } from './users';

/** The ground-truth file's header (not one of the platform's tables, which are in TABLE_HEADERS). */
const COMMUNITIES_HEADER = ['user_handle', 'community'] as const;

export interface GenerateOptions {
  users: number;
  seed: number;
  out: string;
  /** Folder holding the real course_tags.csv(.gz) and user_assessment_scores.csv(.gz). */
  withReal?: string | undefined;
  gzip?: boolean;
  /** Share of followed tags drawn from a user's communities (default: the calibrated CALIBRATED_INTEREST_SHARE). */
  interestShare?: number | undefined;
  /** Warnings; defaults to stderr. */
  logger?: Logger;
  /** Progress output; defaults to src/log.ts progress on stderr. */
  progress?: (total: number) => Progress;
}

export interface GenerateSummary {
  files: { path: string; rows: number }[];
  users: number;
  courses: number;
  seconds: number;
}

/** The path of DIR/name.csv or DIR/name.csv.gz, whichever exists. */
export function findTable(dir: string, name: string): string {
  for (const candidate of [`${name}.csv`, `${name}.csv.gz`]) {
    const p = path.join(dir, candidate);
    if (fs.existsSync(p)) return p;
  }
  throw badInput(`--with-real: expected ${name}.csv or ${name}.csv.gz in ${dir}, found neither`);
}

function readTable(file: string, header: readonly string[]): string[][] {
  const raw = fs.readFileSync(file);
  const text = file.endsWith('.gz') ? zlib.gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: false, skip_empty_lines: true });
  } catch (err) {
    throw badInput(`${file}: not a readable CSV: ${(err as Error).message}`);
  }
  const found = rows[0] ?? [];
  if (found.join(',') !== header.join(',')) {
    throw badInput(`${file}:1: expected the header ${header.join(',')}, found ${found.join(',') || 'nothing'}`);
  }
  return rows.slice(1);
}

/** The real course_tags rows as [course_id, tag]. */
export function readCourseTags(dir: string): [string, string][] {
  const file = findTable(dir, 'course_tags');
  return readTable(file, TABLE_HEADERS.course_tags).map((r, i) => {
    const [id, tag] = r;
    if (id === undefined || id === '' || tag === undefined)
      throw badInput(`${file}:${i + 2}: expected course_id,course_tags, got ${r.join(',')}`);
    return [id, tag];
  });
}

/** The real assessments, as canonical tags per user handle. */
export function readAssessments(dir: string): RealAssessments & { maxHandle: number; rows: number } {
  const file = findTable(dir, 'user_assessment_scores');
  const rows = readTable(file, TABLE_HEADERS.user_assessment_scores);
  const byUser = new Map<number, string[]>();
  let maxHandle = 0;
  rows.forEach((r, i) => {
    const h = Number(r[0]);
    if (!Number.isInteger(h) || h < 1 || r[1] === undefined) {
      throw badInput(`${file}:${i + 2}: expected a positive integer user_handle and a tag, got ${r.join(',')}`);
    }
    maxHandle = Math.max(maxHandle, h);
    const list = byUser.get(h);
    const tag = canonicalTag(r[1]);
    if (list === undefined) byUser.set(h, [tag]);
    else list.push(tag);
  });
  return { byUser, maxHandle, rows: rows.length };
}

function interestVocabulary(catalogue: Catalogue, real: boolean): string[] {
  const heads = new Set(TOPICS.flatMap((t) => t.tags.map(canonicalTag)));
  const out: string[] = [];
  for (const [tag, n] of catalogue.tagCourses) {
    // Most catalogue tags with two or more courses are followed by someone; a third of the one-course tags.
    if (n >= 2 || heads.has(canonicalTag(tag)) || hashString(tag, 0x7a6) % 3 === 0) out.push(tag);
  }
  if (!real) for (const t of TOPICS) out.push(...t.tags);
  return out;
}

/** Writes the tables to opts.out; the same options always give the same bytes. */
export async function generate(opts: GenerateOptions): Promise<GenerateSummary> {
  const started = Date.now();
  const gz = opts.gzip === true ? '.gz' : '';
  const real = opts.withReal !== undefined ? readAssessments(opts.withReal) : undefined;
  if (real !== undefined && opts.users < real.maxHandle) {
    throw badInput(
      `--users: expected at least ${real.maxHandle} (the largest user_handle in the real assessments, so that handles 1..N cover every assessed user), got ${opts.users}`,
    );
  }
  const catalogue =
    opts.withReal !== undefined
      ? realCatalogue(readCourseTags(opts.withReal), opts.seed)
      : syntheticCatalogue(opts.seed);
  const model = buildModel(catalogue, interestVocabulary(catalogue, real !== undefined));
  const plan = planUsers(opts.users, opts.seed, model, real, opts.interestShare);
  if (fs.existsSync(opts.out) && !fs.statSync(opts.out).isDirectory()) {
    throw badInput(`--out: expected a folder, got the file ${opts.out}`);
  }
  fs.mkdirSync(opts.out, { recursive: true });

  const open = (name: string, header: readonly string[], quoted: boolean) => {
    const other = path.join(opts.out, `${name}.csv${gz === '' ? '.gz' : ''}`);
    if (fs.existsSync(other)) {
      (opts.logger ?? consoleLogger).warn(
        `${other} is left from an earlier run; an importer may read it instead of ${name}.csv${gz}`,
      );
    }
    const sink = new Sink(path.join(opts.out, `${name}.csv${gz}`), opts.gzip === true);
    void sink.write(`${header.map((h) => (quoted ? quote(h) : h)).join(',')}\n`);
    return sink;
  };
  const interests = open('user_interests', TABLE_HEADERS.user_interests, true);
  const views = open('user_course_views', TABLE_HEADERS.user_course_views, true);
  const communities = open('communities', COMMUNITIES_HEADER, false);
  const sinks = [interests, views];
  let assessments: Sink | undefined;
  if (real === undefined) {
    assessments = open('user_assessment_scores', TABLE_HEADERS.user_assessment_scores, true);
    const courseTags = open('course_tags', TABLE_HEADERS.course_tags, true);
    for (const c of catalogue.courses) {
      const tags = c.tags.length > 0 ? c.tags : [''];
      await courseTags.write(tags.map((t) => `${quote(c.id)},${quote(t)}\n`).join(''), tags.length);
    }
    sinks.push(assessments, courseTags);
  }
  sinks.push(communities);

  const scratch = new Scratch(model);
  const fmt = new Formats(model);
  const bar = (opts.progress ?? ((total) => progress({ label: 'generate', total, unit: 'users' })))(opts.users);
  for (let h = 1; h <= opts.users; h++) {
    const rows = userRows(h, opts.seed, plan, model, scratch, fmt, real?.byUser.get(h), real === undefined);
    await interests.write(rows.interests, rows.interestRows);
    await views.write(rows.views, rows.viewRows);
    if (assessments !== undefined) await assessments.write(rows.assessments, rows.assessmentRows);
    await communities.write(`${h},${TOPICS[plan.community[h] ?? 0]?.name ?? ''}\n`, 1);
    if (h % 1000 === 0) bar.set(h);
  }
  await Promise.all(sinks.map((s) => s.close()));
  bar.done();
  return {
    files: sinks.map((s) => ({ path: s.path, rows: s.rows })),
    users: opts.users,
    courses: catalogue.courses.length,
    seconds: (Date.now() - started) / 1000,
  };
}
