// Batches of validated rows, aggregated into the shapes the graph stores: one entry per user holding one entry
// per (user, course) or (user, tag). Pure: no I/O; the importer hands take()'s result to the repository.
import type {
  CourseTagsWrite,
  CourseWrite,
  TagWrite,
  UserAssessmentsWrite,
  UserInterestsWrite,
  UserViewsWrite,
} from '../graph/ingest-repository';
import { type AssessmentRow, type CourseTagRow, type InterestRow, Rejection, type ViewRow } from './tables';

/**
 * What was already written in this run under each key (a tag's raw spellings, a course's level and author),
 * so that it is not sent again. Looked up without building key strings, as it is asked once per row.
 * Bounded: past `cap` entries it starts over, which only costs a few idempotent re-writes.
 */
export class Written<T> {
  private map = new Map<string, T[]>();
  private entries = 0;
  constructor(
    private readonly same: (a: T, b: T) => boolean,
    private readonly cap = 200_000,
  ) {}

  has(key: string, value: T): boolean {
    const list = this.map.get(key);
    if (list === undefined) return false;
    for (const v of list) if (this.same(v, value)) return true;
    return false;
  }

  add(key: string, value: T): void {
    if (this.has(key, value)) return;
    if (this.entries >= this.cap) {
      this.map = new Map();
      this.entries = 0;
    }
    const list = this.map.get(key);
    if (list === undefined) this.map.set(key, [value]);
    else list.push(value);
    this.entries++;
  }

  clear(): void {
    this.map = new Map();
    this.entries = 0;
  }
}

/** Raw spellings written, by canonical tag name. */
export const writtenTags = (cap?: number) => new Written<string>((a, b) => a === b, cap);

/** Level and author written, by course id. */
export const writtenCourses = (cap?: number) =>
  new Written<Omit<CourseWrite, 'id'>>((a, b) => a.level === b.level && a.author === b.author, cap);

/** Raw tag spellings of one batch by canonical name, leaving out the pairs already written. */
class TagCollector {
  private byName = new Map<string, Set<string>>();
  constructor(private readonly written: Written<string>) {}

  add(name: string, raw: string): void {
    if (this.written.has(name, raw)) return;
    let raws = this.byName.get(name);
    if (raws === undefined) this.byName.set(name, (raws = new Set()));
    raws.add(raw);
  }

  take(): TagWrite[] {
    const out: TagWrite[] = [];
    for (const [name, raws] of this.byName) {
      for (const raw of raws) this.written.add(name, raw);
      out.push({ name, aliases: [...raws].sort() });
    }
    this.byName = new Map();
    return out;
  }
}

