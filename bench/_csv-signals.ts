// Builds the similarity job's signal matrices straight from the four CSV tables (no Neo4j), with the graph's
// semantics: canonical tag names, view seconds summed per (user, course), the best score per (user, tag).
import fs from 'node:fs';
import path from 'node:path';
import type { Csr } from '../src/similarity/types';
import { findTables, isUnreadable, records } from '../src/ingest/reader';
import { Dictionary, type Signals, TripleBuffer, UserIndex } from '../src/jobs/signals';
import { canonicalTag } from '../src/tags';

export async function loadSignalsFromCsv(dir: string): Promise<{ signals: Signals; rows: number }> {
  const tables = new Map(findTables(dir).map((t) => [t.table, t]));
  const tags = new Dictionary();
  const courses = new Dictionary();
  const handles = new Map<number, number>(); // handle -> provisional id
  const handleList: number[] = [];
  const user = (text: string): number => {
    const h = Number(text);
    let id = handles.get(h);
    if (id === undefined) {
      id = handleList.length;
      handles.set(h, id);
      handleList.push(h);
    }
    return id;
  };
  const interests = new TripleBuffer();
  const views = new TripleBuffer();
  const assessments = new TripleBuffer();
  const courseTags = new TripleBuffer();
  let rows = 0;
  const each = async (name: string, onRow: (f: string[]) => void) => {
    const file = tables.get(name as never);
    if (file === undefined) return;
    for await (const chunk of records(file)) {
      for (const item of chunk) {
        if (isUnreadable(item)) continue;
        rows++;
        onRow(item.fields);
      }
    }
  };
  await each('user_interests', (f) => {
    const t = canonicalTag(f[1] ?? '');
    if (t !== '') interests.push(user(f[0]!), tags.id(t), 1);
  });
  await each('user_course_views', (f) => views.push(user(f[0]!), courses.id(f[2]!), Math.max(0, Number(f[5]) || 0)));
  await each('user_assessment_scores', (f) => {
    const t = canonicalTag(f[1] ?? '');
    if (t !== '') assessments.push(user(f[0]!), tags.id(t), Math.max(0, Number(f[3]) || 0));
  });
  await each('course_tags', (f) => {
    const t = canonicalTag(f[1] ?? '');
    if (t !== '') courseTags.push(courses.id(f[0]!), tags.id(t), 1);
  });
  // Rows follow ascending handles, as in the job; remap the provisional ids.
  const sorted = Float64Array.from(handleList).sort();
  const users = new UserIndex(sorted);
  const remap = Int32Array.from(handleList, (h) => users.row(h)!);
  for (const b of [interests, views, assessments]) for (let i = 0; i < b.length; i++) b.row[i] = remap[b.row[i]!]!;
  const n = users.size;
  return {
    signals: {
      users,
      tags,
      courses,
      interests: interests.toCsr(n, tags.size, 'max'),
      views: views.toCsr(n, courses.size, 'sum'),
      assessments: assessments.toCsr(n, tags.size, 'max'),
      courseTags: courseTags.toCsr(courses.size, tags.size, 'max'),
    },
    rows,
  };
}

const MATRICES = ['interests', 'views', 'assessments', 'courseTags'] as const;

/** Saves the signal matrices as raw arrays plus a JSON header, so later processes skip parsing the CSV. */
export function saveSignals(dir: string, s: Signals): void {
  fs.mkdirSync(dir, { recursive: true });
  const shapes: Record<string, [number, number]> = {};
  for (const name of MATRICES) {
    const m = s[name]!;
    shapes[name] = [m.rows, m.cols];
    fs.writeFileSync(path.join(dir, `${name}.indptr.i32`), m.indptr);
    fs.writeFileSync(path.join(dir, `${name}.indices.i32`), m.indices);
    fs.writeFileSync(path.join(dir, `${name}.data.f32`), m.data);
  }
  fs.writeFileSync(path.join(dir, 'handles.f64'), s.users.handles);
  fs.writeFileSync(
    path.join(dir, 'signals.json'),
    JSON.stringify({ shapes, tags: s.tags.size, courses: s.courses.size }, null, 2),
  );
}

function readArray<T>(file: string, make: (b: ArrayBuffer) => T): T {
  const buf = fs.readFileSync(file);
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  return make(copy);
}

/** Loads what saveSignals wrote (tag and course names are not kept: models only need their counts). */
export function loadSignals(dir: string): Signals {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'signals.json'), 'utf8')) as {
    shapes: Record<string, [number, number]>;
    tags: number;
    courses: number;
  };
  const dict = (n: number) => {
    const d = new Dictionary();
    for (let i = 0; i < n; i++) d.id(`#${i}`);
    return d;
  };
  const matrix = (name: string): Csr => {
    const [rows, cols] = meta.shapes[name]!;
    return {
      rows,
      cols,
      indptr: readArray(path.join(dir, `${name}.indptr.i32`), (b) => new Int32Array(b)),
      indices: readArray(path.join(dir, `${name}.indices.i32`), (b) => new Int32Array(b)),
      data: readArray(path.join(dir, `${name}.data.f32`), (b) => new Float32Array(b)),
    };
  };
  return {
    users: new UserIndex(readArray(path.join(dir, 'handles.f64'), (b) => new Float64Array(b))),
    tags: dict(meta.tags),
    courses: dict(meta.courses),
    interests: matrix('interests'),
    views: matrix('views'),
    assessments: matrix('assessments'),
    courseTags: matrix('courseTags'),
  };
}
