// The import: stream each table, validate every record, aggregate into batches, write them in a few concurrent
// transactions while the next batch is being read, and count every record as imported, duplicate or rejected.
import fs from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors';
import { failureOf, type Graph, neo4jCodeOf } from '../graph/executor';
import { type GraphCounts, IngestRepository } from '../graph/ingest-repository';
import { consoleLogger, type Logger, progress } from '../log';
import {
  AssessmentsBatch,
  CourseTagsBatch,
  InterestsBatch,
  type RowBatch,
  ViewsBatch,
  writtenCourses,
  writtenTags,
} from './batch';
import { isUnreadable, records, type TableFile } from './reader';
import { csvRow, RejectsWriter } from './rejects';
import type { TableName } from '../domain';
import { parseRecord, Rejection } from './tables';

export interface ImportOptions {
  /** Rows per write transaction (a user's rows are kept together, so a batch may run a little over). */
  batchSize: number;
  /**
   * Write transactions in flight at once (default DEFAULT_IMPORT_WRITERS). A batch still waits for any in flight
   * that holds one of its users, or that adds courses or tags it may refer to.
   */
  writers?: number;
  rejectsPath: string;
  log?: Logger;
  /** Where progress goes (a live line on a terminal, plain lines otherwise). */
  progressStream?: NodeJS.WriteStream;
  /** How many rejects to echo in the log besides the rejects file. */
  echoRejects?: number;
  /** Stops the import between batches (Ctrl-C): the run stays recorded as incomplete, for the next run to redo. */
  signal?: AbortSignal;
  /** Import the rows of forgotten users too (and clear their forgotten mark); by default they are rejected. */
  includeForgotten?: boolean;
}

/** The import was stopped by its signal; what it wrote stays, and its ImportRun stays incomplete. */
export class ImportInterrupted extends AppError {
  constructor(reason: string) {
    super(
      'UNAVAILABLE',
      `import interrupted (${reason}): the graph holds part of the data; the next \`import\` of the folder or \`start\` redoes it`,
    );
    this.name = 'ImportInterrupted';
  }
}

export interface FileReport {
  table: TableName;
  file: string;
  /** Data records read (the header and blank lines are not records). */
  read: number;
  imported: number;
  duplicates: number;
  rejected: number;
  /** course_tags only: rows whose tag is blank; the course is imported without a tag (counted as imported). */
  blankTags: number;
  seconds: number;
}

export interface ImportReport {
  files: FileReport[];
  rejectsPath: string;
  rejects: number;
  seconds: number;
  /** process.resourceUsage().maxRSS at the end, in bytes. */
  peakRssBytes: number;
  batchSize: number;
  counts: GraphCounts;
  /** The ImportRun node recording this run, and how many earlier incomplete runs of the folder it redid. */
  runId: string;
  redone: number;
}

/** A batch bound to its write; take() snapshots the batch so the next one can fill while it is written. */
interface Sink<R> {
  readonly batch: RowBatch<R, unknown>;
  /** Rows of one group (a user, or a course in the catalogue) are kept in one batch where possible. */
  group(row: R): number | string;
  write(): Write;
}

/** One batch's write, and what decides which writes it may run beside. */
export interface Write {
  run: () => Promise<void>;
  /** The groups (users, courses) it writes: two writes that share one never run at once. */
  keys: ReadonlySet<number | string>;
  /**
   * It adds courses or tags that later batches match on (and that the importer no longer sends with them): every
   * later write waits for it to commit.
   */
  barrier: boolean;
}

/**
 * Default write transactions in flight: with one, the importer and Neo4j take turns and two cores sit 44% idle; 4
 * imported 1,000,000 users in 1,002 s (54,776 rows/s, bench/README.md, import). Writes that contend anyway are run
 * again alone (WriteQueue).
 */
export const DEFAULT_IMPORT_WRITERS = 4;

// Exact duplicates are looked for among the rows seen since the last group change past this many keys:
// the real files are grouped by user, so a repeat is always found there, and memory stays bounded.
const DEDUPE_KEYS = 250_000;

