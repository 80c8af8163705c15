// evaluate: hold-out quality of each model (recall@10, NDCG@10, coverage) against baselines, on the graph's data
// or on the real behaviour structure (an .npz matrix, evaluated in memory).
import { loadConfig } from '../../config';
import { badInput } from '../../errors';
import { openGraph } from '../../graph/connect';
import { consoleLogger } from '../../log';
import { EvaluationJob } from '../../jobs/jobs';
import { parseModels } from '../../jobs/models';
import type { Command } from '../command';
import type * as Evaluate from '../../jobs/evaluate';
import type * as RealStructure from '../../jobs/real-structure';
import type * as Pool from '../../similarity/pool';
import { intOption, parse } from '../command';
import { MODEL_OPTIONS, modelParams } from './similarity';

export const evaluate: Command = {
  name: 'evaluate',
  summary: 'Hold-out evaluation of the similarity models (recall@10, NDCG@10, coverage) against baselines',
  usage:
    'similar-users evaluate [--model <name|all|a,b>] [--real-structure FILE.npz [--holdout-seed 5]] [--communities FILE] [--holdout 0.2] [--eval-seed 1] [--no-store] [model options of `similarity`]',
  async run(argv) {
    const { values } = parse(this, argv, {
      ...MODEL_OPTIONS,
      communities: { type: 'string' },
      holdout: { type: 'string' },
      'eval-seed': { type: 'string' },
      'real-structure': { type: 'string' },
      'holdout-seed': { type: 'string' },
      'no-store': { type: 'boolean' },
    });
    const models = parseModels(values.model);
    const params = modelParams(values);
    const fraction = values.holdout === undefined ? 0.2 : Number(values.holdout);
    if (!(fraction > 0 && fraction < 1))
      throw badInput(`--holdout: expected a number in (0, 1), got "${values.holdout}"`);
    const seed = intOption('eval-seed', values['eval-seed'], 1, 0, 2 ** 31 - 1);
    const real = values['real-structure'];
    // Loaded here, not with the CLI: every other command starts without them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { evaluateModels, formatEvaluation } = require('../../jobs/evaluate') as typeof Evaluate;
    if (real !== undefined) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { loadRealStructure } = require('../../jobs/real-structure') as typeof RealStructure;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createPool } = require('../../similarity/pool') as typeof Pool;
      // The real structure is evaluated in memory: the graph is neither read nor changed.
      const holdoutSeed = intOption('holdout-seed', values['holdout-seed'], 5, 0, 2 ** 31 - 1);
      const rs = await loadRealStructure(real, holdoutSeed);
      const pool = createPool(params.threads);
      try {
        const e = await evaluateModels(
          rs.signals,
          {
            models,
            params,
            fraction: 0.2,
            seed: holdoutSeed,
            k: 10,
            split: rs.split,
            protocol: rs.protocol,
            log: consoleLogger,
          },
          pool,
        );
        process.stdout.write(`${formatEvaluation(e)}\n`);
      } finally {
        await pool.close();
      }
      return 0;
    }
    if (values['holdout-seed'] !== undefined) throw badInput('--holdout-seed goes with --real-structure');
    const config = loadConfig();
    const graph = await openGraph(config, { schema: true });
    try {
      const evaluation = await new EvaluationJob(graph, {
        models,
        params,
        fraction,
        seed,
        k: 10,
        log: consoleLogger,
        store: values['no-store'] !== true,
        ...(values.communities !== undefined ? { communitiesFile: values.communities } : {}),
      }).run();
      process.stdout.write(`${formatEvaluation(evaluation)}\n`);
      if (values['no-store'] !== true) process.stdout.write('figures stored in SimilarityModel.metrics (JSON)\n');
    } finally {
      await graph.close();
    }
    return 0;
  },
};

export const commands: Command[] = [evaluate];
