// Finds the four tables in a folder and streams their records with csv-parse, with physical line numbers.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { type CsvError, parse, type Parser } from 'csv-parse';
import { badInput } from '../errors';
import { headerProblem, TABLE_NAMES, type TableName } from './tables';

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

export interface SkippedRecord {
  line: number;
  reason: string;
  raw: string;
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

function open(file: string): NodeJS.ReadableStream[] {
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  return file.endsWith('.gz') ? [raw, zlib.createGunzip({ chunkSize: 1 << 18 })] : [raw];
}

function parser(onSkip?: (s: SkippedRecord) => void): Parser {
  return parse({
    bom: true,
    trim: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      if (onSkip === undefined) return undefined;
      const lines = (err as (CsvError & { lines?: number }) | undefined)?.lines ?? 0;
      onSkip({ line: lines, reason: `not valid CSV: ${err?.message ?? 'unreadable record'}`, raw: raw ?? '' });
      return undefined;
    },
  });
}

function streamRecords(file: string, onSkip?: (s: SkippedRecord) => void): Parser {
  const csv = parser(onSkip);
  // pipeline forwards a read or gunzip error to the parser, so iterating it throws instead of hanging.
  pipeline([...open(file), csv] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], () => undefined);
  return csv;
}

function newlines(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) {
    for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) n++;
  }
  return n;
}

/** The header of a file: its first record, or undefined for an empty file. */
export async function readHeader(file: TableFile): Promise<string[] | undefined> {
  const csv = streamRecords(file.path);
  try {
    for await (const rec of csv as AsyncIterable<{ record: string[] }>) return rec.record;
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

/**
 * The data records of a table (the header skipped), in file order. Records csv-parse cannot read at all
 * (broken quoting) go to onSkip with their line; every other record comes out, whatever its column count.
 */
export async function* records(file: TableFile, onSkip: (s: SkippedRecord) => void): AsyncGenerator<CsvRecord> {
  const csv = streamRecords(file.path, onSkip);
  let header = true;
  try {
    for await (const rec of csv as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (header) {
        header = false;
        continue;
      }
      yield { fields: rec.record, line: rec.info.lines - newlines(rec.record) };
    }
  } finally {
    csv.destroy();
  }
}