interface Job {
  keys: ReadonlySet<number | string>;
  barrier: boolean;
  done: Promise<void>;
}

function shareKey(a: ReadonlySet<number | string>, b: ReadonlySet<number | string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const k of small) if (large.has(k)) return true;
  return false;
}

/** What a WriteQueue does with a write that failed. */
export interface WriteQueueOptions {
  /**
   * The failure came from contention with the other writes in flight (a deadlock the driver's own retries did not
   * outlast): the write is run again alone instead of failing the import. Nothing is, by default.
   */
  retryAlone?: (err: unknown) => boolean;
  /** Told of each write that is to run again alone, with its failure. */
  onRetryAlone?: (err: unknown) => void;
}

/**
 * Up to `writers` writes in flight; reading goes on while they run. A write starts only when none in flight
 * shares a group with it (a user split across batches, or met again later in an ungrouped file, is created by one
 * transaction and merged by the next, never raced) and none in flight is a barrier (adds courses or tags). A write
 * failing on contention (options.retryAlone) is run again once the others in flight have ended, with nothing beside
 * it, before anything new starts; a transaction that failed wrote nothing, so running it again is safe. After any
 * other failure nothing more starts: submit and drain wait for the writes still in flight, then throw the failure.
 */
export class WriteQueue {
  private readonly inFlight = new Set<Job>();
  /** Writes that failed on contention, to run again alone before anything new starts. */
  private readonly again: Write[] = [];
  private failed = false;
  private error: unknown;
  /** Writes run again alone so far. */
  retriedAlone = 0;

  constructor(
    private readonly writers: number,
    private readonly options: WriteQueueOptions = {},
  ) {
    if (!Number.isInteger(writers) || writers < 1) throw new Error(`writers: expected an integer >= 1, got ${writers}`);
  }

  async submit(write: Write): Promise<void> {
    for (;;) {
      if (this.failed) return this.drain();
      if (this.again.length > 0) {
        await this.runAgainAlone();
        continue;
      }
      const blockers = [...this.inFlight].filter((j) => j.barrier || shareKey(j.keys, write.keys));
      if (blockers.length === 0 && this.inFlight.size < this.writers) break;
      await Promise.race((blockers.length > 0 ? blockers : [...this.inFlight]).map((j) => j.done));
    }
    const job: Job = { keys: write.keys, barrier: write.barrier, done: Promise.resolve() };
    job.done = write
      .run()
      .catch((err: unknown) => {
        if (!this.failed && this.options.retryAlone?.(err) === true) {
          this.again.push(write);
          this.options.onRetryAlone?.(err);
        } else this.fail(err);
      })
      .finally(() => this.inFlight.delete(job));
    this.inFlight.add(job);
  }

  async drain(): Promise<void> {
    for (;;) {
      await this.settle();
      if (this.failed) throw this.error;
      if (this.again.length === 0) return;
      await this.runAgainAlone();
    }
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.error = err;
  }

  /** Waits until no write is in flight (writes failing meanwhile may add to `again`). */
  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight].map((j) => j.done));
  }

  /** Runs the writes that failed on contention one at a time, nothing beside them; a second failure is final. */
  private async runAgainAlone(): Promise<void> {
    await this.settle();
    while (this.again.length > 0 && !this.failed) {
      const write = this.again.shift()!;
      this.retriedAlone++;
      try {
        await write.run();
      } catch (err) {
        this.fail(err);
      }
    }
  }
}

export class Importer {
  private readonly repo: IngestRepository;
  private readonly tagsWritten = writtenTags();
  private readonly coursesWritten = writtenCourses();
  private readonly log: Logger;
  private forgotten = new Set<number>();

  constructor(
    graph: Graph,
    private readonly opts: ImportOptions,
  ) {
    this.repo = new IngestRepository(graph);
    this.log = opts.log ?? consoleLogger;
  }

