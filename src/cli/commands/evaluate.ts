// evaluate: hold-out quality of each model (recall@k, NDCG@k, coverage) beside popularity and random baselines.
import { loadConfig } from '../../config';
import { badInput } from '../../errors';
import { openGraph } from '../../graph/connect';
import { SimilarityRepository } from '../../graph/similarity-repository';
import { consoleLogger } from '../../log';
import { formatEvaluation, runEvaluation, tuneWeights } from '../../jobs/evaluate';
import { parseModels, type CosineWeights } from '../../jobs/models';
import { SignalLoader } from '../../jobs/signals';
import { table } from '../../jobs/similarity-job';
import { createPool } from '../../similarity/pool';
import type { Command } from '../command';
import { intOption, parse } from '../command';
import { MODEL_OPTIONS, modelParams } from './similarity';

/** The grid `--tune-weights` searches for the cosine model's defaults. */
function weightGrid(): CosineWeights[] {
  const grid: CosineWeights[] = [];
  for (const views of [0.5, 1])
    for (const interests of [0.5, 1, 2, 4])
      for (const courseTags of [0.5, 1, 2])
        for (const assessments of [0, 0.5]) grid.push({ interests, views, courseTags, assessments });
  return grid;
}

export const evaluate: Command = {
  name: 'evaluate',
  summary: 'Hold-out evaluation of the similarity models (recall@10, NDCG@10, coverage) against baselines',
  usage:
    'similar-users evaluate [--model <name|all|a,b>] [--communities FILE] [--holdout 0.2] [--eval-seed 1] [--no-store] [--tune-weights] [model options of `similarity`]',
  async run(argv) {
    const { values } = parse(this, argv, {
      ...MODEL_OPTIONS,
      communities: { type: 'string' },
      holdout: { type: 'string' },
      'eval-seed': { type: 'string' },
      'no-store': { type: 'boolean' },
      'tune-weights': { type: 'boolean' },
    });
    const models = parseModels(values.model);
    const params = modelParams(values);
    const fraction = values.holdout === undefined ? 0.2 : Number(values.holdout);
    if (!(fraction > 0 && fraction < 1))
      throw badInput(`--holdout: expected a number in (0, 1), got "${values.holdout}"`);
    const seed = intOption('eval-seed', values['eval-seed'], 1, 0, 2 ** 31 - 1);
    const config = loadConfig();
    const graph = await openGraph(config, { schema: true });
    try {
      const repo = new SimilarityRepository(graph);
      if (values['tune-weights'] === true) {
        const loader = await SignalLoader.open(repo);
        await loader.need(['interests', 'views', 'assessments', 'courseTags']);
        const pool = createPool(params.threads);
        try {
          const ranked = await tuneWeights(loader.signals, { params, fraction, seed, k: 10 }, weightGrid(), pool);
          process.stdout.write(
            `${table(
              ['interests', 'views', 'courseTags', 'assessments', 'recall@10', 'NDCG@10', 'coverage'],
              ranked.map(({ weights: w, row }) => [
                String(w.interests),
                String(w.views),
                String(w.courseTags),
                String(w.assessments),
                row.recall.toFixed(4),
                row.ndcg.toFixed(4),
                `${(100 * row.coverage).toFixed(1)}%`,
              ]),
            )}\n`,
          );
        } finally {
          await pool.close();
        }
        return 0;
      }
      const evaluation = await runEvaluation(repo, {
        models,
        params,
        fraction,
        seed,
        k: 10,
        log: consoleLogger,
        store: values['no-store'] !== true,
        ...(values.communities !== undefined ? { communitiesFile: values.communities } : {}),
      });
      process.stdout.write(`${formatEvaluation(evaluation)}\n`);
      if (values['no-store'] !== true) process.stdout.write('figures stored in SimilarityModel.metrics (JSON)\n');
    } finally {
      await graph.close();
    }
    return 0;
  },
};

export const commands: Command[] = [evaluate];
