// Imports that never completed (a killed or interrupted process): reported, then redone. Every write merges, so
// importing a folder again over what a dead run wrote leaves exactly what one clean import leaves.
import { hostname } from 'node:os';
import path from 'node:path';
import type { Graph } from '../graph/executor';
import { IngestRepository, type IncompleteImport } from '../graph/ingest-repository';
import type { Logger } from '../log';
import { Importer, type ImportOptions, type ImportReport } from './importer';
import { checkHeaders, findTables } from './reader';
import { defaultRejectsPath } from './rejects';

/** One line naming an incomplete run: its folder, files, start and process. */
export function describeIncomplete(run: IncompleteImport): string {
  return `an import of ${run.dir} (${run.files.join(', ')}) started ${run.startedAt} by ${run.owner} never completed`;
}

/** Whether the run's process is alive on this host (then it is still importing, not dead). */
export function stillRunning(run: IncompleteImport): boolean {
  const [host, pid] = run.owner.split(':');
  if (host !== hostname() || pid === undefined || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}

export async function incompleteImports(graph: Graph): Promise<IncompleteImport[]> {
  return new IngestRepository(graph).incompleteImportRuns();
}

export interface RecoveryOptions extends Omit<ImportOptions, 'rejectsPath'> {
  log: Logger;
  /** A folder the caller imports itself next (its incomplete runs are redone by that import). */
  except?: string;
}

export interface Recovery {
  /** Incomplete runs found (each reported through the log). */
  found: IncompleteImport[];
  /** Imports run to redo them, one per folder. */
  redone: ImportReport[];
  /** Folders that could not be redone (gone, or their tables no longer readable), with why. */
  failed: { dir: string; reason: string }[];
}

/**
 * Reports every incomplete import run and redoes each folder (except `except`) with a fresh import; the redo
 * marks the earlier runs as redone. A folder that is gone or no longer valid is reported and stays listed.
 */
export async function recoverImports(graph: Graph, opts: RecoveryOptions): Promise<Recovery> {
  const all = await incompleteImports(graph);
  // An import still running in another process on this host is left to finish.
  for (const run of all.filter(stillRunning)) {
    opts.log.warn(`an import of ${run.dir} started ${run.startedAt} is still running (${run.owner}): not redone`);
  }
  const found = all.filter((r) => !stillRunning(r));
  const out: Recovery = { found, redone: [], failed: [] };
  for (const run of found) opts.log.warn(describeIncomplete(run));
  const except = opts.except === undefined ? undefined : path.resolve(opts.except);
  const dirs = [...new Set(found.map((r) => r.dir))].filter((d) => path.resolve(d) !== except);
  for (const dir of dirs) {
    let files;
    try {
      files = findTables(dir);
      await checkHeaders(files);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      opts.log.warn(`cannot redo the import of ${dir}: ${reason} (the graph may hold part of it; import it again)`);
      out.failed.push({ dir, reason });
      continue;
    }
    opts.log.info(`redoing the import of ${dir}...`);
    const report = await new Importer(graph, { ...opts, rejectsPath: defaultRejectsPath(dir) }).run(files);
    opts.log.info(`redone: ${dir} (${report.files.reduce((n, f) => n + f.read, 0).toLocaleString('en-US')} rows)`);
    out.redone.push(report);
  }
  return out;
}
