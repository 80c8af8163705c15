// The data step of `start`: imports that died are redone, then a folder is imported when the graph holds no user.
import path from 'node:path';
import type { Graph } from '../graph/executor';
import { IngestRepository } from '../graph/ingest-repository';
import type { Logger } from '../log';
import { Importer, type ImportReport } from './importer';
import { checkHeaders, findTables } from './reader';
import { recoverImports, type Recovery } from './recovery';
import { defaultRejectsPath } from './rejects';

export interface PrepareOptions {
  /** The folder imported when the graph is empty. */
  dir: string;
  batchSize: number;
  /** Write transactions in flight (default DEFAULT_IMPORT_WRITERS). */
  writers?: number;
  /** Progress lines (the importer itself logs to the console). */
  log: Logger;
  /** Stops an import between batches; the run stays recorded as incomplete, for the next start to redo. */
  signal?: AbortSignal;
}

export interface Prepared {
  recovery: Recovery;
  /** Users in the graph before the import of `dir` (0: it was imported). */
  users: number;
  /** The import of `dir`, when the graph was empty. */
  imported?: ImportReport;
}

/** Redoes every incomplete import, then imports `dir` if the graph still holds no user. */
export async function importIfEmpty(graph: Graph, opts: PrepareOptions): Promise<Prepared> {
  const { dir, batchSize, log, signal } = opts;
  const writers = opts.writers !== undefined ? { writers: opts.writers } : {};
  // An import that died (Ctrl-C, a kill, a crash) is redone before anything is served from a partial graph.
  const recovery = await recoverImports(graph, {
    batchSize,
    log,
    ...writers,
    ...(signal !== undefined ? { signal } : {}),
  });
  const users = (await new IngestRepository(graph).counts()).users;
  if (users > 0) {
    if (recovery.redone.length === 0)
      log.info(`the graph holds ${users.toLocaleString('en-US')} users: nothing to import`);
    return { recovery, users };
  }
  log.info(`the graph is empty: importing ${path.relative(process.cwd(), dir) || dir}`);
  const files = findTables(dir);
  await checkHeaders(files);
  const imported = await new Importer(graph, {
    batchSize,
    ...writers,
    rejectsPath: defaultRejectsPath(dir),
    ...(signal !== undefined ? { signal } : {}),
  }).run(files);
  const rows = imported.files.reduce((n, f) => n + f.read, 0);
  log.info(
    `imported ${rows.toLocaleString('en-US')} rows in ${imported.seconds.toFixed(1)} s (${imported.rejects} rejected)`,
  );
  return { recovery, users, imported };
}
