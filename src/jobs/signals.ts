// Reads users' signals from the graph into sparse matrices over dense indices (user handle order, tag and course names).
import { csrFromTriples } from '../similarity/csr';
import type { Csr } from '../similarity/types';
import type { SimilarityRepository, StoredSignalNames } from '../graph/similarity-repository';
import { decodeSignal, encodeSignal, STORED_SIGNALS, type StoredSignal } from './signal-blobs';

/** Coordinate triples in growable typed arrays, so millions of entries cost 12 bytes each, not objects. */
export class TripleBuffer {
  row = new Int32Array(1024);
  col = new Int32Array(1024);
  val = new Float32Array(1024);
  length = 0;

  push(r: number, c: number, v: number): void {
    if (this.length === this.row.length) {
      const grow = <T extends Int32Array | Float32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.row = grow(this.row, (n) => new Int32Array(n));
      this.col = grow(this.col, (n) => new Int32Array(n));
      this.val = grow(this.val, (n) => new Float32Array(n));
    }
    this.row[this.length] = r;
    this.col[this.length] = c;
    this.val[this.length] = v;
    this.length++;
  }

  toCsr(rows: number, cols: number, combine: 'sum' | 'max'): Csr {
    const n = this.length;
    return csrFromTriples(
      rows,
      cols,
      this.row.subarray(0, n),
      this.col.subarray(0, n),
      this.val.subarray(0, n),
      combine,
    );
  }
}

/** Assigns dense indices to names in first-seen order. */
export class Dictionary {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();

  id(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.index.set(name, i);
      this.names.push(name);
    }
    return i;
  }

  get(name: string): number | undefined {
    return this.index.get(name);
  }

  get size(): number {
    return this.names.length;
  }

  /**
   * Puts the names from index `start` on in name order (those before keep their indices) and returns where each
   * index went (identity before `start`), or undefined when nothing moved. A read numbers names as they first come,
   * in the order Neo4j returns users, which can differ between imports of the same data (the importer writes users
   * concurrently); sorted, the columns and the order sums run in are the same whatever that order was.
   */
  sortFrom(start: number): Int32Array | undefined {
    const added = this.names.slice(start);
    const sorted = [...added].sort();
    if (sorted.every((name, i) => name === added[i])) return undefined;
    const moved = Int32Array.from({ length: this.names.length }, (_, i) => i);
    sorted.forEach((name, i) => {
      moved[this.index.get(name)!] = start + i;
      this.index.set(name, start + i);
      this.names[start + i] = name;
    });
    return moved;
  }
}

/** Renumbers `ids[0 .. length)` through `moved` (as Dictionary.sortFrom returns it), in place. */
function renumber(ids: Int32Array, length: number, moved: Int32Array | undefined): void {
  if (moved === undefined) return;
  for (let p = 0; p < length; p++) ids[p] = moved[ids[p]!]!;
}

/** Users, in ascending handle order: row r of every matrix is the user with handle handles[r]. */
export class UserIndex {
  /**
   * Rows by handle, when the handles are small non-negative integers (as generated and real ones are): a typed array
   * looked up in a few nanoseconds, where a Map of numbers read from a Float64Array takes about 300 ns a lookup (the
   * job looks up every neighbour of every list). Otherwise (sparse or non-integer handles) a Map.
   */
  private readonly dense: Int32Array | undefined;
  private readonly index: Map<number, number> | undefined;

  constructor(readonly handles: Float64Array) {
    let max = -1;
    let integral = true;
    for (const h of handles) {
      if (!(Number.isInteger(h) && h >= 0)) integral = false;
      else if (h > max) max = h;
    }
    if (integral && max < Math.max(DENSE_HANDLES_MIN, DENSE_HANDLES_PER_USER * handles.length)) {
      this.dense = new Int32Array(max + 1).fill(-1);
      handles.forEach((h, i) => (this.dense![h] = i));
    } else {
      this.index = new Map<number, number>();
      handles.forEach((h, i) => this.index!.set(h, i));
    }
  }

  get size(): number {
    return this.handles.length;
  }

  /** The row of a handle; undefined for a handle not in the index (e.g. a user created after it was read). */
  row(handle: number): number | undefined {
    if (this.dense !== undefined) {
      // A typed array answers undefined for a negative, fractional or too large index.
      const r = this.dense[handle];
      return r === undefined || r < 0 ? undefined : r;
    }
    return this.index!.get(handle);
  }
}

