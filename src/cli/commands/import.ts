// import: the four CSV tables of a folder into the graph, with a rejects file and a reconciled summary.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config';
import { badInput } from '../../errors';
import { openGraph } from '../../graph/connect';
import { Importer } from '../../ingest/importer';
import { checkHeaders, findTables } from '../../ingest/reader';
import { defaultRejectsPath } from '../../ingest/rejects';
import { formatReport, reconciles } from '../../ingest/summary';
import type { Command } from '../command';
import { intOption, parse } from '../command';

export const DEFAULT_BATCH_SIZE = 10_000;

export const importCommand: Command = {
  name: 'import',
  summary: 'Import user_interests, user_assessment_scores, user_course_views and course_tags (.csv or .csv.gz)',
  usage: 'similar-users import --data DIR [--rejects FILE] [--batch-size N] [--summary-json FILE]',
  async run(argv) {
    const { values } = parse(this, argv, {
      data: { type: 'string' },
      rejects: { type: 'string' },
      'batch-size': { type: 'string' },
      'summary-json': { type: 'string' },
    });
    if (values.data === undefined) throw badInput(`import: --data DIR is required\nusage: ${this.usage}`);
    const batchSize = intOption('batch-size', values['batch-size'], DEFAULT_BATCH_SIZE, 1, 1_000_000);
    const dir = path.resolve(values.data);
    const config = loadConfig();

    // Every header is checked before the database is touched: a wrong file means nothing is written.
    const files = findTables(dir);
    await checkHeaders(files);

    const rejectsPath = values.rejects !== undefined ? path.resolve(values.rejects) : defaultRejectsPath(dir);
    const graph = await openGraph(config, { start: true, schema: true });
    try {
      process.stderr.write(`Importing ${dir} into ${config.neo4j.uri}; rejects go to ${rejectsPath}\n`);
      const report = await new Importer(graph, { batchSize, rejectsPath }).run(files);
      process.stdout.write(`${formatReport(report)}\n`);
      if (values['summary-json'] !== undefined) {
        fs.writeFileSync(values['summary-json'], `${JSON.stringify(report, null, 2)}\n`);
      }
      return report.files.every(reconciles) ? 0 : 1;
    } finally {
      await graph.close();
    }
  },
};

export const commands: Command[] = [importCommand];
