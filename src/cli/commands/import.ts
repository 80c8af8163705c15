// import: the four CSV tables of a folder into the graph, with a rejects file and a reconciled summary.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config';
import { badInput } from '../../errors';
import { openGraph } from '../../graph/connect';
import { DEFAULT_IMPORT_WRITERS, Importer, ImportInterrupted } from '../../ingest/importer';
import { importIfEmpty } from '../../ingest/prepare';
import { recoverImports } from '../../ingest/recovery';
import { consoleLogger } from '../../log';
import { checkHeaders, findTables } from '../../ingest/reader';
import { defaultRejectsPath } from '../../ingest/rejects';
import { formatReport, reconciles } from '../../ingest/summary';
import type { Command } from '../command';
import { intOption, parse } from '../command';

export const DEFAULT_BATCH_SIZE = 10_000;

export const importCommand: Command = {
  name: 'import',
  summary: 'Import user_interests, user_assessment_scores, user_course_views and course_tags (.csv or .csv.gz)',
  usage:
    'similar-users import --data DIR [--rejects FILE] [--batch-size N] [--writers N] [--summary-json FILE] [--include-forgotten] [--if-empty]\n' +
    `  --writers: write transactions in flight at once (default ${DEFAULT_IMPORT_WRITERS})\n` +
    '  --if-empty: redo every import that never completed, then import DIR only if the graph holds no user (what start runs)',
  async run(argv) {
    // Signal handlers come before any work: Ctrl-C stops between batches and the run stays recorded as incomplete.
    const stop = interruptOnSignals();
    try {
      return await importRun(this, argv, stop.signal);
    } finally {
      stop.dispose();
    }
  },
};

/** SIGINT/SIGTERM abort the returned signal; a second one exits at once. */
export function interruptOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${sig}: stopping after the batch in flight (again to quit at once)\n`);
    controller.abort(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

async function importRun(cmd: Command, argv: string[], signal: AbortSignal): Promise<number> {
  const { values } = parse(cmd, argv, {
    data: { type: 'string' },
    rejects: { type: 'string' },
    'batch-size': { type: 'string' },
    writers: { type: 'string' },
    'summary-json': { type: 'string' },
    'include-forgotten': { type: 'boolean' },
    'if-empty': { type: 'boolean' },
  });
  if (values.data === undefined) throw badInput(`import: --data DIR is required\nusage: ${cmd.usage}`);
  const batchSize = intOption('batch-size', values['batch-size'], DEFAULT_BATCH_SIZE, 1, 1_000_000);
  const writers = intOption('writers', values.writers, DEFAULT_IMPORT_WRITERS, 1, 16);
  const dir = path.resolve(values.data);
  const config = loadConfig();
  if (values['if-empty'] === true) return importIntoEmpty(dir, batchSize, writers, config, signal);

  // Every header is checked before the database is touched: a wrong file means nothing is written.
  const files = findTables(dir);
  await checkHeaders(files);

  const rejectsPath = values.rejects !== undefined ? path.resolve(values.rejects) : defaultRejectsPath(dir);
  const graph = await openGraph(config, { start: true, schema: true });
  try {
    // Imports that died earlier are reported; other folders' are redone first, this folder's by this import.
    const recovery = await recoverImports(graph, { batchSize, writers, log: consoleLogger, signal, except: dir });
    if (recovery.found.some((r) => path.resolve(r.dir) === dir)) {
      consoleLogger.warn(`this import of ${dir} redoes it`);
    }
    process.stderr.write(`Importing ${dir} into ${config.neo4j.uri}; rejects go to ${rejectsPath}\n`);
    const report = await new Importer(graph, {
      batchSize,
      writers,
      rejectsPath,
      signal,
      includeForgotten: values['include-forgotten'] === true,
    }).run(files);
    process.stdout.write(`${formatReport(report)}\n`);
    if (report.redone > 0) {
      process.stdout.write(`Completed ${report.redone} earlier import run(s) of ${dir} that had not finished.\n`);
    }
    if (values['summary-json'] !== undefined) {
      fs.writeFileSync(values['summary-json'], `${JSON.stringify(report, null, 2)}\n`);
    }
    return report.files.every(reconciles) ? 0 : 1;
  } catch (err) {
    if (err instanceof ImportInterrupted) {
      process.stderr.write(`import: ${err.message}\n`);
      return 130;
    }
    throw err;
  } finally {
    await graph.close();
  }
}

/** --if-empty: incomplete imports redone, then `dir` imported when the graph holds no user. */
async function importIntoEmpty(
  dir: string,
  batchSize: number,
  writers: number,
  config: ReturnType<typeof loadConfig>,
  signal: AbortSignal,
): Promise<number> {
  const graph = await openGraph(config, { start: true, schema: true });
  try {
    const log = { info: (m: string) => say(m), warn: (m: string) => say(`warning: ${m}`) };
    await importIfEmpty(graph, { dir, batchSize, writers, log, signal });
    return 0;
  } catch (err) {
    // Stopped by a signal anywhere (recovery included): the runs stay incomplete for the next start to redo.
    if (!(err instanceof ImportInterrupted) && !signal.aborted) throw err;
    process.stderr.write(`import: ${err instanceof Error ? err.message : String(err)}\n`);
    return 130;
  } finally {
    await graph.close();
  }
}

function say(message: string): void {
  process.stderr.write(`[data] ${message}\n`);
}

export const commands: Command[] = [importCommand];