/** A dense handle table holds up to this many entries per user (and at least DENSE_HANDLES_MIN): 4 bytes each. */
const DENSE_HANDLES_PER_USER = 8;
const DENSE_HANDLES_MIN = 1 << 16;

/** The raw signals of the graph, each a users x something matrix sharing the user rows. */
export interface Signals {
  users: UserIndex;
  tags: Dictionary;
  courses: Dictionary;
  /** users x tags, 1 per followed tag. */
  interests?: Csr;
  /** users x courses, total view seconds (an entry per viewed course, even at 0 s). */
  views?: Csr;
  /** users x tags, the best score over the attempts on that tag. */
  assessments?: Csr;
  /** courses x tags, 1 per course tag (courses indexed as in `views`). */
  courseTags?: Csr;
}

// A user's items arrive in the order Neo4j keeps the user's relationships, which changes as other relationships are
// written (a shard's SIMILAR_TO edges turn users into dense nodes): sorted by name, they give the same dictionary
// order, hence the same columns and the same seeded validation split, whenever the same data is read.
const byName = (names: readonly string[]): string[] => [...names].sort();
const byFirst = <T>(pairs: readonly [string, T][]): [string, T][] =>
  [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

export type SignalName = 'interests' | 'views' | 'assessments' | 'courseTags';

/**
 * Loads signals lazily and once each: a model asks for what it needs, and the time spent reading is
 * reported to the caller that triggered the read. Users created after the user list was read are ignored.
 */
export class SignalLoader {
  readonly signals: Signals;
  /** Where each loaded signal came from: the graph, or stored rows with the users changed since from the graph. */
  readonly source = new Map<SignalName, 'graph' | 'stored'>();
  private readonly pending = new Map<SignalName, Promise<void>>();

  private constructor(
    private readonly repo: SimilarityRepository,
    users: UserIndex,
    private readonly stored?: { names: StoredSignalNames; changed: Set<number> },
  ) {
    this.signals = { users, tags: new Dictionary(), courses: new Dictionary() };
    // Stored rows index the names as they were stored: the dictionaries start from them (new names come after).
    if (stored !== undefined) {
      for (const t of stored.names.tags) this.signals.tags.id(t);
      for (const c of stored.names.courses) this.signals.courses.id(c);
    }
  }

  /**
   * A loader over the graph's users. With `fromStored`, the users' signals come from the newest stored signal rows
   * (when there are some) and only the users an import stamped since they were read come from the graph: the same
   * rows as reading them all, the columns in the stored order.
   */
  static async open(repo: SimilarityRepository, opts: { fromStored?: boolean } = {}): Promise<SignalLoader> {
    const users = new UserIndex(await repo.userHandles());
    const names = opts.fromStored === true ? await repo.storedSignalNames() : null;
    if (names === null) return new SignalLoader(repo, users);
    const changed = new Set(await repo.changedUsers(names.asOf));
    return new SignalLoader(repo, users, { names, changed });
  }

  /**
   * Keeps the user signals loaded so far (interests, views, assessments), as read at `asOf` (the database's clock
   * before this loader read the graph), for a later incremental run; the rows of older reads go.
   */
  async store(asOf: string): Promise<{ signals: StoredSignal[]; chunks: number }> {
    const s = this.signals;
    const signals = STORED_SIGNALS.filter((n) => s[n] !== undefined);
    if (signals.length === 0) return { signals, chunks: 0 };
    const chunks = signals.flatMap((n) => encodeSignal(n, s[n]!, s.users.handles));
    await this.repo.writeSignalRows({ asOf, tags: s.tags.names, courses: s.courses.names, signals }, chunks);
    await this.repo.deleteSignalRows(asOf);
    return { signals, chunks: chunks.length };
  }

  /** Loads the named signals not loaded yet; returns the rows read. */
  async need(names: SignalName[]): Promise<number> {
    let rows = 0;
    // Views before course tags, so that course indices follow the views and courses nobody viewed come last.
    const order: SignalName[] = ['interests', 'views', 'assessments', 'courseTags'];
    for (const name of order.filter((n) => names.includes(n))) {
      if (this.signals[name] !== undefined) continue;
      let p = this.pending.get(name);
      if (p === undefined) {
        p = this.load(name).then((n) => {
          rows += n;
        });
        this.pending.set(name, p);
      }
      await p;
    }
    return rows;
  }

  /**
   * Pushes the stored rows of a signal (users changed since left out) and returns the changed users to read from
   * the graph; null when the signal is not stored (or its chunks are not whole): read it all from the graph.
   */
  private async fromStored(name: SignalName, buf: TripleBuffer): Promise<number[] | null> {
    const stored = this.stored;
    if (stored === undefined || !stored.names.signals.includes(name) || name === 'courseTags') {
      return null;
    }
    const cols = name === 'views' ? stored.names.courses.length : stored.names.tags.length;
    const rows = decodeSignal(await this.repo.signalRows(stored.names.asOf, name), cols);
    if (rows === null) return null;
    const users = this.signals.users;
    for (let i = 0; i < rows.handles.length; i++) {
      const h = rows.handles[i]!;
      const r = users.row(h);
      if (r === undefined || stored.changed.has(h)) continue;
      for (let p = rows.offsets[i]!; p < rows.offsets[i + 1]!; p++) buf.push(r, rows.cols[p]!, rows.vals[p]!);
    }
    this.source.set(name, 'stored');
    return [...stored.changed].filter((h) => users.row(h) !== undefined).sort((a, b) => a - b);
  }

  private async load(name: SignalName): Promise<number> {
    const s = this.signals;
    const users = s.users;
    const buf = new TripleBuffer();
    let rows = 0;
    const tagsBefore = s.tags.size;
    const coursesBefore = s.courses.size;
    const changed = await this.fromStored(name, buf);
    if (changed === null) this.source.set(name, 'graph');
    // Names this read added, in name order: renumbers the buffer's tag and course indices before it becomes a matrix.
    const sortNew = (): void => {
      const tags = s.tags.sortFrom(tagsBefore);
      const courses = s.courses.sortFrom(coursesBefore);
      if (name === 'courseTags') {
        renumber(buf.row, buf.length, courses);
        renumber(buf.col, buf.length, tags);
      } else renumber(buf.col, buf.length, name === 'views' ? courses : tags);
    };
    switch (name) {
      case 'interests':
        rows = await (
          changed !== null
            ? (f: (handle: number, tags: string[]) => void) => this.repo.eachInterestOf(changed, f)
            : (f: (handle: number, tags: string[]) => void) => this.repo.eachInterest(f)
        )((handle, tags) => {
          const r = users.row(handle);
          if (r === undefined) return;
          for (const t of byName(tags)) buf.push(r, s.tags.id(t), 1);
        });
        sortNew();
        s.interests = buf.toCsr(users.size, s.tags.size, 'max');
        break;
      case 'views':
        rows = await (
          changed !== null
            ? (f: (handle: number, views: [string, number][]) => void) => this.repo.eachViewsOf(changed, f)
            : (f: (handle: number, views: [string, number][]) => void) => this.repo.eachViews(f)
        )((handle, views) => {
          const r = users.row(handle);
          if (r === undefined) return;
          for (const [course, seconds] of byFirst(views)) buf.push(r, s.courses.id(course), Math.max(0, seconds));
        });
        sortNew();
        s.views = buf.toCsr(users.size, s.courses.size, 'sum');
        break;
      case 'assessments':
        rows = await (
          changed !== null
            ? (f: (handle: number, scores: [string, number][]) => void) => this.repo.eachAssessmentsOf(changed, f)
            : (f: (handle: number, scores: [string, number][]) => void) => this.repo.eachAssessments(f)
        )((handle, scores) => {
          const r = users.row(handle);
          if (r === undefined) return;
          for (const [tag, score] of byFirst(scores)) buf.push(r, s.tags.id(tag), Math.max(0, score));
        });
        sortNew();
        s.assessments = buf.toCsr(users.size, s.tags.size, 'max');
        break;
      case 'courseTags':
        rows = await this.repo.eachCourseTags((course, tags) => {
          const c = s.courses.id(course);
          for (const t of byName(tags)) buf.push(c, s.tags.id(t), 1);
        });
        sortNew();
        s.courseTags = buf.toCsr(s.courses.size, s.tags.size, 'max');
        break;
    }
    return rows;
  }
}

/** The same matrix with more (empty) columns, so matrices read at different times share one tag or course space. */
export function widen(m: Csr, cols: number): Csr {
  if (cols < m.cols) throw new RangeError(`expected at least ${m.cols} columns, but got ${cols}`);
  return cols === m.cols ? m : { ...m, cols };
}
