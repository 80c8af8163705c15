// Finds the four tables in a folder and streams their records with csv-parse, with physical line numbers.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline, Transform } from 'node:stream';
import zlib from 'node:zlib';
import { type CsvError, parse, type Parser } from 'csv-parse';
import { badInput } from '../errors';
import { TABLE_NAMES, type TableName } from '../domain';
import { headerProblem } from './tables';

export interface TableFile {
  table: TableName;
  path: string;
  /** File name as shown in messages and in the rejects file, e.g. `user_course_views.csv.gz`. */
  name: string;
}

export interface CsvRecord {
  fields: string[];
  /** 1-based physical line where the record starts (the header is line 1). */
  line: number;
}

/** A physical line csv-parse could not turn into a record (broken quoting), with the parser's message. */
export interface UnreadableLine {
  line: number;
  reason: string;
}

export type CsvItem = CsvRecord | UnreadableLine;

export function isUnreadable(item: CsvItem): item is UnreadableLine {
  return (item as UnreadableLine).reason !== undefined;
}

/**
 * The longest record read, in characters: a longer one (an unclosed quote swallowing what follows) is rejected
 * on its first line and reading resumes on the next line, so memory stays bounded whatever the file holds.
 */
export const MAX_RECORD_CHARS = 65_536;

interface Skip {
  /** csv-parse's error code, e.g. CSV_MAX_RECORD_SIZE. */
  code: string;
  /** Records emitted before the error (header and blank lines included). */
  records: number;
  /** Line the parser had reached when it gave up on the record. */
  lines: number;
  message: string;
}

/** Locates each table as `<name>.csv` or `<name>.csv.gz`; every problem is named in one message. */
export function findTables(dir: string): TableFile[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw badInput(`--data: expected a folder holding ${TABLE_NAMES.map((t) => `${t}.csv`).join(', ')}, got ${dir}`);
  }
  const problems: string[] = [];
  const files: TableFile[] = [];
  for (const table of TABLE_NAMES) {
    const found = [`${table}.csv`, `${table}.csv.gz`].filter((n) => fs.existsSync(path.join(dir, n)));
    const [name] = found;
    if (name === undefined) problems.push(`${table}.csv (or .csv.gz) is missing`);
    else if (found.length > 1) problems.push(`both ${found.join(' and ')} exist: keep one`);
    else files.push({ table, path: path.join(dir, name), name });
  }
  if (problems.length > 0) throw badInput(`Cannot import ${dir}:\n  - ${problems.join('\n  - ')}`);
  return files;
}

/** Drops the first `lines` physical lines of a byte stream (to resume reading after a broken record). */
function dropLines(lines: number): Transform {
  let left = lines;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      let at = 0;
      while (left > 0 && at < chunk.length) {
        const nl = chunk.indexOf(10, at);
        if (nl === -1) {
          at = chunk.length;
          break;
        }
        at = nl + 1;
        left--;
      }
      done(null, at === 0 ? chunk : chunk.subarray(at));
    },
  });
}

function open(file: string, skipLines = 0): NodeJS.ReadableStream[] {
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const streams: NodeJS.ReadableStream[] = file.endsWith('.gz')
    ? [raw, zlib.createGunzip({ chunkSize: 1 << 18 })]
    : [raw];
  if (skipLines > 0) streams.push(dropLines(skipLines));
  return streams;
}

// Line numbers are counted here rather than with csv-parse's `info`, which halves its speed: blank lines are
// kept as one-field records (so every physical line is seen) and quoted newlines are counted in the fields.
function streamRecords(file: string, onSkip?: (s: Skip) => void, skipLines = 0): Parser {
  const csv = parse({
    bom: true,
    trim: true,
    relax_column_count: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_CHARS,
    on_skip: (err: CsvError | undefined) => {
      const e = err as (CsvError & { records?: number; lines?: number }) | undefined;
      onSkip?.({
        code: e?.code ?? '',
        records: e?.records ?? 0,
        lines: e?.lines ?? 0,
        message: e?.message ?? 'unreadable record',
      });
      return undefined;
    },
  });
  // pipeline forwards a read or gunzip error to the parser, so iterating it throws instead of hanging.
  pipeline(
    [...open(file, skipLines), csv] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream],
    () => undefined,
  );
  return csv;
}

function newlines(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) {
    for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) n++;
  }
  return n;
}

/** The header of a file: its first non-blank record, or undefined for an empty file. */
export async function readHeader(file: TableFile): Promise<string[] | undefined> {
  const csv = streamRecords(file.path);
  try {
    for await (const fields of csv as AsyncIterable<string[]>)
      if (fields.length !== 1 || fields[0] !== '') return fields;
    return undefined;
  } finally {
    csv.destroy();
  }
}