  /** Imports the tables in the given order (see TABLE_NAMES); the schema must already be applied. */
  async run(files: readonly TableFile[]): Promise<ImportReport> {
    const started = performance.now();
    this.checkSignal();
    // Recorded first: if this process dies, the next import or start finds the run incomplete and redoes it.
    if (this.opts.includeForgotten !== true) this.forgotten = await this.repo.forgottenHandles();
    const runId = randomUUID();
    const stats = files.map((f) => fs.statSync(f.path));
    await this.repo.beginImportRun({
      id: runId,
      dir: path.dirname(files[0]?.path ?? '.'),
      files: files.map((f) => f.name),
      sizes: stats.map((s) => s.size),
      mtimes: stats.map((s) => s.mtime.toISOString()),
      owner: `${hostname()}:${process.pid}`,
    });
    const rejects = RejectsWriter.create(this.opts.rejectsPath);
    const reports: FileReport[] = [];
    try {
      for (const file of files) reports.push(await this.importFile(file, rejects));
    } finally {
      await rejects.close();
    }
    if (this.opts.includeForgotten === true) {
      const back = await this.repo.unforgetImported();
      if (back > 0) this.log.info(`${back} forgotten user(s) imported again: no longer forgotten`);
    }
    const counts = await this.repo.counts();
    const sum = (k: 'read' | 'imported' | 'duplicates' | 'rejected') => reports.reduce((n, r) => n + r[k], 0);
    const redone = await this.repo.completeImportRun({
      id: runId,
      read: sum('read'),
      imported: sum('imported'),
      duplicates: sum('duplicates'),
      rejected: sum('rejected'),
      counts: JSON.stringify(counts),
    });
    return {
      runId,
      redone,
      files: reports,
      rejectsPath: rejects.path,
      rejects: rejects.count,
      seconds: (performance.now() - started) / 1000,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      batchSize: this.opts.batchSize,
      counts,
    };
  }

  private checkSignal(): void {
    const signal = this.opts.signal;
    if (signal?.aborted === true) throw new ImportInterrupted(String(signal.reason ?? 'aborted'));
  }

  private importFile(file: TableFile, rejects: RejectsWriter): Promise<FileReport> {
    const repo = this.repo;
    switch (file.table) {
      case 'course_tags': {
        const batch = new CourseTagsBatch(this.tagsWritten);
        return this.stream(file, rejects, (f) => parseRecord('course_tags', f), {
          batch,
          group: (r) => r.course,
          write: () => {
            const w = batch.take();
            return {
              run: () => repo.writeCourseTags(w.tags, w.courses),
              keys: new Set(w.courses.map((c) => c.id)),
              barrier: true,
            };
          },
        });
      }
      case 'user_course_views': {
        const batch = new ViewsBatch(this.coursesWritten);
        return this.stream(file, rejects, (f) => parseRecord('user_course_views', f), {
          batch,
          group: (r) => r.handle,
          write: () => {
            const w = batch.take();
            return {
              run: () => repo.writeViews(w.courses, w.users),
              keys: new Set(w.users.map((u) => u.handle)),
              barrier: w.courses.length > 0,
            };
          },
        });
      }
      case 'user_interests': {
        const batch = new InterestsBatch(this.tagsWritten);
        return this.stream(file, rejects, (f) => parseRecord('user_interests', f), {
          batch,
          group: (r) => r.handle,
          write: () => {
            const w = batch.take();
            return {
              run: () => repo.writeInterests(w.tags, w.users),
              keys: new Set(w.users.map((u) => u.handle)),
              barrier: w.tags.length > 0,
            };
          },
        });
      }
      case 'user_assessment_scores': {
        const batch = new AssessmentsBatch(this.tagsWritten);
        return this.stream(file, rejects, (f) => parseRecord('user_assessment_scores', f), {
          batch,
          group: (r) => r.handle,
          write: () => {
            const w = batch.take();
            return {
              run: () => repo.writeAssessments(w.tags, w.users),
              keys: new Set(w.users.map((u) => u.handle)),
              barrier: w.tags.length > 0,
            };
          },
        });
      }
    }
  }

