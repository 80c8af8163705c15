// The four tables: their real headers, and how one CSV record becomes a typed row or a rejection with a reason.
import { type Level, LEVELS, TABLE_HEADERS as HEADERS, type TableName } from '../domain';
import { canonicalTag } from '../tags';
import { parseCount, parseDate, parseDateTime, parseLevel, parseSignedInt } from './fields';

/** A record that is not imported, with the reason written for the rejects file. */
export class Rejection {
  constructor(readonly reason: string) {}
}

export interface CourseTagRow {
  course: string;
  /** The tag as written; empty when the course has no tag. */
  rawTag: string;
  /** canonicalTag(rawTag); empty when the course has no tag. */
  tag: string;
}

export interface ViewRow {
  handle: number;
  /** `YYYY-MM-DD` */
  date: string;
  course: string;
  author: number;
  level: Level;
  seconds: number;
}

export interface InterestRow {
  handle: number;
  rawTag: string;
  tag: string;
  /** ISO local date-time `YYYY-MM-DDTHH:MM:SS` */
  at: string;
}

export interface AssessmentRow {
  handle: number;
  rawTag: string;
  tag: string;
  at: string;
  score: number;
}

export interface RowTypes {
  course_tags: CourseTagRow;
  user_course_views: ViewRow;
  user_interests: InterestRow;
  user_assessment_scores: AssessmentRow;
}

function shown(text: string): string {
  return text === '' ? 'nothing' : JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

function expected(column: string, what: string, got: string): Rejection {
  return new Rejection(`${column}: expected ${what}, got ${shown(got)}`);
}

function handle(column: string, text: string): number | Rejection {
  return parseCount(text) ?? expected(column, 'a non-negative integer', text);
}

function tag(column: string, raw: string): string | Rejection {
  const name = canonicalTag(raw);
  return name === '' ? expected(column, 'a tag name', raw) : name;
}

function parseCourseTag(f: readonly string[]): CourseTagRow | Rejection {
  const course = f[0] ?? '';
  if (course === '') return expected('course_id', 'a course id', course);
  const rawTag = f[1] ?? '';
  // A blank tag is how the real catalogue lists a course without tags: the course is kept, untagged.
  return { course, rawTag, tag: canonicalTag(rawTag) };
}

function parseView(f: readonly string[]): ViewRow | Rejection {
  const [h = '', d = '', course = '', a = '', l = '', s = ''] = f;
  const userHandle = handle('user_handle', h);
  if (userHandle instanceof Rejection) return userHandle;
  const date = parseDate(d);
  if (date === undefined) return expected('view_date', 'a date YYYY-MM-DD', d);
  if (course === '') return expected('course_id', 'a course id', course);
  const author = handle('author_handle', a);
  if (author instanceof Rejection) return author;
  const level = parseLevel(l);
  if (level === undefined) return expected('level', LEVELS.join(', ').replace(/, (\w+)$/, ' or $1'), l);
  const seconds = parseSignedInt(s);
  if (seconds === undefined) return expected('view_time_seconds', 'a whole number of seconds', s);
  if (seconds < 0) return expected('view_time_seconds', 'a time >= 0 (negative time)', s);
  return { handle: userHandle, date, course, author, level, seconds };
}

function parseInterest(f: readonly string[]): InterestRow | Rejection {
  const [h = '', rawTag = '', t = ''] = f;
  const userHandle = handle('user_handle', h);
  if (userHandle instanceof Rejection) return userHandle;
  const name = tag('interest_tag', rawTag);
  if (name instanceof Rejection) return name;
  const at = parseDateTime(t);
  if (at === undefined) return expected('date_followed', 'a date-time YYYY-MM-DD HH:MM:SS', t);
  return { handle: userHandle, rawTag, tag: name, at };
}

function parseAssessment(f: readonly string[]): AssessmentRow | Rejection {
  const [h = '', rawTag = '', t = '', s = ''] = f;
  const userHandle = handle('user_handle', h);
  if (userHandle instanceof Rejection) return userHandle;
  const name = tag('assessment_tag', rawTag);
  if (name instanceof Rejection) return name;
  const at = parseDateTime(t);
  if (at === undefined) return expected('user_assessment_date', 'a date-time YYYY-MM-DD HH:MM:SS', t);
  const score = parseCount(s);
  if (score === undefined) return expected('user_assessment_score', 'a non-negative integer score', s);
  return { handle: userHandle, rawTag, tag: name, at, score };
}

type Parser<T extends TableName> = (fields: readonly string[]) => RowTypes[T] | Rejection;

const PARSERS: { readonly [T in TableName]: Parser<T> } = {
  course_tags: parseCourseTag,
  user_course_views: parseView,
  user_interests: parseInterest,
  user_assessment_scores: parseAssessment,
};

/**
 * The longest field accepted, in characters (ids and tags are a few dozen): a longer one is rejected with its row,
 * well before Neo4j's index-key limit (8 kB) could fail a whole batch.
 */
export const MAX_FIELD_CHARS = 256;

/** A field over MAX_FIELD_CHARS, or holding U+FFFD (what bytes that are not UTF-8 decode to), rejects its row. */
function fieldProblem(table: TableName, fields: readonly string[]): Rejection | undefined {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const column = HEADERS[table][i] ?? `column ${i + 1}`;
    if (f.length > MAX_FIELD_CHARS) {
      return new Rejection(
        `${column}: expected at most ${MAX_FIELD_CHARS} characters, got ${f.length.toLocaleString('en-US')} (${shown(f)})`,
      );
    }
    const bad = f.indexOf('\uFFFD');
    if (bad !== -1) {
      return new Rejection(
        `${column}: expected UTF-8 text, got bytes that are not valid UTF-8 at character ${bad + 1} (${shown(f)}, U+FFFD marks them)`,
      );
    }
  }
  return undefined;
}

/**
 * Validates one record (fields already trimmed) of a table: the typed row, or a Rejection whose reason says
 * which column held what and what was expected.
 */
export function parseRecord<T extends TableName>(table: T, fields: readonly string[]): RowTypes[T] | Rejection {
  const want = HEADERS[table].length;
  if (fields.length !== want) {
    return new Rejection(`expected ${want} columns (${HEADERS[table].join(',')}), got ${fields.length}`);
  }
  return fieldProblem(table, fields) ?? PARSERS[table](fields);
}

/** Compares a header with the expected one; undefined when it matches, else the problem in words. */
export function headerProblem(table: TableName, found: readonly string[] | undefined): string | undefined {
  const want = HEADERS[table];
  if (found === undefined) return `expected the header ${want.join(',')} but the file is empty`;
  const same = found.length === want.length && found.every((c, i) => c === want[i]);
  if (same) return undefined;
  const missing = want.filter((c) => !found.includes(c));
  const extra = found.filter((c) => !want.includes(c));
  const detail = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    extra.length > 0 ? `unexpected ${extra.join(', ')}` : '',
    missing.length === 0 && extra.length === 0 ? 'same columns in another order' : '',
  ]
    .filter((s) => s !== '')
    .join('; ');
  return `expected columns ${want.join(',')} but found ${found.join(',')} (${detail})`;
}