/**
 * Checks the headers of all tables and throws one BAD_USER_INPUT naming every file whose header is wrong,
 * with the expected and the found columns. Nothing is written before this passes.
 */
export async function checkHeaders(files: readonly TableFile[]): Promise<void> {
  const problems: string[] = [];
  for (const f of files) {
    let problem: string | undefined;
    try {
      problem = headerProblem(f.table, await readHeader(f));
    } catch (err) {
      problem = `cannot be read: ${(err as Error).message}`;
    }
    if (problem !== undefined) problems.push(`${f.name}: ${problem}`);
  }
  if (problems.length > 0) {
    throw badInput(`Refusing to import: nothing was written.\n  - ${problems.join('\n  - ')}`);
  }
}

/** Resolves when the parser has records to read, has ended or was closed; rejects on its error. */
function readable(csv: Parser): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      off();
      resolve();
    };
    const fail = (err: Error) => {
      off();
      reject(err);
    };
    const off = () => {
      csv.off('readable', done);
      csv.off('end', done);
      csv.off('close', done);
      csv.off('error', fail);
    };
    csv.on('readable', done);
    csv.on('end', done);
    csv.on('close', done);
    csv.on('error', fail);
  });
}

/**
 * The data records of a table (header and blank lines left out), in file order, in chunks of whatever the
 * parser holds: one promise per chunk rather than per record. Where csv-parse gives up on broken quoting it
 * cannot tell where the next record starts, so every physical line it skipped comes out as an
 * UnreadableLine: nothing is dropped without a line number. A record running over MAX_RECORD_CHARS (an
 * unclosed quote) is one UnreadableLine, and a new parser resumes on the line after it.
 */
export async function* records(file: TableFile): AsyncGenerator<CsvItem[]> {
  let resumeAt = 0; // physical lines consumed by earlier parsers
  for (;;) {
    const parsed = parseFrom(file, resumeAt);
    let next: IteratorResult<CsvItem[], number | undefined>;
    while (!(next = await parsed.next()).done) yield next.value;
    if (next.value === undefined) return;
    resumeAt = next.value;
  }
}

/**
 * One parser's records, starting after `offset` physical lines; returns the line to resume after when a
 * record ran over MAX_RECORD_CHARS, else undefined at the end of the file.
 */
async function* parseFrom(file: TableFile, offset: number): AsyncGenerator<CsvItem[], number | undefined> {
  const skips: Skip[] = [];
  const csv = streamRecords(file.path, (s) => skips.push(s), offset);
  let failure: Error | undefined;
  csv.on('error', (err: Error) => (failure = err));
  let seen = 0; // records taken from the parser, blank lines and header included
  let lastLine = offset; // last physical line accounted for
  let header = offset === 0;
  let tooLong: number | undefined;
  const unreadable = (out: CsvItem[]) => {
    for (let s = skips[0]; s !== undefined && s.records <= seen && tooLong === undefined; s = skips[0]) {
      skips.shift();
      const first = lastLine + 1;
      if (s.code === 'CSV_MAX_RECORD_SIZE') {
        out.push({
          line: first,
          reason: `not valid CSV: the record starting on this line runs over ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters (an unclosed quote?); reading resumes on the next line`,
        });
        lastLine = first;
        tooLong = first;
        return;
      }
      const last = Math.max(offset + s.lines, first);
      for (let line = first; line <= last; line++) {
        const reason =
          line === first
            ? `not valid CSV: ${s.message}`
            : `not valid CSV: swallowed by the broken quoting that starts on line ${first}`;
        out.push({ line, reason });
      }
      lastLine = last;
    }
  };
  try {
    for (;;) {
      const out: CsvItem[] = [];
      let fields: string[] | null;
      while ((fields = csv.read() as string[] | null) !== null) {
        if (skips.length > 0) unreadable(out);
        if (tooLong !== undefined) break;
        seen++;
        const line = lastLine + 1;
        lastLine += 1 + newlines(fields);
        if (fields.length === 1 && fields[0] === '') continue;
        if (header) {
          header = false;
          continue;
        }
        out.push({ fields, line });
      }
      if (failure !== undefined) throw failure;
      // After a record over the cap csv-parse reads on without emitting anything: this parser is done.
      if (skips.length > 0 && tooLong === undefined) unreadable(out);
      if (tooLong !== undefined) {
        if (out.length > 0) yield out;
        return tooLong;
      }
      if (csv.readableEnded || csv.destroyed) {
        unreadable(out);
        if (out.length > 0) yield out;
        return undefined;
      }
      // After a yield the consumer may have awaited long enough for the parser to end: look again first.
      if (out.length > 0) yield out;
      else await readable(csv);
    }
  } finally {
    csv.destroy();
  }
}
