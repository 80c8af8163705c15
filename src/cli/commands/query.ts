// query: a user's neighbours under a model, straight from the graph (no HTTP), as a table or JSON.
import { exactReasons, explainMatch } from '../../api/reasons';
import { loadProfiles, loadUserItems } from '../../api/profiles';
import {
  DEFAULT_LIMIT,
  defaultModelOf,
  MAX_LIMIT,
  ModelName,
  parseHandle,
  parseLimit,
  parseModel,
} from '../../api/models';
import { WeightingMemo } from '../../api/weighting';
import { loadConfig } from '../../config';
import { badInput, notFound } from '../../errors';
import { ApiRepository } from '../../graph/api-repository';
import { openGraph } from '../../graph/connect';
import type { Command } from '../command';
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
      const repo = new ApiRepository(graph);
      const model = requested ?? defaultModelOf(await repo.models());
      const [list] = await repo.neighbours([handle], model, limit);
      if (list === undefined || !list.found) throw notFound(`no user with handle ${handle}`);
      const handles = [handle, ...list.neighbours.map((n) => n.handle)];
      // Cosine-family models: the score taken apart with the version's weighting; ALS: indicative.
      const stored = model === ModelName.ALS ? null : await new WeightingMemo(repo).get(model);
      const weighting = stored !== null && stored.version === list.version ? stored : null;
      const [profiles, items, users] = await Promise.all([
        loadProfiles(repo, handles, model),
        weighting !== null ? loadUserItems(repo, handles) : Promise.resolve([]),
        repo.userCount(),
      ]);
      const rows = list.neighbours.map((n, i) => ({
        rank: n.rank,
        handle: n.handle,
        score: n.score,
        reasons:
          weighting !== null && model !== ModelName.ALS
            ? exactReasons(model, weighting, items[0]!, items[i + 1]!, 3)
            : explainMatch(model, profiles[0] ?? [], profiles[i + 1] ?? [], users, n.score, 3),
      }));
      if (values.json === true) {
        process.stdout.write(
          `${JSON.stringify({ handle, model, version: list.version, neighbours: rows }, null, 2)}\n`,
        );
        return 0;
      }
      if (list.version === null) {
        process.stdout.write(`Model ${model} has no active version yet: run npm run similarity -- --model ${model}\n`);
        return 1;
      }
      process.stdout.write(`User ${handle}, model ${model} (version ${list.version}): ${rows.length} neighbours\n`);
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
