// query: a user's neighbours under a model, straight from the graph (no HTTP), as a table or JSON.
import { DEFAULT_LIMIT, MAX_LIMIT, parseHandle, parseLimit, parseModel } from '../../api/models';
import { loadConfig } from '../../config';
import { badInput } from '../../errors';
import { openGraph } from '../../graph/connect';
import type { Command } from '../command';
import type * as Query from '../../api/query';
import { parse } from '../command';

export const query: Command = {
  name: 'query',
  summary: "Print a user's most similar users under a model (table, or JSON with --json)",
  usage: 'similar-users query <handle> [--model cosine|interests|course_views|assessments|als] [--limit 10] [--json]',
  async run(argv) {
    const { values, positionals } = parse(
      this,
      argv,
      { model: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
      true,
    );
    if (positionals.length !== 1) {
      throw badInput(
        `query: expected one user handle, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}\nusage: ${this.usage}`,
      );
    }
    const handle = parseHandle(positionals[0], 'handle');
    const requested = parseModel(values.model);
    const limit = parseLimit(values.limit, 'limit', DEFAULT_LIMIT, MAX_LIMIT);
    const config = loadConfig();
    const graph = await openGraph(config);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { explainedNeighbours } = require('../../api/query') as typeof Query;
      const list = await explainedNeighbours(graph, { handle, model: requested, limit });
      const { model, version, neighbours: rows } = list;
      if (values.json === true) {
        process.stdout.write(`${JSON.stringify({ handle, model, version, neighbours: rows }, null, 2)}\n`);
        return 0;
      }
      if (version === null) {
        process.stdout.write(`Model ${model} has no active version yet: run npm run similarity -- --model ${model}\n`);
        return 1;
      }
      process.stdout.write(`User ${handle}, model ${model} (version ${version}): ${rows.length} neighbours\n`);
      const table = [
        ['rank', 'handle', 'score', 'top shared items (share)'],
        ...rows.map((r) => [
          String(r.rank),
          String(r.handle),
          r.score.toFixed(4),
          r.reasons.map((x) => `${x.kind.toLowerCase()} ${x.item} ${(100 * x.share).toFixed(0)}%`).join(', ') || '-',
        ]),
      ];
      const widths = table[0]!.map((_c, j) => Math.max(...table.map((row) => row[j]!.length)));
      for (const row of table) {
        process.stdout.write(`${row.map((c, j) => (j === 3 ? c : c.padStart(widths[j]!))).join('  ')}\n`);
      }
      return 0;
    } finally {
      await graph.close();
    }
  },
};

export const commands: Command[] = [query];