/** Sorts ascending by the first element; keys are ISO dates or date-times, so string order is time order. */
function byKey<V>(entries: Iterable<[string, V]>): [string, V][] {
  return [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export interface RowBatch<T, W> {
  /** Rows added since the last take(). */
  readonly rows: number;
  /** Adds a valid row; a Rejection when it contradicts a row already in the batch. */
  add(row: T, line: number): Rejection | undefined;
  /** The batch as graph writes; the batch is empty afterwards. */
  take(): W;
}

export interface CourseTagsBatchWrite {
  tags: TagWrite[];
  courses: CourseTagsWrite[];
}

export class CourseTagsBatch implements RowBatch<CourseTagRow, CourseTagsBatchWrite> {
  rows = 0;
  private courses = new Map<string, Set<string>>();
  private readonly tags: TagCollector;
  constructor(written: Written<string>) {
    this.tags = new TagCollector(written);
  }

  add(row: CourseTagRow): undefined {
    this.rows++;
    let tags = this.courses.get(row.course);
    if (tags === undefined) this.courses.set(row.course, (tags = new Set()));
    if (row.tag !== '') {
      tags.add(row.tag);
      this.tags.add(row.tag, row.rawTag);
    }
    return undefined;
  }

  take(): CourseTagsBatchWrite {
    const courses = [...this.courses].map(([id, tags]) => ({ id, tags: [...tags] }));
    this.courses = new Map();
    this.rows = 0;
    return { tags: this.tags.take(), courses };
  }
}

export interface ViewsBatchWrite {
  courses: CourseWrite[];
  users: UserViewsWrite[];
}

interface Day {
  seconds: number;
  line: number;
}

export class ViewsBatch implements RowBatch<ViewRow, ViewsBatchWrite> {
  rows = 0;
  private users = new Map<number, Map<string, Map<string, Day>>>();
  private courses: CourseWrite[] = [];
  private readonly pending = writtenCourses();
  constructor(private readonly written: Written<Omit<CourseWrite, 'id'>>) {}

  add(row: ViewRow, line: number): Rejection | undefined {
    let courses = this.users.get(row.handle);
    if (courses === undefined) this.users.set(row.handle, (courses = new Map<string, Map<string, Day>>()));
    let days = courses.get(row.course);
    if (days === undefined) courses.set(row.course, (days = new Map<string, Day>()));
    const earlier = days.get(row.date);
    // Only another time for the same day contradicts; course level and author are first-seen-wins anyway.
    if (earlier !== undefined && earlier.seconds !== row.seconds) {
      return new Rejection(
        `another row for user ${row.handle}, course ${row.course} on ${row.date} (line ${earlier.line}, ${earlier.seconds} s) was imported first`,
      );
    }
    if (earlier === undefined) days.set(row.date, { seconds: row.seconds, line });
    if (!this.written.has(row.course, row) && !this.pending.has(row.course, row)) {
      const course = { id: row.course, level: row.level, author: row.author };
      this.pending.add(row.course, course);
      this.courses.push(course);
    }
    this.rows++;
    return undefined;
  }

  take(): ViewsBatchWrite {
    const users: UserViewsWrite[] = [];
    for (const [handle, courses] of this.users) {
      const views: UserViewsWrite['views'] = [];
      for (const [course, days] of courses) {
        const sorted = byKey(days);
        const secs = sorted.map((d) => d[1].seconds);
        views.push({ course, dates: sorted.map((d) => d[0]), secs, seconds: secs.reduce((a, b) => a + b, 0) });
      }
      users.push({ handle, views });
    }
    const courses = this.courses;
    for (const c of courses) this.written.add(c.id, c);
    this.users = new Map();
    this.courses = [];
    this.pending.clear();
    this.rows = 0;
    return { courses, users };
  }
}

export interface InterestsBatchWrite {
  tags: TagWrite[];
  users: UserInterestsWrite[];
}

export class InterestsBatch implements RowBatch<InterestRow, InterestsBatchWrite> {
  rows = 0;
  private users = new Map<number, Map<string, Set<string>>>();
  private readonly tags: TagCollector;
  constructor(written: Written<string>) {
    this.tags = new TagCollector(written);
  }

  add(row: InterestRow): undefined {
    let tags = this.users.get(row.handle);
    if (tags === undefined) this.users.set(row.handle, (tags = new Map<string, Set<string>>()));
    let times = tags.get(row.tag);
    if (times === undefined) tags.set(row.tag, (times = new Set()));
    // Two spellings of one tag followed at the same time are one follow of the canonical tag.
    times.add(row.at);
    this.tags.add(row.tag, row.rawTag);
    this.rows++;
    return undefined;
  }

  take(): InterestsBatchWrite {
    const users: UserInterestsWrite[] = [];
    for (const [handle, tags] of this.users) {
      users.push({ handle, tags: [...tags].map(([name, times]) => ({ name, times: [...times].sort() })) });
    }
    this.users = new Map();
    this.rows = 0;
    return { tags: this.tags.take(), users };
  }
}

export interface AssessmentsBatchWrite {
  tags: TagWrite[];
  users: UserAssessmentsWrite[];
}

interface Attempt {
  tag: string;
  at: string;
  score: number;
  line: number;
}

export class AssessmentsBatch implements RowBatch<AssessmentRow, AssessmentsBatchWrite> {
  rows = 0;
  private users = new Map<number, Map<string, Attempt>>();
  private readonly tags: TagCollector;
  constructor(written: Written<string>) {
    this.tags = new TagCollector(written);
  }

  add(row: AssessmentRow, line: number): Rejection | undefined {
    let attempts = this.users.get(row.handle);
    if (attempts === undefined) this.users.set(row.handle, (attempts = new Map<string, Attempt>()));
    const key = `${row.tag}\u0000${row.at}`;
    const earlier = attempts.get(key);
    // The same attempt under two spellings of one tag is one attempt; only a different score contradicts it.
    if (earlier !== undefined && earlier.score === row.score) {
      this.tags.add(row.tag, row.rawTag);
      this.rows++;
      return undefined;
    }
    if (earlier !== undefined) {
      return new Rejection(
        `another score for user ${row.handle}, tag ${row.tag} at ${row.at.replace('T', ' ')} (line ${earlier.line}, score ${earlier.score}) was imported first`,
      );
    }
    attempts.set(key, { tag: row.tag, at: row.at, score: row.score, line });
    this.tags.add(row.tag, row.rawTag);
    this.rows++;
    return undefined;
  }

  take(): AssessmentsBatchWrite {
    const users: UserAssessmentsWrite[] = [];
    for (const [handle, attempts] of this.users) {
      users.push({ handle, attempts: [...attempts.values()].map(({ tag, at, score }) => ({ tag, at, score })) });
    }
    this.users = new Map();
    this.rows = 0;
    return { tags: this.tags.take(), users };
  }
}