  private async stream<R>(
    file: TableFile,
    rejects: RejectsWriter,
    parse: (fields: readonly string[]) => R | Rejection,
    sink: Sink<R>,
  ): Promise<FileReport> {
    const started = performance.now();
    const report: FileReport = {
      table: file.table,
      file: file.name,
      read: 0,
      imported: 0,
      duplicates: 0,
      rejected: 0,
      blankTags: 0,
      seconds: 0,
    };
    const bar = progress({ label: file.name, unit: 'rows', ...this.optionalStream() });
    const echo = this.opts.echoRejects ?? 20;
    // Returns a promise only when the rejects file asks to wait, so the common path stays synchronous.
    const reject = (line: number, reason: string, row: string): Promise<void> | undefined => {
      report.rejected++;
      if (rejects.count < echo) this.log.info(`  rejected ${file.name} line ${line}: ${reason}`);
      else if (rejects.count === echo) this.log.info(`  (further rejects only in ${rejects.path})`);
      return rejects.add({ file: file.name, line, reason, row });
    };
    const writes = new WriteQueue(this.opts.writers ?? DEFAULT_IMPORT_WRITERS, {
      // Transient and still failing after the driver's retries: contention with the other writes (a deadlock on a
      // tag most users share); alone, nothing contends with it.
      retryAlone: (err) => failureOf(err) === 'transient',
      onRetryAlone: (err) =>
        this.log.info(
          `  a write of ${file.name} kept failing beside the others (${neo4jCodeOf(err) ?? String(err)}); running it again alone`,
        ),
    });
    const batch = sink.batch;
    const limit = this.opts.batchSize;
    const seen = new Set<string>();
    const blankTags = file.table === 'course_tags';
    let group: number | string | undefined;

    for await (const items of records(file)) {
      if (this.opts.signal?.aborted === true) {
        await writes.drain();
        this.checkSignal();
      }
      for (const item of items) {
        report.read++;
        if (isUnreadable(item)) {
          const wait = reject(item.line, item.reason, '');
          if (wait !== undefined) await wait;
          continue;
        }
        const row = parse(item.fields);
        if (row instanceof Rejection) {
          const wait = reject(item.line, row.reason, csvRow(item.fields));
          if (wait !== undefined) await wait;
          continue;
        }
        const handle = (row as { handle?: unknown }).handle;
        if (typeof handle === 'number' && this.forgotten.has(handle)) {
          const wait = reject(
            item.line,
            `user ${handle} was forgotten (npm run forget); import --include-forgotten brings them back`,
            csvRow(item.fields),
          );
          if (wait !== undefined) await wait;
          continue;
        }
        const g = sink.group(row);
        if (g !== group) {
          if (batch.rows >= limit) await writes.submit(sink.write());
          if (seen.size >= DEDUPE_KEYS) seen.clear();
          group = g;
        } else if (batch.rows >= 4 * limit) {
          // One group far larger than a batch is split; the merge statements join its parts.
          await writes.submit(sink.write());
        }
        const key = item.fields.join('\u0001');
        if (seen.has(key)) {
          report.duplicates++;
          continue;
        }
        const conflict = batch.add(row, item.line);
        if (conflict !== undefined) {
          const wait = reject(item.line, conflict.reason, csvRow(item.fields));
          if (wait !== undefined) await wait;
          continue;
        }
        seen.add(key);
        report.imported++;
        if (blankTags && item.fields[1] === '') report.blankTags++;
      }
      bar.set(report.read);
    }
    if (batch.rows > 0) await writes.submit(sink.write());
    await writes.drain();
    report.seconds = (performance.now() - started) / 1000;
    bar.set(report.read);
    bar.done(
      `${report.imported.toLocaleString('en-US')} imported, ${report.duplicates.toLocaleString('en-US')} duplicates, ${report.rejected.toLocaleString('en-US')} rejected`,
    );
    return report;
  }

  private optionalStream(): { stream?: NodeJS.WriteStream } {
    return this.opts.progressStream !== undefined ? { stream: this.opts.progressStream } : {};
  }
}
